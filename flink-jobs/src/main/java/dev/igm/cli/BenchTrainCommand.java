package dev.igm.cli;

import dev.igm.avro.TrainingMetrics;
import dev.igm.codec.AvroBytes;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.LabeledSample;
import dev.igm.jobs.TrainJobConfig;
import dev.igm.jobs.TrainingData;
import dev.igm.jobs.TrainingJob;
import dev.igm.kafka.LocalKafkaBroker;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code igm bench-train}: training throughput of the streaming job against an offline {@link IgmTrainer} loop on the
 * same samples and model configuration, plus checkpoint duration and size.
 */
@Command(
    name = "bench-train",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmarks the streaming training job against an offline IgmTrainer loop on the same data and config.",
      "",
      "Replays the bundled segment data (standardised, seeded epoch order) to a one-partition topic on a local",
      "Kafka broker (started here unless --bootstrap is given), runs 'igm train' bounded on an embedded MiniCluster",
      "(RocksDB, incremental checkpoints, exactly-once sinks, prequential scoring), and reports:",
      "  samples/s offline, samples/s streaming (steady state, from the job's TrainingMetrics records),",
      "  their ratio (goal >= 0.9), checkpoint count, state capture time, keyed-state bytes, checkpoint size on disk.",
    })
public final class BenchTrainCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "Job configuration to take the model from (default: config/train-segment.yaml).")
  Path config;

  @Option(names = "--model", description = "Model id from the configuration (default: ${DEFAULT-VALUE}).")
  String model = "igm";

  @Option(names = "--epochs", description = "Epochs of the 1,500 TRAIN rows to replay (default: ${DEFAULT-VALUE}).")
  int epochs = 8;

  @Option(names = "--checkpoint-interval", description = "Flink checkpoint interval (default: ${DEFAULT-VALUE}).")
  String checkpointInterval = "2s";

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Use this broker instead of starting one.")
  String bootstrap;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Job configuration overrides (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Override
  @SuppressWarnings("unchecked")
  public Integer call() throws Exception {
    Path root = LocalKafkaBroker.locateProjectRoot();
    Path yaml = config != null ? config : root.resolve("config/train-segment.yaml");
    Map<String, Object> tree;
    try (InputStream in = Files.newInputStream(yaml)) {
      tree = new LinkedHashMap<>((Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(in));
    }
    Map<String, Object> chosen = ((List<Map<String, Object>>) tree.get("models")).stream()
        .filter(m -> model.equals(String.valueOf(m.get("id")))).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no model '" + model + "' in " + yaml));
    tree.put("models", List.of(chosen));

    TrainingData data = TrainingData.segment(1500, 0, epochs, 42);
    Path scratch = root.resolve("var").resolve("bench-" + UUID.randomUUID().toString().substring(0, 8));
    LocalKafkaBroker broker = null;
    try {
      if (bootstrap == null) {
        broker = LocalKafkaBroker.builder().port(0).build().start();
      }
      String servers = bootstrap != null ? bootstrap : broker.bootstrapServers();
      String run = "bench-" + UUID.randomUUID().toString().substring(0, 8);
      String samples = run + "-samples";
      String metrics = run + "-metrics";
      LocalKafkaBroker.createTopics(servers, 1, samples, metrics, run + "-dlq", run + "-predictions", run + "-models");
      List<String> o = new ArrayList<>(List.of(
          "kafka.bootstrap=" + servers, "kafka.group.id=" + run, "topics.samples=" + samples, "topics.metrics=" + metrics,
          "topics.dlq=" + run + "-dlq", "topics.predictions=" + run + "-predictions", "topics.models=" + run + "-models",
          "input.bounded=true", "input.starting.offsets=earliest", "metrics.every.batches=10",
          "model.store=" + scratch.resolve("models"),
          "flink.execution.checkpointing.dir=" + scratch.resolve("chk").toUri(),
          "flink.execution.checkpointing.interval=" + checkpointInterval));
      o.addAll(overrides);
      TrainJobConfig job = TrainJobConfig.fromTree(tree, o);
      IgmConfig modelConfig = job.models().get(model);
      List<LabeledSample> train = data.trainingSamples(modelConfig);

      // offline: warm up the engine on a throwaway trainer, then time the plain loop
      try (IgmTrainer warm = new IgmTrainer(modelConfig)) {
        for (LabeledSample s : train.subList(0, Math.min(train.size(), 40 * modelConfig.batchSize()))) {
          warm.offer(s);
        }
      }
      long t0 = System.nanoTime();
      long offlineTrained;
      try (IgmTrainer t = new IgmTrainer(modelConfig)) {
        for (LabeledSample s : train) {
          t.offer(s);
        }
        offlineTrained = t.samplesTrained();
      }
      double offlineSeconds = (System.nanoTime() - t0) / 1e9;
      double offlineRate = offlineTrained / offlineSeconds;

      TrainingData.produce(servers, samples, data.encodedRecords());
      // a finished job discards its checkpoints: sample the directory's size while it runs
      long[] maxOnDisk = {0};
      Path chk = scratch.resolve("chk");
      Thread sampler = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          try {
            maxOnDisk[0] = Math.max(maxOnDisk[0], sizeOf(chk));
            Thread.sleep(100);
          } catch (InterruptedException e) {
            return;
          } catch (Exception e) {
            // files come and go while Flink writes and subsumes checkpoints
          }
        }
      }, "checkpoint-size-sampler");
      sampler.setDaemon(true);
      sampler.start();
      long j0 = System.nanoTime();
      JobExecutionResult result = TrainingJob.run(job);
      double jobSeconds = (System.nanoTime() - j0) / 1e9;
      sampler.interrupt();
      sampler.join();

      List<TrainingMetrics> m = readMetrics(servers, metrics);
      m.sort(Comparator.comparingLong(TrainingMetrics::getBatches));
      TrainingMetrics first = m.get(0);
      TrainingMetrics last = m.get(m.size() - 1);
      double steadySeconds = (last.getTime().toEpochMilli() - first.getTime().toEpochMilli()) / 1e3;
      double streamRate = (last.getSamplesTrained() - first.getSamplesTrained()) / steadySeconds;

      long checkpoints = counter(result, "igm.checkpoint.count");
      double captureMs = checkpoints == 0 ? 0 : counter(result, "igm.checkpoint.capture.micros") / 1e3 / checkpoints;
      double stateBytes = checkpoints == 0 ? 0 : (double) counter(result, "igm.checkpoint.state.bytes") / checkpoints;
      double e2eMs = checkpoints == 0 ? 0 : (double) counter(result, "igm.checkpoint.e2e.millis") / checkpoints;
      long onDisk = maxOnDisk[0];

      System.out.printf("igm bench-train: model %s (%s, batch %d), %d TRAIN samples (%d epochs x 1500 rows)%n",
          model, modelConfig.methodName(), modelConfig.batchSize(), train.size(), epochs);
      System.out.printf("  offline IgmTrainer loop : %8.0f samples/s  (%d trained in %.2f s)%n", offlineRate, offlineTrained, offlineSeconds);
      System.out.printf("  streaming job, steady   : %8.0f samples/s  (batches %d..%d in %.2f s, from TrainingMetrics)%n",
          streamRate, first.getBatches(), last.getBatches(), steadySeconds);
      System.out.printf("  ratio streaming/offline : %8.2f  (goal >= 0.90)%n", streamRate / offlineRate);
      System.out.printf("  streaming job, end to end incl. MiniCluster start: %.0f samples/s (%.2f s)%n",
          last.getSamplesTrained() / jobSeconds, jobSeconds);
      System.out.printf("  checkpoints: %d every %s; trainer state capture %.1f ms avg, %.0f KiB keyed state per checkpoint,"
          + " operator-seen snapshot-to-complete %.0f ms avg; checkpoint directory up to %d KiB on disk (incremental RocksDB: shared/ + chk-*)%n",
          checkpoints, checkpointInterval, captureMs, stateBytes / 1024, e2eMs, onDisk / 1024);
      return 0;
    } finally {
      if (broker != null) {
        broker.close();
      }
      deleteRecursively(scratch);
    }
  }

  private static long counter(JobExecutionResult r, String name) {
    Object v = r.getAccumulatorResult(name);
    return v == null ? 0 : ((Number) v).longValue();
  }

  private static List<TrainingMetrics> readMetrics(String servers, String topic) throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    AvroBytes<TrainingMetrics> avro = AvroBytes.of(TrainingMetrics.class);
    List<TrainingMetrics> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      c.subscribe(List.of(topic));
      int empty = 0;
      while (empty < 3) {
        var records = c.poll(Duration.ofMillis(500));
        empty = records.isEmpty() ? empty + 1 : 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
          out.add(avro.decode(r.value()));
        }
      }
    }
    if (out.size() < 2) {
      throw new IllegalStateException("the job wrote " + out.size() + " metrics records; need at least 2");
    }
    return out;
  }

  private static long sizeOf(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  private static void deleteRecursively(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
