package dev.igm.cli;

import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.codec.AvroBytes;
import dev.igm.codec.TensorCodec;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.fit.Evaluation;
import dev.igm.core.fit.OfflineFit;
import dev.igm.core.serve.BatchingPolicy;
import dev.igm.core.serve.ModelConfigJson;
import dev.igm.core.serve.ModelStoreRoot;
import dev.igm.core.serve.QualityGate;
import dev.igm.core.serve.ServingModel;
import dev.igm.core.serve.ServingPolicy;
import dev.igm.core.serve.SnapshotLoader;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.LabeledSample;
import dev.igm.core.train.TrainerSnapshot;
import dev.igm.data.BundledDatasets;
import dev.igm.data.MultiViewDataset;
import dev.igm.data.MultiViewRow;
import dev.igm.jobs.ServingJob;
import dev.igm.jobs.ServingJobOptions;
import dev.igm.jobs.SnapshotPublication;
import dev.igm.kafka.LocalKafkaBroker;
import dev.igm.local.EmbeddedFlink;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code igm bench-serve}: throughput and end-to-end latency of the serving job on a real Kafka
 * broker, for each requested parallelism, beside the model's own batched forward pass (the
 * ceiling). Not a test: it prints measurements.
 */
@Command(
    name = "bench-serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measures the serving job (igm serve) on a real Kafka broker. A model (igm on the bundled Image Segmentation "
          + "views shape and colour, default head widths) is trained for one epoch, published, and served by an "
          + "embedded Flink job at each requested parallelism, with fresh topics each time (samples and predictions "
          + "with as many partitions as the parallelism).",
      "",
      "A local broker is warmed up first (200,000 samples produced and read back: its JIT), and each job before it "
          + "is measured (20,000 samples, then rounds of --records samples until one finds the bench JVM's JIT compilers nearly idle, "
          + "at most 5).",
      "ceiling: the same model's batched forward pass (inputs already decoded, --batch-size samples per pass) in a "
          + "tight loop on the bench's own thread, before any job runs: what the hardware gives one scoring thread, "
          + "per second of wall time and per second of that thread's CPU time (the latter holds still when other work "
          + "takes the CPUs away).",
      "throughput: --records samples sent as fast as possible (after the warm-up); records/s = records / "
          + "(first send -> last prediction read back from the predictions topic); 'of ceiling' = records/s / the "
          + "ceiling's wall-time rate. "
          + "operator r/s = records / CPU seconds of the scoring threads in that phase (decode, score, build the "
          + "predictions, hand them to the Kafka sinks): what the operator gives per core, without the broker, "
          + "the sources and the bench's own producer and consumer that share the machine with it; its 'of ceiling' "
          + "divides by the ceiling's CPU-time rate.",
      "copy r/s: the bound of the Kafka path at that parallelism, measured just before the serving job as the "
          + "serving job is: a Flink job with the same Kafka source and sink settings that copies each sample record's "
          + "bytes to its output topic (no models input, no decoding, no scoring). No serving job on this machine "
          + "can go faster than it; 'of copy' = records/s / copy r/s. --no-passthrough skips it.",
      "latency: at each --rate (records/s; 'half' = half the throughput just measured), --latency-seconds of "
          + "samples; per sample, the time from its send to its prediction being read from the predictions topic: "
          + "p50, p99, max.",
      "batches: the sizes of the batches the scoring operator scored in each phase (mean = samples / batches; p50 and "
          + "max over the operator's window of its last 1,000 batches).",
      "CPU: for each throughput phase, the CPU seconds of the bench process's threads (grouped by name, digits "
          + "blanked: Flink's tasks, the Kafka clients' threads, the bench's own producer and reader) and of the local "
          + "broker's process: where the machine's time went.",
      "The load average (/proc/loadavg) is printed at the start and the end: the machine's other work shows in "
          + "every figure.",
      ""
    })
public final class BenchServeCommand implements Callable<Integer> {
  @Option(
      names = "--parallelism",
      split = ",",
      defaultValue = "1,2",
      description = "Parallelisms to measure. Default: ${DEFAULT-VALUE}.")
  List<Integer> parallelisms;

  @Option(
      names = "--records",
      defaultValue = "300000",
      description =
          "Samples in the throughput phase (long enough for the phase to last seconds, not its first "
              + "and last fetch). Default: ${DEFAULT-VALUE}.")
  int records;

  @Option(
      names = "--rate",
      split = ",",
      defaultValue = "100,half",
      paramLabel = "N|half",
      description =
          "Send rates of the latency phases, records/s, or half (of the measured throughput). Default: ${DEFAULT-VALUE}.")
  List<String> rates;

  @Option(
      names = "--latency-seconds",
      defaultValue = "10",
      description = "Length of each latency phase, seconds. Default: ${DEFAULT-VALUE}.")
  int latencySeconds;

  @Option(
      names = "--batch-size",
      defaultValue = "256",
      description =
          "The job's largest batch (igm serve --batch-size), and the ceiling's batch. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(
      names = "--batch-delay",
      defaultValue = "10ms",
      description = "The job's batch delay (igm serve --batch-delay). Default: ${DEFAULT-VALUE}.")
  String batchDelay;

  @Option(
      names = "--buffer-timeout",
      defaultValue = "5ms",
      description =
          "Flink network buffer timeout of the job (igm serve's default). Default: ${DEFAULT-VALUE}.")
  String bufferTimeout;

  @Option(
      names = "--ceiling-seconds",
      defaultValue = "3",
      description =
          "How long the ceiling's loop runs (after as long again to warm up). Default: ${DEFAULT-VALUE}.")
  int ceilingSeconds;

  @Option(
      names = "--passthrough",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Before each parallelism's serving job, measure the copy job (the bound of the Kafka path). "
              + "Default: ${DEFAULT-VALUE}.")
  boolean passthrough;

  @Option(
      names = "--bootstrap",
      description = "Use this Kafka broker instead of starting a local one.")
  String bootstrap;

  @Option(
      names = "--work-dir",
      defaultValue = "var/tmp/bench-serve",
      description =
          "Scratch folder (model store, Flink tmp); deleted at the end. Default: ${DEFAULT-VALUE}.")
  Path workDir;

  private static final String MODEL = "bench";
  private static final int MAX_WARM_UP_ROUNDS = 5;

  /** The local broker's pid (its CPU time is reported), or -1 for a --bootstrap broker. */
  private long brokerPid = -1;

  /** Where the CPU went in each throughput phase, in order. */
  private final Map<String, List<String>> cpuUse = new LinkedHashMap<>();

  private final AvroBytes<MultimodalSample> sampleAvro = AvroBytes.of(MultimodalSample.class);
  private final TensorCodec codec = TensorCodec.create();

  /** What one parallelism measured. */
  /**
   * @param operatorRate records per CPU second of the scoring threads (their work alone, as if on a
   *     core of their own)
   * @param passthrough records/s of the copy job at the same parallelism (NaN when not measured)
   */
  private record Throughput(
      int parallelism,
      int records,
      double perSecond,
      double operatorRate,
      double passthrough,
      Batches batches) {}

  /**
   * The forward pass's rate per second of wall time and per second of the looping thread's CPU
   * time.
   */
  private record Ceiling(double wall, double cpu) {}

  private record Latency(
      int parallelism,
      int rate,
      int records,
      double p50,
      double p99,
      double max,
      Batches batches) {}

  /** Batch sizes the operator saw in one phase. */
  private record Batches(long batches, long samples, long p50, long max) {
    double mean() {
      return batches == 0 ? 0 : (double) samples / batches;
    }
  }

  @Override
  public Integer call() throws Exception {
    BatchingPolicy batching = new BatchingPolicy(batchSize, ServeCommand.parseDuration(batchDelay));
    for (String r : rates) {
      if (!r.equals("half") && !r.matches("\\d+")) {
        throw new IllegalArgumentException("--rate takes records/s or 'half', got '" + r + "'");
      }
    }
    String loadAtStart = loadAverage();
    Files.createDirectories(workDir);
    LocalKafkaBroker local = null;
    try {
      if (bootstrap == null) {
        local = LocalKafkaBroker.builder().port(0).build().start();
        bootstrap = local.bootstrapServers();
        brokerPid = local.pid();
      }
      MultiViewDataset ds = OfflineFit.prepare(BundledDatasets.segment(), true);
      ModelSnapshot published = trainAndWrite(ds);
      List<MultiViewRow> rows = ds.rows(Split.TEST);
      Ceiling ceiling = ceiling(published, rows);
      if (local != null) {
        warmBroker(rows);
      }
      List<Throughput> throughputs = new ArrayList<>();
      List<Latency> latencies = new ArrayList<>();
      for (int p : parallelisms) {
        measure(p, published, rows, batching, throughputs, latencies);
      }
      String loadAtEnd = loadAverage();
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "igm bench-serve: broker %s, %d cores, batches of up to %d samples / %s, buffer "
              + "timeout %s%n",
          bootstrap,
          Runtime.getRuntime().availableProcessors(),
          batching.maxRecords(),
          batchDelay,
          bufferTimeout);
      System.out.printf(
          Locale.ROOT,
          "load average (1, 5, 15 min): %s at the start, %s at the end%n",
          loadAtStart,
          loadAtEnd);
      System.out.printf(
          Locale.ROOT,
          "ceiling: the model's batched forward pass, %d samples per pass, one thread: %,.0f "
              + "records/s (%,.0f per CPU second)%n",
          batching.maxRecords(),
          ceiling.wall(),
          ceiling.cpu());
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "%-11s %10s %12s %11s %12s %8s %14s %11s %11s %10s %10s%n",
          "parallelism",
          "records",
          "records/s",
          "of ceiling",
          "copy r/s",
          "of copy",
          "operator r/s",
          "of ceiling",
          "batch mean",
          "batch p50",
          "batch max");
      for (Throughput t : throughputs) {
        System.out.printf(
            Locale.ROOT,
            "%-11d %10d %12.0f %11.2f %12s %8s %14.0f %11.2f %11.1f %10d %10d%n",
            t.parallelism(),
            t.records(),
            t.perSecond(),
            t.perSecond() / ceiling.wall(),
            Double.isNaN(t.passthrough())
                ? "-"
                : String.format(Locale.ROOT, "%.0f", t.passthrough()),
            Double.isNaN(t.passthrough())
                ? "-"
                : String.format(Locale.ROOT, "%.2f", t.perSecond() / t.passthrough()),
            t.operatorRate(),
            t.operatorRate() / ceiling.cpu(),
            t.batches().mean(),
            t.batches().p50(),
            t.batches().max());
      }
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "%-11s %10s %10s %10s %10s %12s %11s %10s%n",
          "parallelism",
          "rate/s",
          "p50 ms",
          "p99 ms",
          "max ms",
          "lat. records",
          "batch mean",
          "batch max");
      for (Latency l : latencies) {
        System.out.printf(
            Locale.ROOT,
            "%-11d %10d %10.1f %10.1f %10.1f %12d %11.1f %10d%n",
            l.parallelism(),
            l.rate(),
            l.p50(),
            l.p99(),
            l.max(),
            l.records(),
            l.batches().mean(),
            l.batches().max());
      }
      System.out.println();
      System.out.println(
          "CPU seconds in each throughput phase, by thread (digits blanked) and the broker process:");
      cpuUse.forEach(
          (phase, lines) -> {
            System.out.println(phase + ":");
            lines.forEach(l -> System.out.println("  " + l));
          });
      return 0;
    } finally {
      if (local != null) {
        local.close();
      }
      deleteRecursively(workDir);
    }
  }

  private ModelSnapshot trainAndWrite(MultiViewDataset ds) throws IOException {
    IgmConfig config =
        IgmConfig.builder()
            .method("igm")
            .modalities(OfflineFit.featureModalities(ds))
            .numClasses(ds.classCount())
            .seed(7)
            .deterministic(true)
            .build();
    try (IgmTrainer trainer = new IgmTrainer(config)) {
      for (MultiViewRow row : ds.rows(Split.TRAIN)) {
        trainer.offer(
            new LabeledSample(row.sampleId(), row.label(), Evaluation.inputsOf(config, row)));
      }
      Map<String, Double> metrics = Evaluation.evaluate(trainer, ds.rows(Split.TEST));
      System.err.printf(
          Locale.ROOT,
          "igm bench-serve: model trained for one epoch, TEST fused acc %.3f%n",
          metrics.get("fused.acc"));
      return SnapshotPublication.write(
          TrainerSnapshot.capture(trainer, metrics),
          workDir.resolve("model/bench-v1.safetensors"),
          MODEL,
          1,
          Map.of());
    }
  }

  /**
   * The published model, loaded as the job loads it, scoring batches of {@link #batchSize} TEST
   * rows (already decoded) in a loop on this thread: records/s.
   */
  private Ceiling ceiling(ModelSnapshot published, List<MultiViewRow> rows) throws Exception {
    IgmConfig config = ModelConfigJson.parse(published.getConfig());
    List<float[][]> batch = new ArrayList<>();
    for (int i = 0; i < batchSize; i++) {
      batch.add(Evaluation.inputsOf(config, rows.get(i % rows.size())));
    }
    byte[] file = Files.readAllBytes(Path.of(URI.create(published.getUri())));
    try (ServingModel model = new SnapshotLoader(uri -> file).load(published)) {
      long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(ceilingSeconds);
      while (System.nanoTime() < warmEnd) {
        model.scoreInputs(batch);
      }
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      long passes = 0;
      long cpuStart = mx.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(ceilingSeconds);
      long now;
      do {
        model.scoreInputs(batch);
        passes++;
        now = System.nanoTime();
      } while (now < end);
      long cpu = mx.getCurrentThreadCpuTime() - cpuStart;
      Ceiling c =
          new Ceiling(passes * batchSize / ((now - start) / 1e9), passes * batchSize / (cpu / 1e9));
      System.err.printf(
          Locale.ROOT,
          "igm bench-serve: ceiling %,.0f records/s, %,.0f per CPU second (%d passes of %d)%n",
          c.wall(),
          c.cpu(),
          passes,
          batchSize);
      return c;
    }
  }

  /**
   * A broker just started runs its request handling in the interpreter until the JIT has seen
   * enough of it (the first copy job ran ~25 % slower on a fresh broker than on one that had served
   * a bench before): 200,000 samples through a scratch topic, produced and read back, first.
   */
  private void warmBroker(List<MultiViewRow> rows) throws Exception {
    String topic = "bench-broker-warm-up-" + UUID.randomUUID().toString().substring(0, 6);
    LocalKafkaBroker.createTopics(bootstrap, 1, topic);
    int n = 200_000;
    Map<String, Phase> phases = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    Thread reader = new Thread(() -> readOutputs(topic, phases, stop), "bench-warm-up");
    reader.start();
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      Phase warm = encode(rows, topic, n);
      phases.put(warm.prefix, warm);
      send(producer, topic, warm, 0);
      warm.awaited("broker warm-up");
    } finally {
      stop.set(true);
      reader.join(10_000);
    }
    System.err.printf(Locale.ROOT, "igm bench-serve: broker warmed up with %,d samples%n", n);
  }

  private void measure(
      int p,
      ModelSnapshot published,
      List<MultiViewRow> rows,
      BatchingPolicy batching,
      List<Throughput> throughputs,
      List<Latency> latencies)
      throws Exception {
    double bound = passthrough ? passthrough(p, rows, batching) : Double.NaN;
    String run = "bench-p" + p + "-" + UUID.randomUUID().toString().substring(0, 6);
    String models = run + ".models";
    LocalKafkaBroker.createTopics(bootstrap, 1, models, run + ".dlq");
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      producer
          .send(
              new ProducerRecord<>(
                  models,
                  MODEL.getBytes(StandardCharsets.UTF_8),
                  AvroBytes.of(ModelSnapshot.class).encode(published)))
          .get(30, TimeUnit.SECONDS);
    }
    ServingPolicy policy =
        new ServingPolicy(
            List.of(MODEL),
            ServingPolicy.BeforeFirstModel.HOLD,
            100_000,
            QualityGate.OFF,
            ModelStoreRoot.of(workDir.resolve("model").toAbsolutePath().toString(), Path.of("/")));
    try (RunningJob job = start(run, p, policy, batching, ServingJob::build)) {
      job.warmUp(rows);
      long[] before = batchCounters();
      long cpuBefore = scoringCpuNanos();
      double perSecond = job.throughput(rows, "serving job");
      double operatorRate = records / ((scoringCpuNanos() - cpuBefore) / 1e9);
      throughputs.add(new Throughput(p, records, perSecond, operatorRate, bound, batches(before)));

      for (String r : rates) {
        int rate =
            r.equals("half") ? (int) Math.max(1, Math.round(perSecond / 2)) : Integer.parseInt(r);
        int n = Math.max(1, rate * latencySeconds);
        before = batchCounters();
        Phase paced = job.send(encode(rows, run + "-l" + rate, n), rate);
        double[] ms =
            job.done(paced.awaited("latency phase at " + rate + " records/s")).latenciesMillis();
        Arrays.sort(ms);
        latencies.add(
            new Latency(
                p,
                rate,
                n,
                percentile(ms, 50),
                percentile(ms, 99),
                ms[ms.length - 1],
                batches(before)));
      }
    }
  }

  /**
   * The bound: {@link ServingJob#buildPassthrough} (samples copied to the predictions topic, same
   * Kafka source and sink, no scoring) on fresh topics, measured as the serving job is.
   */
  private double passthrough(int p, List<MultiViewRow> rows, BatchingPolicy batching)
      throws Exception {
    String run = "bench-copy-p" + p + "-" + UUID.randomUUID().toString().substring(0, 6);
    try (RunningJob job = start(run, p, null, batching, ServingJob::buildPassthrough)) {
      job.warmUp(rows);
      return job.throughput(rows, "copy job");
    }
  }

  /** How a bench job is put together from its options. */
  private interface JobShape {
    void build(StreamExecutionEnvironment env, ServingJobOptions options);
  }

  /**
   * Creates run's samples and predictions topics ({@code p} partitions), starts the job on an
   * embedded cluster of parallelism {@code p} and a reader of its predictions topic.
   */
  private RunningJob start(
      String run, int p, ServingPolicy policy, BatchingPolicy batching, JobShape shape)
      throws Exception {
    String samples = run + ".samples";
    String predictions = run + ".predictions";
    LocalKafkaBroker.createTopics(bootstrap, p, samples, predictions);
    Configuration conf = ServingMetricsCapture.addTo(EmbeddedFlink.bind(new Configuration(), null));
    Path tmp = Files.createDirectories(workDir.resolve("flink-tmp"));
    conf.set(CoreOptions.TMP_DIRS, tmp.toAbsolutePath().toString());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(p, conf);
    shape.build(
        env,
        new ServingJobOptions(
            bootstrap,
            samples,
            run + ".models",
            predictions,
            run + ".dlq",
            run,
            ServingJobOptions.StartFrom.EARLIEST,
            p,
            Duration.ofSeconds(10),
            ServeCommand.parseDuration(bufferTimeout),
            policy,
            Map.of(),
            batching));
    ServingMetricsCapture.clear();
    return new RunningJob(
        run, p, samples, predictions, env.executeAsync(ServingJob.NAME + "-" + run));
  }

  /** A job under measurement, the bench's producer of its samples and the reader of its output. */
  private final class RunningJob implements AutoCloseable {
    final String run;
    final int parallelism;
    final String samples;
    final JobClient job;
    final Map<String, Phase> phases = new ConcurrentHashMap<>();
    final AtomicBoolean stop = new AtomicBoolean();
    final Thread reader;
    final KafkaProducer<byte[], byte[]> producer = producer();

    RunningJob(String run, int parallelism, String samples, String predictions, JobClient job) {
      this.run = run;
      this.parallelism = parallelism;
      this.samples = samples;
      this.job = job;
      reader = new Thread(() -> readOutputs(predictions, phases, stop), "bench-predictions");
      reader.start();
    }

    /**
     * Job start, model load, JIT: 20,000 samples, then rounds as large as the measured phase (sent
     * as it is) until a round finds the JIT compilers (nearly) idle, at most {@link
     * #MAX_WARM_UP_ROUNDS}. Flink's network stack, Avro and the Kafka clients are a lot of code: on
     * 2 cores the compilers were still at work after 200,000 samples in small rounds, and a phase
     * measured while they work measures them too. Not measured.
     */
    void warmUp(List<MultiViewRow> rows) throws Exception {
      done(send(encode(rows, run + "-w0", 20_000), 0).awaited("warm-up"));
      var jit = ManagementFactory.getCompilationMXBean();
      for (int round = 1; ; round++) {
        Phase phase = encode(rows, run + "-w" + round, records);
        long jitBefore = jit.getTotalCompilationTime();
        long start = System.nanoTime();
        done(send(phase, 0).awaited("warm-up"));
        double compiling = (jit.getTotalCompilationTime() - jitBefore) / 1e3;
        double seconds = (System.nanoTime() - start) / 1e9;
        boolean settled = compiling < 0.05 * seconds;
        if (settled || round == MAX_WARM_UP_ROUNDS) {
          System.err.printf(
              Locale.ROOT,
              "igm bench-serve: %s warmed up in %d round(s) of %,d samples (the JIT compiled for "
                  + "%.2f s of the last one's %.2f s%s)%n",
              run,
              round,
              records,
              compiling,
              seconds,
              settled ? "" : "; it had not settled: it still works while measured");
          return;
        }
      }
    }

    /**
     * {@link #records} samples sent as fast as possible: records / (first send -> last output
     * read). Where the CPU went meanwhile is kept for the report.
     */
    double throughput(List<MultiViewRow> rows, String what) throws Exception {
      Phase encoded = encode(rows, run + "-t", records);
      CpuUse cpuBefore = CpuUse.now(brokerPid);
      Phase burst = done(send(encoded, 0).awaited("throughput phase"));
      long first = burst.sent[0];
      long last = burst.lastArrival();
      long lastSent = burst.sent[records - 1];
      cpuUse.put(
          what + ", parallelism " + parallelism,
          CpuUse.now(brokerPid).since(cpuBefore, "the Kafka broker (its own process)", 8));
      System.err.printf(
          Locale.ROOT,
          "igm bench-serve: %s, parallelism %d: %d samples sent in %.2f s, the last output read "
              + "%.2f s after the first send%n",
          what,
          parallelism,
          records,
          (lastSent - first) / 1e9,
          (last - first) / 1e9);
      return records / ((last - first) / 1e9);
    }

    /**
     * Forgets a phase whose outputs are all in (a late duplicate is then ignored): the bench's
     * memory is the job's too, and 300,000 samples of every round kept to the end made the garbage
     * collector's pauses longer.
     */
    Phase done(Phase phase) {
      phases.remove(phase.prefix);
      return phase;
    }

    /** Sends the phase's samples (registered first, so that the reader knows them). */
    Phase send(Phase phase, int rate) throws Exception {
      phases.put(phase.prefix, phase);
      return BenchServeCommand.this.send(producer, samples, phase, rate);
    }

    @Override
    public void close() throws Exception {
      try {
        producer.close();
        stop.set(true);
        reader.join(10_000);
      } finally {
        job.cancel().get(60, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * CPU time of the scoring operator's threads so far (the job runs in this process): decoding,
   * scoring, building the predictions and handing them to the chained Kafka sinks.
   */
  private static long scoringCpuNanos() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("score with the model in service")) {
        sum += Math.max(0, mx.getThreadCpuTime(t.getId()));
      }
    }
    return sum;
  }

  private static long[] batchCounters() {
    return new long[] {
      ServingMetricsCapture.counter("batches"), ServingMetricsCapture.counter("batchedSamples")
    };
  }

  /**
   * The batches scored since {@code before} was read: their number and mean size exactly; p50 and
   * max over the operators' windows of their last 1,000 batches (the phase's own, unless it scored
   * fewer).
   */
  private static Batches batches(long[] before) {
    long[] now = batchCounters();
    long[] recent = ServingMetricsCapture.histogramValues("batchSize");
    long p50 =
        recent.length == 0 ? 0 : recent[Math.max(0, (int) Math.ceil(0.5 * recent.length) - 1)];
    long max = recent.length == 0 ? 0 : recent[recent.length - 1];
    return new Batches(now[0] - before[0], now[1] - before[1], p50, max);
  }

  /**
   * One phase's samples, encoded before it starts, with each one's send and output times by its
   * index (primitive arrays: the bench shares its JVM, so its garbage collector, with the job it
   * measures). Sample {@code i}'s id, and so its key, is {@code prefix-i}.
   */
  private static final class Phase {
    final String prefix;
    final byte[][] keys;
    final byte[][] values;
    final long[] sent;
    final AtomicLongArray arrived;

    Phase(String prefix, int n) {
      this.prefix = prefix;
      keys = new byte[n][];
      values = new byte[n][];
      sent = new long[n];
      arrived = new AtomicLongArray(n);
    }

    int size() {
      return keys.length;
    }

    /** Waits until every sample has an output; each index is checked until it has one. */
    Phase awaited(String phase) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      int next = 0;
      while (true) {
        while (next < size() && arrived.get(next) != 0) {
          next++;
        }
        if (next == size()) {
          return this;
        }
        if (System.nanoTime() > deadline) {
          long got = IntStream.range(0, size()).filter(i -> arrived.get(i) != 0).count();
          throw new IllegalStateException(
              phase + ": " + got + " of " + size() + " outputs after 5 minutes");
        }
        Thread.sleep(20);
      }
    }

    long lastArrival() {
      return IntStream.range(0, size()).mapToLong(arrived::get).max().orElseThrow();
    }

    /** Send to output, per sample, in send order. */
    double[] latenciesMillis() {
      return IntStream.range(0, size())
          .mapToDouble(i -> (arrived.get(i) - sent[i]) / 1e6)
          .toArray();
    }
  }

  /** {@code n} samples (TEST rows in turn, ids {@code prefix-i}), encoded. */
  private Phase encode(List<MultiViewRow> rows, String prefix, int n) {
    Phase out = new Phase(prefix, n);
    for (int i = 0; i < n; i++) {
      MultiViewRow row = rows.get(i % rows.size());
      String id = prefix + "-" + i;
      Map<String, Tensor> modalities = new LinkedHashMap<>();
      for (Map.Entry<String, float[]> v : row.views().entrySet()) {
        modalities.put(v.getKey(), codec.encodeFloat32(v.getValue(), v.getValue().length));
      }
      MultimodalSample s =
          MultimodalSample.newBuilder()
              .setSampleId(id)
              .setStream("bench")
              .setSplit(Split.TEST)
              .setLabel(row.label())
              .setEventTime(Instant.now())
              .setModalities(modalities)
              .build();
      out.keys[i] = id.getBytes(StandardCharsets.UTF_8);
      out.values[i] = sampleAvro.encode(s);
    }
    return out;
  }

  /** Sends the phase's samples in order, noting each send time; {@code rate} > 0 paces them. */
  private static Phase send(
      KafkaProducer<byte[], byte[]> producer, String topic, Phase phase, int rate)
      throws Exception {
    long start = System.nanoTime();
    for (int i = 0; i < phase.size(); i++) {
      if (rate > 0) {
        long due = start + (long) (i * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
      phase.sent[i] = System.nanoTime();
      producer.send(new ProducerRecord<>(topic, phase.keys[i], phase.values[i]));
    }
    producer.flush();
    return phase;
  }

  /**
   * Notes the arrival time of each output record of the phases registered in {@code phases}. The
   * job keys each output by its sample id ({@code prefix-i}): no need to decode the value.
   */
  private void readOutputs(String topic, Map<String, Phase> phases, AtomicBoolean stop) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + UUID.randomUUID());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of(topic));
      while (!stop.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          long now = System.nanoTime();
          String id = new String(r.key(), StandardCharsets.UTF_8);
          int dash = id.lastIndexOf('-');
          Phase phase = phases.get(id.substring(0, dash));
          if (phase != null) {
            phase.arrived.compareAndSet(Integer.parseInt(id.substring(dash + 1)), 0, now);
          }
        }
      }
    }
  }

  private KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  /** The 1, 5 and 15 minute load averages, or "n/a" where /proc/loadavg is missing. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  static double percentile(double[] sorted, double q) {
    int i = (int) Math.ceil(q / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
