package dev.igm.cli;

import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Prediction;
import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.codec.AvroBytes;
import dev.igm.codec.TensorCodec;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.fit.Evaluation;
import dev.igm.core.fit.OfflineFit;
import dev.igm.core.serve.QualityGate;
import dev.igm.core.serve.ServingPolicy;
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
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * {@code igm bench-serve}: throughput and end-to-end latency of the serving job on a real Kafka broker, for each
 * requested parallelism. Not a test: it prints measurements.
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
      "throughput: --records samples sent as fast as possible; records/s = records / (first send -> last "
          + "prediction read back from the predictions topic).",
      "latency: --latency-records samples sent at --rate records/s; per sample, the time from its send to its "
          + "prediction being read from the predictions topic: p50, p99, max.",
      ""
    })
public final class BenchServeCommand implements Callable<Integer> {
  @Option(names = "--parallelism", split = ",", defaultValue = "1,2", description = "Parallelisms to measure. Default: ${DEFAULT-VALUE}.")
  List<Integer> parallelisms;

  @Option(names = "--records", defaultValue = "20000", description = "Samples in the throughput phase. Default: ${DEFAULT-VALUE}.")
  int records;

  @Option(names = "--latency-records", defaultValue = "3000", description = "Samples in the latency phase. Default: ${DEFAULT-VALUE}.")
  int latencyRecords;

  @Option(names = "--rate", defaultValue = "500", description = "Send rate of the latency phase, records/s. Default: ${DEFAULT-VALUE}.")
  int rate;

  @Option(names = "--buffer-timeout", defaultValue = "5ms", description = "Flink network buffer timeout of the job (igm serve's default). Default: ${DEFAULT-VALUE}.")
  String bufferTimeout;

  @Option(names = "--bootstrap", description = "Use this Kafka broker instead of starting a local one.")
  String bootstrap;

  @Option(names = "--work-dir", defaultValue = "var/tmp/bench-serve", description = "Scratch folder (model store, Flink tmp); deleted at the end. Default: ${DEFAULT-VALUE}.")
  Path workDir;

  private static final String MODEL = "bench";
  private final AvroBytes<MultimodalSample> sampleAvro = AvroBytes.of(MultimodalSample.class);
  private final TensorCodec codec = TensorCodec.create();

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(workDir);
    LocalKafkaBroker local = null;
    try {
      if (bootstrap == null) {
        local = LocalKafkaBroker.builder().port(0).build().start();
        bootstrap = local.bootstrapServers();
      }
      MultiViewDataset ds = OfflineFit.prepare(BundledDatasets.segment(), true);
      ModelSnapshot published = trainAndWrite(ds);
      List<MultiViewRow> rows = ds.rows(Split.TEST);
      List<String> lines = new ArrayList<>();
      lines.add(String.format(Locale.ROOT, "%-11s %10s %12s %10s %10s %10s %12s", "parallelism", "records", "records/s",
          "p50 ms", "p99 ms", "max ms", "lat. records"));
      for (int p : parallelisms) {
        lines.add(measure(p, published, rows));
      }
      System.out.println();
      System.out.printf(Locale.ROOT, "igm bench-serve: broker %s, %d cores, latency phase at %d records/s, buffer timeout %s%n",
          bootstrap, Runtime.getRuntime().availableProcessors(), rate, bufferTimeout);
      lines.forEach(System.out::println);
      return 0;
    } finally {
      if (local != null) {
        local.close();
      }
      deleteRecursively(workDir);
    }
  }

  private ModelSnapshot trainAndWrite(MultiViewDataset ds) throws IOException {
    IgmConfig config = IgmConfig.builder().method("igm").modalities(OfflineFit.featureModalities(ds))
        .numClasses(ds.classCount()).seed(7).deterministic(true).build();
    try (IgmTrainer trainer = new IgmTrainer(config)) {
      for (MultiViewRow row : ds.rows(Split.TRAIN)) {
        trainer.offer(new LabeledSample(row.sampleId(), row.label(), Evaluation.inputsOf(config, row)));
      }
      Map<String, Double> metrics = Evaluation.evaluate(trainer, ds.rows(Split.TEST));
      System.err.printf(Locale.ROOT, "igm bench-serve: model trained for one epoch, TEST fused acc %.3f%n", metrics.get("fused.acc"));
      return SnapshotPublication.write(TrainerSnapshot.capture(trainer, metrics), workDir.resolve("model/bench-v1.safetensors"),
          MODEL, 1, Map.of());
    }
  }

  private String measure(int p, ModelSnapshot published, List<MultiViewRow> rows) throws Exception {
    String run = "bench-p" + p + "-" + UUID.randomUUID().toString().substring(0, 6);
    String samples = run + ".samples";
    String models = run + ".models";
    String predictions = run + ".predictions";
    String dlq = run + ".dlq";
    LocalKafkaBroker.createTopics(bootstrap, p, samples, predictions);
    LocalKafkaBroker.createTopics(bootstrap, 1, models, dlq);
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      producer.send(new ProducerRecord<>(models, MODEL.getBytes(StandardCharsets.UTF_8),
          AvroBytes.of(ModelSnapshot.class).encode(published))).get(30, TimeUnit.SECONDS);
    }
    Configuration conf = EmbeddedFlink.bind(new Configuration(), null);
    Path tmp = Files.createDirectories(workDir.resolve("flink-tmp"));
    conf.set(CoreOptions.TMP_DIRS, tmp.toAbsolutePath().toString());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(p, conf);
    ServingPolicy policy = new ServingPolicy(List.of(MODEL), ServingPolicy.BeforeFirstModel.HOLD, 100_000, QualityGate.OFF);
    ServingJob.build(env, new ServingJobOptions(bootstrap, samples, models, predictions, dlq, run,
        ServingJobOptions.StartFrom.EARLIEST, p, Duration.ofSeconds(10), ServeCommand.parseDuration(bufferTimeout), policy,
        Map.of()));
    JobClient job = env.executeAsync(ServingJob.NAME + "-" + run);
    Map<String, Long> arrivals = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    Thread reader = new Thread(() -> readPredictions(predictions, arrivals, stop), "bench-predictions");
    reader.start();
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      // Warm-up: job start, model load, JIT. Not measured.
      Map<String, Long> warm = send(producer, samples, rows, run + "-w", 500, 0);
      await(arrivals, warm.keySet(), Duration.ofMinutes(3), "warm-up");

      Map<String, Long> burst = send(producer, samples, rows, run + "-t", records, 0);
      long first = burst.values().stream().mapToLong(Long::longValue).min().orElseThrow();
      await(arrivals, burst.keySet(), Duration.ofMinutes(5), "throughput phase");
      long last = burst.keySet().stream().mapToLong(arrivals::get).max().orElseThrow();
      double perSecond = records / ((last - first) / 1e9);

      Map<String, Long> paced = send(producer, samples, rows, run + "-l", latencyRecords, rate);
      await(arrivals, paced.keySet(), Duration.ofMinutes(3), "latency phase");
      double[] ms = paced.entrySet().stream().mapToDouble(e -> (arrivals.get(e.getKey()) - e.getValue()) / 1e6).sorted().toArray();
      return String.format(Locale.ROOT, "%-11d %10d %12.0f %10.1f %10.1f %10.1f %12d", p, records, perSecond,
          percentile(ms, 50), percentile(ms, 99), ms[ms.length - 1], latencyRecords);
    } finally {
      stop.set(true);
      reader.join(10_000);
      job.cancel().get(60, TimeUnit.SECONDS);
    }
  }

  /** Sends {@code n} samples (TEST rows in turn, fresh ids); {@code rate} > 0 paces them. Returns id -> send nanos. */
  private Map<String, Long> send(KafkaProducer<byte[], byte[]> producer, String topic, List<MultiViewRow> rows,
      String prefix, int n, int rate) throws Exception {
    Map<String, Long> sent = new LinkedHashMap<>();
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      if (rate > 0) {
        long due = start + (long) (i * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
      MultiViewRow row = rows.get(i % rows.size());
      String id = prefix + "-" + i;
      Map<String, Tensor> modalities = new LinkedHashMap<>();
      for (Map.Entry<String, float[]> v : row.views().entrySet()) {
        modalities.put(v.getKey(), codec.encodeFloat32(v.getValue(), v.getValue().length));
      }
      long now = System.nanoTime();
      MultimodalSample s = MultimodalSample.newBuilder().setSampleId(id).setStream("bench").setSplit(Split.TEST)
          .setLabel(row.label()).setEventTime(Instant.now()).setModalities(modalities).build();
      sent.put(id, now);
      producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), sampleAvro.encode(s)));
    }
    producer.flush();
    return sent;
  }

  private void readPredictions(String topic, Map<String, Long> arrivals, AtomicBoolean stop) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + UUID.randomUUID());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    AvroBytes<Prediction> avro = AvroBytes.of(Prediction.class);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of(topic));
      while (!stop.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          long now = System.nanoTime();
          try {
            arrivals.putIfAbsent(avro.decode(r.value()).getSampleId(), now);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
    }
  }

  private static void await(Map<String, Long> arrivals, java.util.Set<String> ids, Duration timeout, String phase)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!arrivals.keySet().containsAll(ids)) {
      if (System.nanoTime() > deadline) {
        long got = ids.stream().filter(arrivals::containsKey).count();
        throw new IllegalStateException(phase + ": " + got + " of " + ids.size() + " predictions after " + timeout);
      }
      Thread.sleep(20);
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
