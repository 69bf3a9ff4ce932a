package dev.igm.cli;

import dev.igm.avro.TrainingMetrics;
import dev.igm.codec.AvroBytes;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.linalg.Blas;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.LabeledSample;
import dev.igm.jobs.TrainJobConfig;
import dev.igm.jobs.TrainingData;
import dev.igm.jobs.TrainingJob;
import dev.igm.kafka.LocalKafkaBroker;
import java.io.InputStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
 * {@code igm bench-train}: the steady training rate of the streaming job against the offline trainer loop of
 * {@code igm fit} on the same samples, model configuration and OpenBLAS thread count, in rounds that alternate the
 * two (a paired comparison on a machine whose load changes), plus the training thread's CPU time per batch and the
 * checkpoint figures.
 */
@Command(
    name = "bench-train",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmarks the streaming training job against the offline trainer loop of",
      "igm fit, same data and config.",
      "",
      "Replays the bundled segment data (1,500 TRAIN rows, standardised, seeded",
      "epoch order) once to a one-partition topic on a local Kafka broker (started",
      "here unless --bootstrap is given) and starts one embedded",
      "Flink MiniCluster for all rounds. Then, per round: the offline loop",
      "(IgmTrainer.offer over the same samples in the same order: the loop igm fit",
      "runs), then the 'igm train' job bounded on that cluster (RocksDB,",
      "incremental checkpoints, exactly-once Kafka sinks, prequential scoring of",
      "every TRAIN sample, snapshots to the model store), reading the topic from",
      "the beginning. Same model configuration and OpenBLAS thread count for both.",
      "",
      "What is measured, for both alike: the steady training rate = samples trained",
      "from the end of batch 10 to the end of the last full batch, divided by the",
      "wall time between those two points (offline: System.nanoTime in the loop;",
      "streaming: the timestamps of the job's TrainingMetrics records, emitted",
      "right after batches 10, 20, ... on the training thread). Not measured:",
      "broker start, the replay to Kafka, MiniCluster start, job deployment, the",
      "first 10 batches. The first --warmup-rounds rounds (shorter: --warmup-epochs)",
      "warm the JIT up and are not counted (the JIT compile time during each",
      "streaming job is printed: it is CPU the job's threads compete for, and what",
      "a long-running job has long done); the result is the median over the",
      "measured rounds of the per-round ratio streaming/offline (goal >= 0.9). Also",
      "reported: CPU ms per batch of the training thread over the same span",
      "(offline: the loop's thread; streaming: the trainer task's thread, which",
      "also scores, reads and writes its records and takes the checkpoints).",
    })
public final class BenchTrainCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "Job configuration to take the model from (default: config/train-segment.yaml).")
  Path config;

  @Option(names = "--model", description = "Model id from the configuration (default: ${DEFAULT-VALUE}).")
  String model = "igm";

  @Option(names = "--epochs", description = "Epochs of the 1,500 TRAIN rows to replay (default: ${DEFAULT-VALUE}).")
  int epochs = 40;

  @Option(names = "--rounds", description = "Measured rounds, each offline then streaming (default: ${DEFAULT-VALUE}).")
  int rounds = 3;

  @Option(names = "--warmup-rounds", description = "Rounds run first and not counted (JIT warm-up; default: ${DEFAULT-VALUE}).")
  int warmupRounds = 6;

  @Option(names = "--warmup-epochs", description = "Epochs per warm-up round, from a topic of their own (default:"
      + " ${DEFAULT-VALUE}): each job deploys, starts its clients and checkpoints as a long one does, in less time.")
  int warmupEpochs = 8;

  @Option(names = "--checkpoint-interval", description = "Flink checkpoint interval (default: ${DEFAULT-VALUE}).")
  String checkpointInterval = "2s";

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Use this broker instead of starting one.")
  String bootstrap;

  @Option(names = "--broker-nice", paramLabel = "N", description = "Niceness of the broker started here (0-19;"
      + " default: ${DEFAULT-VALUE} = the job's priority). Niced, it runs on the CPU the job leaves idle, more like a"
      + " broker on machines of its own.")
  int brokerNice = 0;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Job configuration overrides (repeatable).")
  List<String> overrides = new ArrayList<>();

  /** One round's figures. */
  record Round(double offlineRate, double offlineCpuMs, double streamRate, double streamCpuMs, long fromBatch,
      long toBatch, long checkpoints, double captureMs, double stateBytes, double e2eMs, long onDisk, double jobSeconds,
      double jitSeconds) {
    double ratio() {
      return streamRate / offlineRate;
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public Integer call() throws Exception {
    if (rounds < 1 || warmupRounds < 0 || epochs < 1 || warmupEpochs < 1) {
      throw new IllegalArgumentException("--rounds, --epochs and --warmup-epochs must be >= 1, --warmup-rounds >= 0");
    }
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
    TrainingData warmupData = TrainingData.segment(1500, 0, warmupEpochs, 42);
    Path scratch = root.resolve("var").resolve("bench-" + UUID.randomUUID().toString().substring(0, 8));
    LocalKafkaBroker broker = null;
    MiniCluster cluster = null;
    try {
      if (bootstrap == null) {
        broker = LocalKafkaBroker.builder().port(0).nice(brokerNice).build().start();
      }
      String servers = bootstrap != null ? bootstrap : broker.bootstrapServers();
      String run = "bench-" + UUID.randomUUID().toString().substring(0, 8);
      String samples = run + "-samples";
      String warmupSamples = run + "-warmup-samples";
      LocalKafkaBroker.createTopics(servers, 1, samples, warmupSamples);
      TrainJobConfig probe = jobConfig(tree, servers, samples, run, scratch, 0);
      IgmConfig modelConfig = probe.models().get(model);
      int every = probe.metricsEveryBatches();
      List<LabeledSample> train = data.trainingSamples(modelConfig);
      List<LabeledSample> warmupTrain = warmupData.trainingSamples(modelConfig);
      // one OpenBLAS thread (or blas.threads) for both sides, process-wide: the embedded job's trainers share this JVM
      int blasThreads = probe.blasThreads() > 0 ? probe.blasThreads() : 1;
      Blas.setThreads(blasThreads);
      TrainingData.produce(servers, samples, data.encodedRecords()); // once, before any timing
      TrainingData.produce(servers, warmupSamples, warmupData.encodedRecords());

      // one embedded cluster for every round, as a long-running job has: a MiniCluster per job would load Flink's RPC
      // system (Pekko, Scala) into a fresh class loader each time and keep the JIT compiling through every window
      Configuration clusterConfig = Configuration.fromMap(probe.flinkConfiguration());
      cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(clusterConfig)
          .setNumTaskManagers(1).setNumSlotsPerTaskManager(2).withRandomPorts().build());
      cluster.start();

      System.out.printf("igm bench-train: model %s (%s, %s, batch %d, deterministic %s), %d TRAIN samples (%d epochs x 1500"
              + " rows), OpenBLAS threads %d, checkpoints every %s, exactly-once sinks, snapshot every %d batches; %s%n",
          model, modelConfig.methodName(), modelConfig.schedule().name().toLowerCase(), modelConfig.batchSize(),
          modelConfig.deterministic(), train.size(), epochs, blasThreads, checkpointInterval,
          probe.snapshotEveryBatches(),
          bootstrap != null ? "broker " + bootstrap : "local broker at niceness " + brokerNice);
      System.out.printf("  steady rate = samples trained from the end of batch %d to the end of the last full batch / wall"
          + " time between the two (replay, MiniCluster start, deployment and the first %d batches excluded); %d warm-up"
          + " round(s) of %d epochs not counted%n", every, every, warmupRounds, warmupEpochs);
      System.out.printf("  %-7s %12s %12s %7s   %s%n", "round", "offline/s", "streaming/s", "ratio",
          "CPU ms/batch of the training thread: offline | streaming;  JIT compiling during the streaming job");
      List<Round> measured = new ArrayList<>();
      for (int r = 0; r < warmupRounds + rounds; r++) {
        boolean warmup = r < warmupRounds;
        double[] offline = offline(modelConfig, warmup ? warmupTrain : train, every);
        Round round = streaming(cluster, tree, servers, warmup ? warmupSamples : samples, run, scratch, r, offline);
        System.out.printf("  %-7s %12.0f %12.0f %7.2f   %.2f | %.2f;  %.1f s of %.1f s%n",
            warmup ? "warm-up" : Integer.toString(r - warmupRounds + 1), round.offlineRate, round.streamRate,
            round.ratio(), round.offlineCpuMs, round.streamCpuMs, round.jitSeconds, round.jobSeconds);
        if (!warmup) {
          measured.add(round);
        }
      }
      Round med = new Round(median(measured, Round::offlineRate), median(measured, Round::offlineCpuMs),
          median(measured, Round::streamRate), median(measured, Round::streamCpuMs), 0, 0, 0, 0, 0, 0, 0, 0, 0);
      double ratio = median(measured, Round::ratio);
      Round last = measured.get(measured.size() - 1);
      System.out.printf("  median  %12.0f %12.0f %7.2f   %.2f | %.2f   (ratio: median of the rounds' ratios; goal >= 0.90)%n",
          med.offlineRate, med.streamRate, ratio, med.offlineCpuMs, med.streamCpuMs);
      System.out.printf("  streaming window: batches %d..%d; whole job incl. deployment on the running embedded cluster: %.2f s (last round)%n",
          last.fromBatch, last.toBatch, last.jobSeconds);
      System.out.printf("  checkpoints (last round): %d every %s; trainer state capture %.1f ms avg, %.0f KiB keyed state per"
              + " checkpoint, operator-seen snapshot-to-complete %.0f ms avg; checkpoint directory up to %d KiB on disk"
              + " (incremental RocksDB: shared/ + chk-*)%n",
          last.checkpoints, checkpointInterval, last.captureMs, last.stateBytes / 1024, last.e2eMs, last.onDisk / 1024);
      return 0;
    } finally {
      if (cluster != null) {
        cluster.close();
      }
      if (broker != null) {
        broker.close();
      }
      deleteRecursively(scratch);
    }
  }

  private TrainJobConfig jobConfig(Map<String, Object> tree, String servers, String samples, String run, Path scratch, int round) {
    String id = run + "-r" + round;
    List<String> o = new ArrayList<>(List.of(
        "kafka.bootstrap=" + servers, "kafka.group.id=" + id, "topics.samples=" + samples, "topics.metrics=" + id + "-metrics",
        "topics.dlq=" + id + "-dlq", "topics.predictions=" + id + "-predictions", "topics.models=" + id + "-models",
        "kafka.transactional.id.prefix=" + id,
        "input.bounded=true", "input.starting.offsets=earliest", "metrics.every.batches=10",
        "model.store=" + scratch.resolve("models-r" + round),
        "flink.execution.checkpointing.dir=" + scratch.resolve("chk-r" + round).toUri(),
        "flink.execution.checkpointing.interval=" + checkpointInterval));
    o.addAll(overrides);
    return TrainJobConfig.fromTree(tree, o);
  }

  /** The offline loop: {rate, CPU ms per batch} from the end of batch {@code every} to the end of the last full batch. */
  private static double[] offline(IgmConfig config, List<LabeledSample> train, int every) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long t0 = 0;
    long c0 = 0;
    long s0 = 0;
    long b0 = 0;
    long t1;
    long c1;
    long s1;
    long b1;
    try (IgmTrainer t = new IgmTrainer(config)) {
      for (LabeledSample s : train) {
        if (!t.offer(s).isEmpty() && t.batches() == every) {
          t0 = System.nanoTime();
          c0 = mx.getCurrentThreadCpuTime();
          s0 = t.samplesTrained();
          b0 = t.batches();
        }
      }
      t1 = System.nanoTime();
      c1 = mx.getCurrentThreadCpuTime();
      s1 = t.samplesTrained();
      b1 = t.batches();
    }
    return new double[] {(s1 - s0) / ((t1 - t0) / 1e9), (c1 - c0) / 1e6 / (b1 - b0)};
  }

  private Round streaming(MiniCluster cluster, Map<String, Object> tree, String servers, String samples, String run,
      Path scratch, int round, double[] offline) throws Exception {
    TrainJobConfig job = jobConfig(tree, servers, samples, run, scratch, round);
    LocalKafkaBroker.createTopics(servers, 1, job.metricsTopic(), job.dlqTopic(), job.predictionsTopic(), job.modelsTopic());
    // a finished job discards its checkpoints: sample the directory's size while it runs
    long[] maxOnDisk = {0};
    Path chk = scratch.resolve("chk-r" + round);
    Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          maxOnDisk[0] = Math.max(maxOnDisk[0], sizeOf(chk));
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          // files come and go while Flink writes and subsumes checkpoints
        }
      }
    }, "checkpoint-size-sampler");
    sampler.setDaemon(true);
    sampler.start();
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    long jit0 = jit.getTotalCompilationTime();
    long j0 = System.nanoTime();
    StreamExecutionEnvironment env = TrainingJob.environment(job); // the job's settings travel in its JobGraph
    TrainingJob.build(env, job);
    JobExecutionResult result = cluster.executeJobBlocking(env.getStreamGraph().getJobGraph());
    double jobSeconds = (System.nanoTime() - j0) / 1e9;
    double jitSeconds = (jit.getTotalCompilationTime() - jit0) / 1e3;
    sampler.interrupt();
    sampler.join();

    // per batch count the first record (endInput re-emits the last one)
    Map<Long, TrainingMetrics> byBatch = new LinkedHashMap<>();
    readMetrics(servers, job.metricsTopic()).stream()
        .sorted(Comparator.comparingLong((TrainingMetrics m) -> m.getBatches()).thenComparing(TrainingMetrics::getTime))
        .forEach(m -> byBatch.putIfAbsent(m.getBatches(), m));
    List<TrainingMetrics> m = new ArrayList<>(byBatch.values());
    TrainingMetrics first = m.get(0);
    TrainingMetrics last = m.get(m.size() - 1);
    double steadySeconds = (last.getTime().toEpochMilli() - first.getTime().toEpochMilli()) / 1e3;
    double streamRate = (last.getSamplesTrained() - first.getSamplesTrained()) / steadySeconds;
    long cpuBatches = counter(result, "igm.trainer.steady.batches");
    double streamCpuMs = cpuBatches == 0 ? Double.NaN : counter(result, "igm.trainer.steady.cpu.micros") / 1e3 / cpuBatches;

    long checkpoints = counter(result, "igm.checkpoint.count");
    double captureMs = checkpoints == 0 ? 0 : counter(result, "igm.checkpoint.capture.micros") / 1e3 / checkpoints;
    double stateBytes = checkpoints == 0 ? 0 : (double) counter(result, "igm.checkpoint.state.bytes") / checkpoints;
    double e2eMs = checkpoints == 0 ? 0 : (double) counter(result, "igm.checkpoint.e2e.millis") / checkpoints;
    return new Round(offline[0], offline[1], streamRate, streamCpuMs, first.getBatches(), last.getBatches(), checkpoints,
        captureMs, stateBytes, e2eMs, maxOnDisk[0], jobSeconds, jitSeconds);
  }

  private static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> f) {
    double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
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
