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
import dev.igm.local.EmbeddedScratch;
import dev.igm.local.RunScratch;
import dev.igm.local.ShutdownActions;
import java.io.InputStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code igm bench-train}: the steady training rate of one long-running streaming job against the
 * offline trainer loop of {@code igm fit} on the same samples, model configuration and OpenBLAS
 * thread count, in rounds that alternate the two (a paired comparison on a machine whose load
 * changes), plus the training thread's CPU time per batch and the checkpoint figures.
 */
@Command(
    name = "bench-train",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmarks the streaming training job against the offline trainer loop of",
      "igm fit, same data and config.",
      "",
      "Starts a local Kafka broker (unless --bootstrap is given), one embedded Flink",
      "MiniCluster and on it one 'igm train' job that runs for the whole bench, as a",
      "continuous job does: Kafka source, decode+validate, RocksDB keyed state with",
      "incremental checkpoints, prequential scoring of every TRAIN sample,",
      "exactly-once Kafka sinks, snapshots to the model store. Then, per round: the",
      "offline loop (IgmTrainer.offer over --epochs of the bundled segment data,",
      "1,500 TRAIN rows, standardised, seeded epoch order: the loop igm fit runs),",
      "then the same samples in the same order to the job's topic, written in one",
      "Kafka transaction: the job sees them when it commits and trains them at full",
      "speed. Same model configuration and OpenBLAS thread count for both.",
      "",
      "What is measured, for both alike: the steady training rate = samples trained",
      "from the end of the round's batch 10 to the end of its last batch, divided by",
      "the wall time between those two points (offline: System.nanoTime in the",
      "loop; streaming: the timestamps of the job's TrainingMetrics records, emitted",
      "after every 10th batch on the training thread). Not measured: broker and",
      "cluster start, job deployment, writing the round's samples. The first",
      "--warmup-rounds rounds warm the JIT up and are not counted; the result is the",
      "median over the measured rounds of the ratio streaming/offline (goal >=",
      "0.9). Also reported: CPU ms per batch of the training thread (offline: the",
      "loop's thread; streaming: the trainer task's thread, which also scores, reads",
      "and writes its records and takes the checkpoints) and the JIT compile time",
      "during the round, and the checkpoint figures of the whole job.",
    })
public final class BenchTrainCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Job configuration to take the model from (default: config/train-segment.yaml).")
  Path config;

  @Option(
      names = "--model",
      description = "Model id from the configuration (default: ${DEFAULT-VALUE}).")
  String model = "igm";

  @Option(
      names = "--epochs",
      description = "Epochs of the 1,500 TRAIN rows per round (default: ${DEFAULT-VALUE}).")
  int epochs = 40;

  @Option(
      names = "--rounds",
      description = "Measured rounds, each offline then streaming (default: ${DEFAULT-VALUE}).")
  int rounds = 5;

  @Option(
      names = "--warmup-rounds",
      description = "Rounds run first and not counted (JIT warm-up; default: ${DEFAULT-VALUE}).")
  int warmupRounds = 5;

  @Option(
      names = "--checkpoint-interval",
      paramLabel = "DURATION",
      description =
          "Flink checkpoint interval (default: the configuration's, flink.execution.checkpointing.interval).")
  String checkpointInterval;

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description = "Use this broker instead of starting one.")
  String bootstrap;

  @Option(
      names = "--broker-nice",
      paramLabel = "N",
      description =
          "Niceness of the broker started here (0-19;"
              + " default: ${DEFAULT-VALUE} = the job's priority). Niced, it runs on the CPU the job leaves idle, more like a"
              + " broker on machines of its own.")
  int brokerNice = 0;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Job configuration overrides (repeatable).")
  List<String> overrides = new ArrayList<>();

  /** One round's figures. */
  record Round(
      double offlineRate,
      double offlineCpuMs,
      double streamRate,
      double streamCpuMs,
      double jitSeconds,
      double streamSeconds) {
    double ratio() {
      return streamRate / offlineRate;
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public Integer call() throws Exception {
    if (rounds < 1 || warmupRounds < 0 || epochs < 1) {
      throw new IllegalArgumentException(
          "--rounds and --epochs must be >= 1, --warmup-rounds >= 0");
    }
    Path root = LocalKafkaBroker.locateProjectRoot();
    Path yaml = config != null ? config : root.resolve("config/train-segment.yaml");
    Map<String, Object> tree;
    try (InputStream in = Files.newInputStream(yaml)) {
      tree =
          new LinkedHashMap<>(
              (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(in));
    }
    Map<String, Object> chosen =
        ((List<Map<String, Object>>) tree.get("models"))
            .stream()
                .filter(m -> model.equals(String.valueOf(m.get("id"))))
                .findFirst()
                .orElseThrow(
                    () -> new IllegalArgumentException("no model '" + model + "' in " + yaml));
    tree.put("models", List.of(chosen));

    TrainingData data = TrainingData.segment(1500, 0, epochs, 42);
    RunScratch benchFolder = RunScratch.under(root.resolve("var").resolve("tmp"));
    Path scratch = benchFolder.dir();
    LocalKafkaBroker broker = null;
    MiniCluster cluster = null;
    EmbeddedScratch clusterScratch = EmbeddedScratch.none();
    ShutdownActions.Registration closeCluster = null;
    try {
      if (bootstrap == null) {
        broker = LocalKafkaBroker.builder().port(0).nice(brokerNice).build().start();
      }
      String servers = bootstrap != null ? bootstrap : broker.bootstrapServers();
      String run = "bench-" + UUID.randomUUID().toString().substring(0, 8);
      TrainJobConfig job = jobConfig(tree, servers, run, scratch);
      LocalKafkaBroker.createTopics(
          servers,
          1,
          job.samplesTopic(),
          job.metricsTopic(),
          job.dlqTopic(),
          job.predictionsTopic(),
          job.modelsTopic());
      IgmConfig modelConfig = job.models().get(model);
      int every = job.metricsEveryBatches();
      String interval = job.flinkConfiguration().get("execution.checkpointing.interval");
      List<LabeledSample> train = data.trainingSamples(modelConfig);
      List<byte[]> records = data.encodedRecords();
      if (train.size() % modelConfig.batchSize() != 0) {
        throw new IllegalArgumentException(
            "a round of "
                + train.size()
                + " samples is not a whole number of batches of "
                + modelConfig.batchSize());
      }
      long batchesPerRound = train.size() / modelConfig.batchSize();
      // one OpenBLAS thread (or blas.threads) for both sides, process-wide: the embedded job's
      // trainers share this JVM
      int blasThreads = job.blasThreads() > 0 ? job.blasThreads() : 1;
      Blas.setThreads(blasThreads);

      Configuration clusterConfig = TrainingJob.flinkConfiguration(job);
      clusterScratch = EmbeddedScratch.apply(clusterConfig, scratch);
      cluster =
          new MiniCluster(
              new MiniClusterConfiguration.Builder()
                  .setConfiguration(clusterConfig)
                  .setNumTaskManagers(1)
                  .setNumSlotsPerTaskManager(2)
                  .withRandomPorts()
                  .build());
      MiniCluster started = cluster;
      closeCluster =
          ShutdownActions.register(
              "close the bench's cluster",
              () -> {
                try {
                  started.close();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      cluster.start();
      StreamExecutionEnvironment env =
          TrainingJob.environment(job); // the job's settings travel in its JobGraph
      TrainingJob.build(env, job);
      JobID jobId = cluster.submitJob(env.getStreamGraph().getJobGraph()).get().getJobID();
      CheckpointSizes sizes = new CheckpointSizes(scratch.resolve("chk"));

      System.out.printf(
          "igm bench-train: model %s (%s, %s, batch %d, deterministic %s), %d TRAIN samples per round (%d"
              + " epochs x 1500 rows), OpenBLAS threads %d, checkpoints every %s, exactly-once sinks, snapshot every %d"
              + " batches; %s%n",
          model,
          modelConfig.methodName(),
          modelConfig.schedule().name().toLowerCase(),
          modelConfig.batchSize(),
          modelConfig.deterministic(),
          train.size(),
          epochs,
          blasThreads,
          interval,
          job.snapshotEveryBatches(),
          bootstrap != null ? "broker " + bootstrap : "local broker at niceness " + brokerNice);
      System.out.printf(
          "  one streaming job for all rounds; steady rate = samples trained from the end of the round's batch"
              + " %d to the end of its batch %d / wall time between the two; %d warm-up round(s) not counted%n",
          every, batchesPerRound, warmupRounds);
      System.out.printf(
          "  %-7s %12s %12s %7s   %s%n",
          "round",
          "offline/s",
          "streaming/s",
          "ratio",
          "CPU ms/batch of the training thread: offline | streaming;  JIT compiling during the streaming round");
      List<Round> measured = new ArrayList<>();
      CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
      try (KafkaProducer<byte[], byte[]> producer = transactionalProducer(servers, run);
          MetricsTail metrics = new MetricsTail(servers, job.metricsTopic())) {
        Thread trainer = trainerThread(Duration.ofSeconds(120));
        for (int r = 0; r < warmupRounds + rounds; r++) {
          boolean warmup = r < warmupRounds;
          double[] offline = offline(modelConfig, train, every);
          long b0 = r * batchesPerRound;
          long cpu0 = threadCpuNanos(trainer);
          long jit0 = jit.getTotalCompilationTime();
          long t0 = System.nanoTime();
          producer.beginTransaction();
          for (byte[] v : records) {
            producer.send(new ProducerRecord<>(job.samplesTopic(), v));
          }
          producer.commitTransaction(); // the job (read_committed) sees the round from here on
          TrainingMetrics first = metrics.awaitBatch(b0 + every, Duration.ofMinutes(10));
          TrainingMetrics last = metrics.awaitBatch(b0 + batchesPerRound, Duration.ofMinutes(10));
          double streamSeconds = (System.nanoTime() - t0) / 1e9;
          double jitSeconds = (jit.getTotalCompilationTime() - jit0) / 1e3;
          double steady = (last.getTime().toEpochMilli() - first.getTime().toEpochMilli()) / 1e3;
          double streamRate = (last.getSamplesTrained() - first.getSamplesTrained()) / steady;
          double streamCpuMs = (threadCpuNanos(trainer) - cpu0) / 1e6 / batchesPerRound;
          Round round =
              new Round(offline[0], offline[1], streamRate, streamCpuMs, jitSeconds, streamSeconds);
          System.out.printf(
              "  %-7s %12.0f %12.0f %7.2f   %.2f | %.2f;  %.1f s in %.1f s%n",
              warmup ? "warm-up" : Integer.toString(r - warmupRounds + 1),
              round.offlineRate,
              round.streamRate,
              round.ratio(),
              round.offlineCpuMs,
              round.streamCpuMs,
              round.jitSeconds,
              round.streamSeconds);
          if (!warmup) {
            measured.add(round);
          }
        }
      }
      cluster.cancelJob(jobId).get();
      Map<String, Long> acc = accumulators(cluster.requestJobResult(jobId).get());
      sizes.close();

      double ratio = median(measured, Round::ratio);
      System.out.printf(
          "  median  %12.0f %12.0f %7.2f   %.2f | %.2f   (ratio: median of the rounds' ratios; goal >= 0.90)%n",
          median(measured, Round::offlineRate),
          median(measured, Round::streamRate),
          ratio,
          median(measured, Round::offlineCpuMs),
          median(measured, Round::streamCpuMs));
      long checkpoints = acc.getOrDefault("igm.checkpoint.count", 0L);
      long captured = acc.getOrDefault("igm.checkpoint.captured", 0L);
      System.out.printf(
          "  checkpoints (whole job, %d rounds): %d every %s, %d of them with model state to capture (the"
              + " others fell between rounds): capture %.1f ms avg, %.0f KiB keyed state each; operator-seen"
              + " snapshot-to-complete %.0f ms avg; checkpoint directory up to %d KiB on disk (incremental RocksDB:"
              + " shared/ + chk-*)%n",
          warmupRounds + rounds,
          checkpoints,
          interval,
          captured,
          acc.getOrDefault("igm.checkpoint.capture.micros", 0L) / 1e3 / Math.max(1, captured),
          acc.getOrDefault("igm.checkpoint.state.bytes", 0L) / 1024.0 / Math.max(1, captured),
          acc.getOrDefault("igm.checkpoint.e2e.millis", 0L) / (double) Math.max(1, checkpoints),
          sizes.max() / 1024);
      return 0;
    } finally {
      if (closeCluster != null) {
        closeCluster.close();
      }
      if (cluster != null) {
        cluster.close();
      }
      clusterScratch.close();
      if (broker != null) {
        broker.close();
      }
      benchFolder.close();
    }
  }

  private TrainJobConfig jobConfig(
      Map<String, Object> tree, String servers, String run, Path scratch) {
    List<String> o =
        new ArrayList<>(
            List.of(
                "kafka.bootstrap=" + servers,
                "kafka.group.id=" + run,
                "topics.samples=" + run + "-samples",
                "topics.metrics=" + run + "-metrics",
                "topics.dlq=" + run + "-dlq",
                "topics.predictions=" + run + "-predictions",
                "topics.models=" + run + "-models",
                "kafka.transactional.id.prefix=" + run,
                "input.bounded=false",
                "input.starting.offsets=earliest",
                "metrics.every.batches=10",
                "model.store=" + scratch.resolve("models"),
                "flink.execution.checkpointing.dir=" + scratch.resolve("chk").toUri()));
    if (checkpointInterval != null) {
      o.add("flink.execution.checkpointing.interval=" + checkpointInterval);
    }
    o.addAll(overrides);
    return TrainJobConfig.fromTree(tree, o);
  }

  private static KafkaProducer<byte[], byte[]> transactionalProducer(String servers, String run) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, run + "-rounds");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
    producer.initTransactions();
    return producer;
  }

  /** The trainer task's thread of the running job (this JVM hosts the embedded cluster). */
  private static Thread trainerThread(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String prefix = TrainingJob.TRAINER_NAME + " (";
    while (System.nanoTime() < deadline) {
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.getName().startsWith(prefix)) {
          return t;
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the job's trainer task did not start within " + timeout);
  }

  private static long threadCpuNanos(Thread t) {
    return ManagementFactory.getThreadMXBean().getThreadCpuTime(t.getId());
  }

  /**
   * The offline loop: {rate, CPU ms per batch} from the end of batch {@code every} to the end of
   * the last full batch.
   */
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

  private static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> f) {
    double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** The trainer's accumulators (checkpoint figures) of a finished or cancelled job. */
  private static Map<String, Long> accumulators(JobResult result) throws Exception {
    Map<String, Long> out = new LinkedHashMap<>();
    ClassLoader cl = BenchTrainCommand.class.getClassLoader();
    for (var e : result.getAccumulatorResults().entrySet()) {
      Object v = e.getValue().deserializeValue(cl).getUnchecked();
      if (v instanceof Number number) {
        out.put(e.getKey(), number.longValue());
      }
    }
    return out;
  }

  /**
   * Reads the job's committed TrainingMetrics records as they come; remembers the first record per
   * batch count.
   */
  private static final class MetricsTail implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroBytes<TrainingMetrics> avro = AvroBytes.of(TrainingMetrics.class);
    private final Map<Long, TrainingMetrics> byBatch = new HashMap<>();

    MetricsTail(String servers, String topic) {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
      p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + UUID.randomUUID());
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      consumer = new KafkaConsumer<>(p);
      consumer.subscribe(List.of(topic));
    }

    /** The first metrics record written after batch {@code batches}, once it is committed. */
    TrainingMetrics awaitBatch(long batches, Duration timeout) throws java.io.IOException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!byBatch.containsKey(batches)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "no metrics record for batch " + batches + " within " + timeout);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          TrainingMetrics m = avro.decode(r.value());
          byBatch.putIfAbsent(m.getBatches(), m);
        }
      }
      return byBatch.get(batches);
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  /**
   * Samples the size of the job's checkpoint directory while it runs (a cancelled job's may be gone
   * after).
   */
  private static final class CheckpointSizes implements AutoCloseable {
    private final Thread sampler;
    private volatile long max;

    CheckpointSizes(Path dir) {
      sampler =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  try {
                    max = Math.max(max, sizeOf(dir));
                    Thread.sleep(250);
                  } catch (InterruptedException e) {
                    return;
                  } catch (Exception e) {
                    // files come and go while Flink writes and subsumes checkpoints
                  }
                }
              },
              "checkpoint-size-sampler");
      sampler.setDaemon(true);
      sampler.start();
    }

    long max() {
      return max;
    }

    @Override
    public void close() throws InterruptedException {
      sampler.interrupt();
      sampler.join();
    }
  }

  private static long sizeOf(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
