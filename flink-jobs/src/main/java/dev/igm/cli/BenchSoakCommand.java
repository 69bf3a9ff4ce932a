package dev.igm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.igm.avro.TrainingMetrics;
import dev.igm.cluster.FlinkRestClient;
import dev.igm.codec.AvroBytes;
import dev.igm.jobs.TrainJobConfig;
import dev.igm.jobs.TrainingData;
import dev.igm.jobs.TrainingJob;
import dev.igm.kafka.LocalKafkaBroker;
import dev.igm.local.LocalScripts;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code igm bench-soak}: the streaming training job under sustained load for a long time, to see
 * whether anything grows that should not (heap, native memory, threads, file descriptors, RocksDB
 * and checkpoint disk use, the model store) and whether throughput and checkpoints stay flat.
 */
@Command(
    name = "bench-soak",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measures the streaming training job under sustained load (a soak test).",
      "",
      "Runs the streaming training job for --minutes against a replay that keeps it",
      "busy, with a checkpoint every --checkpoint-interval, and reports every",
      "--sample-every: samples trained per second per model, checkpoints completed",
      "(duration, incremental and full size), live heap (after a full GC at each",
      "measurement: what a leak grows), heap committed, non-heap, direct buffers,",
      "resident memory and the native rest of it (libtorch, RocksDB), threads, open",
      "files, and the disk use of RocksDB, the checkpoint folder, the model store and",
      "the Kafka broker. At the end, after --warmup: the mean of the first third of",
      "the measurements against the last third, and the trend per hour of each.",
      "",
      "The job: config/train-segment.yaml (both models), unbounded, on an embedded",
      "cluster in this JVM, RocksDB incremental checkpoints, exactly-once sinks, model",
      "store retention as configured. The replay: the bundled segment TRAIN rows in",
      "seeded epochs, written by a producer that stays --backlog records ahead of the",
      "slower model (the job never waits for input; the topic does not grow without",
      "bound). Topics keep 2 minutes of records. Writes soak.csv and summary.txt to",
      "--out. Not a test: run it on a quiet machine.",
      "",
      "Examples:",
      "  igm bench-soak --minutes 30",
      "  igm bench-soak --minutes 5 --sample-every 20s --set model.store.keep=5",
    })
public final class BenchSoakCommand implements Callable<Integer> {
  @Option(
      names = "--minutes",
      defaultValue = "30",
      description = "How long the job runs. Default: ${DEFAULT-VALUE}.")
  double minutes;

  @Option(
      names = "--sample-every",
      defaultValue = "30s",
      paramLabel = "DURATION",
      description = "Interval between measurements. Default: ${DEFAULT-VALUE}.")
  String sampleEvery;

  @Option(
      names = "--warmup",
      defaultValue = "2m",
      paramLabel = "DURATION",
      description =
          "Measurements before this are shown but left out of the summary (JIT, caches, heap sizing;"
              + " at most a third of the run). Default: ${DEFAULT-VALUE}.")
  String warmup;

  @Option(
      names = "--checkpoint-interval",
      defaultValue = "10s",
      paramLabel = "DURATION",
      description = "The job's checkpoint interval. Default: ${DEFAULT-VALUE}.")
  String checkpointInterval;

  @Option(
      names = "--backlog",
      defaultValue = "50000",
      description =
          "Records the replay keeps written ahead of the slower model. Default: ${DEFAULT-VALUE}.")
  long backlog;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Job configuration (default: config/train-segment.yaml).")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Job configuration overrides (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description = "Use this broker instead of starting one.")
  String bootstrap;

  @Option(
      names = "--out",
      defaultValue = "target/bench-soak",
      description = "Report folder. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(
      names = "--keep-work",
      description = "Keep the job's scratch folder (checkpoints, RocksDB, model store).")
  boolean keepWork;

  /** One measurement. */
  record Point(
      double seconds,
      Map<String, Double> rate,
      Map<String, Long> trained,
      long backlog,
      int checkpoints,
      int failedCheckpoints,
      double checkpointMsAvg,
      double checkpointMsMax,
      long checkpointedBytesMax,
      long stateBytes,
      Memory memory,
      int threads,
      int fds,
      long rocksdbBytes,
      long checkpointDirBytes,
      long storeBytes,
      long kafkaBytes) {}

  /**
   * This process's memory: live heap (after a full GC), heap committed, non-heap committed
   * (metaspace, code cache), direct buffers, resident set, and what the resident set holds beyond
   * those (native: libtorch, RocksDB, glibc).
   */
  record Memory(long liveHeap, long heapCommitted, long nonHeapCommitted, long direct, long rss) {
    long nativeRest() {
      return rss - heapCommitted - nonHeapCommitted - direct;
    }

    static Memory now() throws InterruptedException {
      System.gc();
      Thread.sleep(200);
      var mx = ManagementFactory.getMemoryMXBean();
      long direct = 0;
      for (var pool :
          ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
        direct += Math.max(0, pool.getMemoryUsed());
      }
      return new Memory(
          mx.getHeapMemoryUsage().getUsed(),
          mx.getHeapMemoryUsage().getCommitted(),
          mx.getNonHeapMemoryUsage().getCommitted(),
          direct,
          residentBytes());
    }
  }

  @Override
  public Integer call() throws Exception {
    Duration every = ServeCommand.parseDuration(sampleEvery);
    if (minutes <= 0 || every.isZero() || backlog < 1000) {
      throw new IllegalArgumentException(
          "--minutes and --sample-every must be positive, --backlog >= 1000");
    }
    Path root = LocalKafkaBroker.locateProjectRoot();
    String run = "soak-" + UUID.randomUUID().toString().substring(0, 8);
    Path work = root.resolve("var").resolve(run);
    Path report = (out.isAbsolute() ? out : root.resolve(out)).normalize();
    Files.createDirectories(report);
    LocalKafkaBroker broker = null;
    JobClient job = null;
    AtomicBoolean stop = new AtomicBoolean();
    try {
      if (bootstrap == null) {
        broker = LocalKafkaBroker.builder().port(0).build().start();
      }
      String servers = bootstrap != null ? bootstrap : broker.bootstrapServers();
      int restPort = LocalScripts.freePort("127.0.0.1");
      TrainJobConfig cfg = jobConfig(root, servers, run, work, restPort);
      createTopics(servers, cfg);
      List<String> models = new ArrayList<>(cfg.models().keySet());

      MetricsTail metrics = new MetricsTail(servers, cfg.metricsTopic(), stop);
      metrics.start();
      List<byte[]> records = TrainingData.segment(1500, 0, 4, 42).encodedRecords();
      AtomicLong produced = new AtomicLong();
      Thread producer =
          producer(
              servers,
              cfg.samplesTopic(),
              records,
              produced,
              () -> metrics.minTrained(models),
              stop);
      producer.start();

      job = TrainingJob.start(cfg);
      String jobId = job.getJobID().toHexString();
      FlinkRestClient rest =
          new FlinkRestClient("http://127.0.0.1:" + restPort, Duration.ofSeconds(30));
      PrintStream o = System.out;
      o.printf(
          Locale.ROOT,
          "igm bench-soak: %s for %.1f min, models %s, checkpoints every %s, model.store.keep %d,"
              + " backlog %d records, measured every %s; web UI http://127.0.0.1:%d/%n",
          cfg.jobName(),
          minutes,
          models,
          cfg.flinkConfiguration().get("execution.checkpointing.interval"),
          cfg.modelStoreKeep(),
          backlog,
          sampleEvery,
          restPort);
      o.println(header(models));

      List<Point> points = new ArrayList<>();
      long start = System.nanoTime();
      long end = start + (long) (minutes * 60e9);
      long lastCheckpointId = 0;
      Map<String, Long> lastTrained = new LinkedHashMap<>();
      List<String> failures = new ArrayList<>();
      double lastSeconds = 0;
      try (PrintStream csv =
          new PrintStream(
              Files.newOutputStream(report.resolve("soak.csv")), true, StandardCharsets.UTF_8)) {
        csv.println(csvHeader(models));
        while (System.nanoTime() < end) {
          long next = start + (points.size() + 1) * every.toNanos();
          Thread.sleep(
              Math.max(0, TimeUnit.NANOSECONDS.toMillis(Math.min(next, end) - System.nanoTime())));
          if (metrics.failure != null) {
            throw new IllegalStateException("reading the metrics topic failed", metrics.failure);
          }
          if (job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
            throw new IllegalStateException("the job ended: " + job.getJobStatus().get());
          }
          double seconds = (System.nanoTime() - start) / 1e9;
          Map<String, Long> trained = new LinkedHashMap<>();
          Map<String, Double> rate = new LinkedHashMap<>();
          for (String m : models) {
            long n = metrics.trained(m);
            trained.put(m, n);
            rate.put(m, (n - lastTrained.getOrDefault(m, 0L)) / (seconds - lastSeconds));
          }
          Checkpoints c = checkpoints(rest, jobId, lastCheckpointId);
          lastCheckpointId = Math.max(lastCheckpointId, c.lastId);
          failures.addAll(c.failures);
          Point p =
              new Point(
                  seconds,
                  rate,
                  trained,
                  produced.get() - metrics.minTrained(models),
                  c.completed,
                  c.failed,
                  c.avgMs,
                  c.maxMs,
                  c.maxCheckpointed,
                  c.stateBytes,
                  Memory.now(),
                  threads(),
                  fds(),
                  sizeOf(work.resolve("rocksdb")),
                  sizeOf(work.resolve("chk")),
                  sizeOf(work.resolve("models")),
                  broker == null ? -1 : sizeOf(broker.dataDir()));
          points.add(p);
          lastTrained = trained;
          lastSeconds = seconds;
          o.println(line(p, models));
          csv.println(csvLine(p, models));
        }
      }
      double warm = Math.min(ServeCommand.parseDuration(warmup).toSeconds(), minutes * 60 / 3);
      String summary = summary(points, models, warm, checkpoints(rest, jobId, 0), failures);
      o.print(summary);
      Files.writeString(report.resolve("summary.txt"), summary);
      o.println(
          "igm bench-soak: " + report.resolve("soak.csv") + ", " + report.resolve("summary.txt"));
      return 0;
    } finally {
      stop.set(true);
      if (job != null) {
        job.cancel().handle((r, e) -> null).get(60, TimeUnit.SECONDS);
        job.getJobExecutionResult().handle((r, e) -> null).get(60, TimeUnit.SECONDS);
      }
      if (broker != null) {
        broker.close();
      }
      if (!keepWork) {
        LocalScripts.deleteRecursively(work);
      }
    }
  }

  private TrainJobConfig jobConfig(Path root, String servers, String run, Path work, int restPort)
      throws IOException {
    List<String> o =
        new ArrayList<>(
            List.of(
                "job.name=igm-soak",
                "kafka.bootstrap=" + servers,
                "kafka.group.id=" + run,
                "kafka.transactional.id.prefix=" + run,
                "topics.samples=" + run + "-samples",
                "topics.metrics=" + run + "-metrics",
                "topics.dlq=" + run + "-dlq",
                "topics.predictions=" + run + "-predictions",
                "topics.models=" + run + "-models",
                "input.bounded=false",
                "input.starting.offsets=earliest",
                "metrics.every.batches=10",
                "model.store=" + work.resolve("models"),
                "flink.execution.checkpointing.dir=" + work.resolve("chk").toUri(),
                "flink.execution.checkpointing.interval=" + checkpointInterval,
                "flink.io.tmp.dirs=" + work.resolve("tmp"),
                "flink.state.backend.rocksdb.localdir=" + work.resolve("rocksdb"),
                "flink.rest.bind-port=" + restPort,
                "flink.rest.port=" + restPort));
    o.addAll(overrides);
    return TrainJobConfig.load(
        config != null ? config : root.resolve("config/train-segment.yaml"), o);
  }

  /**
   * The job's topics, keeping 2 minutes of records in small segments: hours of a fast job stay a
   * few GB at most.
   */
  private static void createTopics(String servers, TrainJobConfig cfg) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    Map<String, String> retention =
        Map.of(
            "retention.ms",
            "120000",
            "segment.bytes",
            Integer.toString(16 << 20),
            "segment.ms",
            "60000",
            "max.message.bytes",
            Integer.toString(16 << 20));
    try (Admin admin = Admin.create(p)) {
      List<NewTopic> topics = new ArrayList<>();
      for (String t :
          List.of(
              cfg.samplesTopic(),
              cfg.metricsTopic(),
              cfg.dlqTopic(),
              cfg.predictionsTopic(),
              cfg.modelsTopic())) {
        topics.add(new NewTopic(t, 1, (short) 1).configs(retention));
      }
      admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
    }
  }

  /**
   * Writes the records round and round, staying at most {@link #backlog} records ahead of the
   * slower model.
   */
  private Thread producer(
      String servers,
      String topic,
      List<byte[]> records,
      AtomicLong produced,
      java.util.function.LongSupplier trained,
      AtomicBoolean stop) {
    Thread t =
        new Thread(
            () -> {
              Properties p = new Properties();
              p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
              p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
              p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
              p.put(
                  ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
              p.put(
                  ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                  ByteArraySerializer.class.getName());
              try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
                int i = 0;
                while (!stop.get()) {
                  if (produced.get() - trained.getAsLong() >= backlog) {
                    Thread.sleep(20);
                    continue;
                  }
                  for (int k = 0; k < 500; k++) {
                    producer.send(new ProducerRecord<>(topic, records.get(i)));
                    i = (i + 1) % records.size();
                  }
                  produced.addAndGet(500);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "soak-replay");
    t.setDaemon(true);
    return t;
  }

  /**
   * Follows the metrics topic (uncommitted too: what the job has done, not what a checkpoint has
   * committed yet).
   */
  private static final class MetricsTail extends Thread {
    private final String servers;
    private final String topic;
    private final AtomicBoolean stop;
    private final Map<String, Long> trained = new ConcurrentHashMap<>();
    volatile RuntimeException failure;

    MetricsTail(String servers, String topic, AtomicBoolean stop) {
      super("soak-metrics");
      setDaemon(true);
      this.servers = servers;
      this.topic = topic;
      this.stop = stop;
    }

    @Override
    public void run() {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
      AvroBytes<TrainingMetrics> avro = AvroBytes.of(TrainingMetrics.class);
      try (KafkaConsumer<byte[], byte[]> c =
          new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        TopicPartition tp = new TopicPartition(topic, 0);
        c.assign(List.of(tp));
        c.seekToBeginning(List.of(tp));
        while (!stop.get()) {
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
            TrainingMetrics m = avro.decode(r.value());
            trained.merge(m.getModelId(), m.getSamplesTrained(), Math::max);
          }
        }
      } catch (IOException | RuntimeException e) {
        failure = e instanceof RuntimeException re ? re : new IllegalStateException(e);
      }
    }

    long trained(String model) {
      return trained.getOrDefault(model, 0L);
    }

    long minTrained(List<String> models) {
      return models.stream().mapToLong(this::trained).min().orElse(0);
    }
  }

  /**
   * Checkpoints completed after {@code afterId}, from the job's REST API (its history of the latest
   * ones).
   */
  record Checkpoints(
      int completed,
      int failed,
      double avgMs,
      double maxMs,
      long maxCheckpointed,
      long stateBytes,
      long lastId,
      long totalCompleted,
      long totalFailed,
      List<String> failures) {}

  private static Checkpoints checkpoints(FlinkRestClient rest, String jobId, long afterId)
      throws IOException {
    JsonNode c = rest.checkpoints(jobId);
    int completed = 0;
    int failed = 0;
    double sum = 0;
    double max = 0;
    long maxCheckpointed = 0;
    long lastId = afterId;
    List<String> failures = new ArrayList<>();
    for (JsonNode h : c.path("history")) {
      long id = h.path("id").asLong();
      if (id <= afterId || h.path("is_savepoint").asBoolean()) {
        continue;
      }
      String status = h.path("status").asText();
      if (status.equals("COMPLETED")) {
        completed++;
        double ms = h.path("end_to_end_duration").asDouble();
        sum += ms;
        max = Math.max(max, ms);
        maxCheckpointed = Math.max(maxCheckpointed, h.path("checkpointed_size").asLong());
        lastId = Math.max(lastId, id);
      } else if (status.equals("FAILED")) {
        failed++;
        lastId = Math.max(lastId, id);
        failures.add("checkpoint " + id + ": " + h.path("failure_message").asText("(no message)"));
      }
    }
    JsonNode latest = c.path("latest").path("completed");
    return new Checkpoints(
        completed,
        failed,
        completed == 0 ? 0 : sum / completed,
        max,
        maxCheckpointed,
        latest.path("state_size").asLong(),
        lastId,
        c.path("counts").path("completed").asLong(),
        c.path("counts").path("failed").asLong(),
        failures);
  }

  /** Resident memory of this process (heap, libtorch, RocksDB, direct buffers), from /proc. */
  private static long residentBytes() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux
    }
    return -1;
  }

  private static int threads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  private static int fds() {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return (int) s.count();
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * Disk space the folder takes ({@code du}: allocated blocks; Kafka preallocates its index files
   * sparse, so their length says 10 MB where a few KB are used), or the sum of the file lengths
   * where {@code du} is missing.
   */
  private static long sizeOf(Path dir) {
    if (!Files.exists(dir)) {
      return 0;
    }
    try {
      Process du =
          new ProcessBuilder("du", "-sk", dir.toString()).redirectErrorStream(false).start();
      String text = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      du.getErrorStream().transferTo(java.io.OutputStream.nullOutputStream());
      if (du.waitFor() == 0
          || !text.isEmpty()) { // files deleted while du walks make it exit 1, the sum still stands
        return Long.parseLong(text.split("\\s+")[0]) * 1024;
      }
    } catch (IOException | NumberFormatException e) {
      // no du here: file lengths below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long[] total = {0};
    try (Stream<Path> s = Files.walk(dir)) {
      s.forEach(
          f -> {
            try {
              if (Files.isRegularFile(f)) {
                total[0] += Files.size(f);
              }
            } catch (IOException e) {
              // deleted meanwhile (subsumed checkpoints, compacted SST files)
            }
          });
    } catch (IOException | java.io.UncheckedIOException e) {
      // a folder deleted while walking: count what was seen
    }
    return total[0];
  }

  private static String header(List<String> models) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  %6s", "min"));
    models.forEach(m -> b.append(String.format(Locale.ROOT, " %9s", m + "/s")));
    b.append(
        String.format(
            Locale.ROOT,
            " %7s %5s %13s %9s %9s %6s %6s %6s %6s %6s %6s %7s %4s %8s %8s %7s %7s",
            "backlog",
            "ckpts",
            "ckpt ms avg/max",
            "incr KiB",
            "state KiB",
            "live M",
            "heap M",
            "nonhp",
            "direct",
            "RSS M",
            "native",
            "threads",
            "fds",
            "rocksdb",
            "chk dir",
            "store",
            "kafka"));
    return b.toString();
  }

  private static String line(Point p, List<String> models) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  %6.1f", p.seconds / 60));
    models.forEach(m -> b.append(String.format(Locale.ROOT, " %9.0f", p.rate.get(m))));
    Memory m = p.memory;
    b.append(
        String.format(
            Locale.ROOT,
            " %7d %5s %13s %9d %9d %6d %6d %6d %6d %6d %6d %7d %4d %8.1f %8.1f %7.1f %7.1f",
            p.backlog,
            p.checkpoints + (p.failedCheckpoints > 0 ? "/" + p.failedCheckpoints + "f" : ""),
            String.format(Locale.ROOT, "%.0f/%.0f", p.checkpointMsAvg, p.checkpointMsMax),
            p.checkpointedBytesMax / 1024,
            p.stateBytes / 1024,
            m.liveHeap >> 20,
            m.heapCommitted >> 20,
            m.nonHeapCommitted >> 20,
            m.direct >> 20,
            m.rss >> 20,
            m.nativeRest() >> 20,
            p.threads,
            p.fds,
            mib(p.rocksdbBytes),
            mib(p.checkpointDirBytes),
            mib(p.storeBytes),
            mib(p.kafkaBytes)));
    return b.toString();
  }

  private static String csvHeader(List<String> models) {
    StringBuilder b = new StringBuilder("seconds");
    models.forEach(m -> b.append(",rate_").append(m).append(",trained_").append(m));
    return b.append(
            ",backlog,checkpoints,failed_checkpoints,checkpoint_ms_avg,checkpoint_ms_max,checkpointed_bytes_max,"
                + "state_bytes,live_heap_bytes,heap_committed_bytes,non_heap_committed_bytes,direct_bytes,rss_bytes,native_bytes,"
                + "threads,fds,rocksdb_bytes,checkpoint_dir_bytes,store_bytes,kafka_bytes")
        .toString();
  }

  private static String csvLine(Point p, List<String> models) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%.1f", p.seconds));
    models.forEach(
        m -> b.append(String.format(Locale.ROOT, ",%.1f,%d", p.rate.get(m), p.trained.get(m))));
    Memory m = p.memory;
    return b.append(
            String.format(
                Locale.ROOT,
                ",%d,%d,%d,%.1f,%.1f,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d",
                p.backlog,
                p.checkpoints,
                p.failedCheckpoints,
                p.checkpointMsAvg,
                p.checkpointMsMax,
                p.checkpointedBytesMax,
                p.stateBytes,
                m.liveHeap,
                m.heapCommitted,
                m.nonHeapCommitted,
                m.direct,
                m.rss,
                m.nativeRest(),
                p.threads,
                p.fds,
                p.rocksdbBytes,
                p.checkpointDirBytes,
                p.storeBytes,
                p.kafkaBytes))
        .toString();
  }

  private static double mib(long bytes) {
    return bytes < 0 ? -1 : bytes / 1048576.0;
  }

  /**
   * After the warm-up: the first third of the measurements against the last third, and the trend
   * per hour.
   */
  private static String summary(
      List<Point> points,
      List<String> models,
      double warmupSeconds,
      Checkpoints all,
      List<String> failures) {
    List<Point> steady = points.stream().filter(p -> p.seconds >= warmupSeconds).toList();
    if (steady.size() < 3) {
      return "  (fewer than 3 measurements after the warm-up: run longer or measure more often for a summary)\n";
    }
    StringBuilder b = new StringBuilder();
    Point first = steady.get(0);
    Point last = steady.get(steady.size() - 1);
    b.append(
        String.format(
            Locale.ROOT,
            "summary from %.1f to %.1f min (%d measurements after a %.1f min warm-up): mean of the"
                + " first third -> mean of the last third; least-squares trend per hour%n",
            first.seconds / 60,
            last.seconds / 60,
            steady.size(),
            warmupSeconds / 60));
    for (String m : models) {
      b.append(trend("  samples/s " + m, steady, p -> p.rate.get(m), ""));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "  checkpoints: %d completed, %d failed in the whole run; per interval avg"
                + " duration %s%n",
            all.totalCompleted,
            all.totalFailed,
            range(steady, p -> p.checkpointMsAvg, "ms")));
    failures.forEach(f -> b.append("    failed ").append(f).append('\n'));
    b.append(
        trend("  checkpoint duration (avg per interval)", steady, p -> p.checkpointMsAvg, "ms"));
    b.append(
        trend(
            "  checkpoint incremental size (max per interval)",
            steady,
            p -> p.checkpointedBytesMax / 1024.0,
            "KiB"));
    b.append(trend("  checkpointed state size (full)", steady, p -> p.stateBytes / 1024.0, "KiB"));
    b.append(trend("  live heap (after full GC)", steady, p -> mib(p.memory.liveHeap), "MiB"));
    b.append(trend("  heap committed", steady, p -> mib(p.memory.heapCommitted), "MiB"));
    b.append(trend("  non-heap committed", steady, p -> mib(p.memory.nonHeapCommitted), "MiB"));
    b.append(trend("  direct buffers", steady, p -> mib(p.memory.direct), "MiB"));
    b.append(trend("  resident memory", steady, p -> mib(p.memory.rss), "MiB"));
    b.append(
        trend(
            "  native (resident - heap - non-heap - direct)",
            steady,
            p -> mib(p.memory.nativeRest()),
            "MiB"));
    b.append(trend("  threads", steady, p -> p.threads, ""));
    b.append(trend("  open files", steady, p -> p.fds, ""));
    b.append(trend("  RocksDB local dir", steady, p -> mib(p.rocksdbBytes), "MiB"));
    b.append(trend("  checkpoint dir", steady, p -> mib(p.checkpointDirBytes), "MiB"));
    b.append(trend("  model store", steady, p -> mib(p.storeBytes), "MiB"));
    if (last.kafkaBytes >= 0) {
      b.append(
          trend("  Kafka broker data (topics keep 2 min)", steady, p -> mib(p.kafkaBytes), "MiB"));
    }
    return b.toString();
  }

  private static String trend(
      String what, List<Point> points, ToDoubleFunction<Point> f, String unit) {
    double[] x = points.stream().mapToDouble(p -> p.seconds / 3600).toArray();
    double[] y = points.stream().mapToDouble(f).toArray();
    double mx = java.util.Arrays.stream(x).average().orElse(0);
    double my = java.util.Arrays.stream(y).average().orElse(0);
    double sxy = 0;
    double sxx = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
    }
    double slope = sxx == 0 ? 0 : sxy / sxx;
    int third = Math.max(1, y.length / 3);
    double head = java.util.Arrays.stream(y, 0, third).average().orElse(0);
    double tail = java.util.Arrays.stream(y, y.length - third, y.length).average().orElse(0);
    String u = unit.isEmpty() ? "" : " " + unit;
    return String.format(
        Locale.ROOT,
        "%s: %.1f -> %.1f%s (min %.1f, max %.1f); trend %+.1f%s/h%n",
        what,
        head,
        tail,
        u,
        java.util.Arrays.stream(y).min().orElse(0),
        java.util.Arrays.stream(y).max().orElse(0),
        slope,
        u);
  }

  private static String range(List<Point> points, ToDoubleFunction<Point> f, String unit) {
    double[] v = points.stream().mapToDouble(f).sorted().toArray();
    return String.format(
        Locale.ROOT, "%.0f-%.0f %s (median %.0f)", v[0], v[v.length - 1], unit, v[v.length / 2]);
  }
}
