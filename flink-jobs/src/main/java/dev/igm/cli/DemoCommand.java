package dev.igm.cli;

import dev.igm.avro.Prediction;
import dev.igm.avro.TrainingMetrics;
import dev.igm.core.ClassificationMetrics;
import dev.igm.jobs.TrainJobConfig;
import dev.igm.jobs.TrainingJob;
import dev.igm.report.HtmlReport;
import dev.igm.report.KafkaMetricsReader;
import dev.igm.report.MetricsLog;
import dev.igm.report.TauSettings;
import dev.igm.avro.Split;
import dev.igm.codec.AvroBytes;
import dev.igm.core.fit.OfflineFit;
import dev.igm.data.BundledDatasets;
import dev.igm.data.MultiViewDataset;
import dev.igm.data.EventClock;
import dev.igm.data.ReplayPlan;
import dev.igm.data.SampleEncoder;
import dev.igm.data.TableSource;
import dev.igm.replay.KafkaReplayer;
import dev.igm.replay.ProducerSettings;
import dev.igm.replay.ReplayProgress;
import dev.igm.kafka.LocalKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code igm demo}: a real local Kafka broker, the bundled Image Segmentation data replayed into it, and igm and
 * joint trained side by side from the stream, ending with a comparison table and a report folder.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "End-to-end demo on this machine: starts a real local Kafka broker, replays the bundled UCI Image Segmentation",
      "data (views shape and colour) to topic igm.samples, runs the streaming training job (igm and joint side by",
      "side, config/train-segment.yaml) on embedded Flink until the replay is consumed, prints Acc / macro-F1 / MAP per modality and fused on the TEST records, writes a report and stops the broker."
    })
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--epochs", defaultValue = "20", description = "Replay epochs. Default: ${DEFAULT-VALUE}.")
  int epochs;

    @Option(names = "--seed", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--out", defaultValue = "target/igm-demo", description = "Report folder. Default: ${DEFAULT-VALUE}.")
  Path out;

  private static final String TOPIC = "igm.samples";

  @Option(names = "--config", defaultValue = "config/train-segment.yaml",
      description = "Training job configuration (models, Flink settings). Default: ${DEFAULT-VALUE}.")
  Path config;

  @Option(names = "--metrics-port", paramLabel = "PORT[-PORT]",
      description = "Serve the training job's metrics for Prometheus at http://127.0.0.1:PORT/metrics. Default: none.")
  String metricsPort;

  @Option(names = "--web-port", paramLabel = "PORT",
      description = "Port of the embedded cluster's web UI (default: a free one; the URL is printed).")
  Integer webPort;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    MultiViewDataset ds = OfflineFit.prepare(BundledDatasets.segment(), true);
    ReplayPlan plan = ReplayPlan.of(ds, epochs, seed, false);
    System.err.printf(Locale.ROOT, "igm demo: %s, %d records to replay (%d epochs)%n", ds, plan.entries().size(), epochs);
    Path work = out.toAbsolutePath();
    deleteRecursively(work);
    Files.createDirectories(work);
    try (LocalKafkaBroker kafka = LocalKafkaBroker.builder().port(0).build().start()) {
      String bootstrap = kafka.bootstrapServers();
      System.err.println("igm demo: Kafka broker listening on " + bootstrap);
      kafka.createTopics(TOPIC, "igm.samples.dlq", "igm.metrics", "igm.predictions", "igm.models");
      long bytes = replay(bootstrap, ds, plan);
      System.err.printf(Locale.ROOT, "igm demo: replayed %d records (%d bytes) to %s%n", plan.entries().size(), bytes, TOPIC);

      List<String> overrides = new ArrayList<>(List.of(
          "kafka.bootstrap=" + bootstrap,
          "input.bounded=true",
          "input.starting.offsets=earliest",
          "model.store=" + work.resolve("models"),
          "flink.execution.checkpointing.dir=" + work.resolve("checkpoints").toUri(),
          "flink.execution.checkpointing.interval=5s",
          "model.defaults.seed=" + seed));
      if (metricsPort != null) {
        overrides.add("embedded.metrics-port=" + metricsPort);
      }
      if (webPort != null) {
        overrides.add("flink.rest.bind-port=" + webPort);
        overrides.add("flink.rest.port=" + webPort);
      }
      TrainJobConfig jobConfig = TrainJobConfig.load(resolve(config), overrides);
      System.err.println("igm demo: training " + jobConfig.models().keySet() + " side by side on embedded Flink ...");
      java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
      Thread progress = progressLine(bootstrap, plan.trainingEntries().size(), running);
      try {
        TrainingJob.run(jobConfig);
      } finally {
        running.set(false);
        progress.join(5000);
      }

      Map<String, Map<String, Double>> test = testMetrics(bootstrap, ds);
      List<String> groups = new ArrayList<>(ds.modalities());
      groups.add("fused");
      MetricsTable table = new MetricsTable(groups);
      test.forEach(table::add);
      Files.writeString(work.resolve("table.md"), table.markdown());
      MetricsLog log = new KafkaMetricsReader(bootstrap, Duration.ofSeconds(60), Map.of()).read("igm.metrics", "igm.samples.dlq");
      HtmlReport.Result report = new HtmlReport(TauSettings.defaults()).write(log, work.resolve("report"));
      System.out.println("TEST (" + ds.rows(Split.TEST).size() + " rows, predictions of the streaming job)");
      System.out.print(table.text());
      System.err.printf(Locale.ROOT, "igm demo: done in %.1fs; table %s, report %s%n", (System.nanoTime() - t0) / 1e9,
          work.resolve("table.md"), report.index());
    }
    return 0;
  }

  private static Path resolve(Path p) {
    String root = System.getProperty("igm.project.root");
    return p.isAbsolute() || root == null ? p : Path.of(root).resolve(p);
  }

  /** Prints samples trained per model from the metrics topic while the job runs. */
  private static Thread progressLine(String bootstrap, int expected, java.util.concurrent.atomic.AtomicBoolean running) {
    Thread t = new Thread(() -> {
      Properties c = new Properties();
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
      AvroBytes<TrainingMetrics> avro = AvroBytes.of(TrainingMetrics.class);
      Map<String, Long> trained = new java.util.TreeMap<>();
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        TopicPartition tp = new TopicPartition("igm.metrics", 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        long last = 0;
        while (running.get()) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            TrainingMetrics m = avro.decode(r.value());
            trained.merge(m.getModelId(), m.getSamplesTrained(), Math::max);
          }
          if (System.nanoTime() - last > 3e9 && !trained.isEmpty()) {
            StringBuilder sb = new StringBuilder("igm demo: trained");
            trained.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %s %d/%d", k, v, expected)));
            System.err.println(sb);
            last = System.nanoTime();
          }
        }
      } catch (Exception e) {
        System.err.println("igm demo: progress line stopped: " + e);
      }
    }, "igm-demo-progress");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Acc / macro-F1 / MAP per modality and fused from the TEST predictions the job committed. */
  private static Map<String, Map<String, Double>> testMetrics(String bootstrap, MultiViewDataset ds) throws Exception {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    AvroBytes<Prediction> avro = AvroBytes.of(Prediction.class);
    Map<String, List<Prediction>> byModel = new java.util.TreeMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      consumer.partitionsFor("igm.predictions").forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          Prediction p = avro.decode(r.value());
          if (p.getSplit() == Split.TEST) {
            byModel.computeIfAbsent(p.getModelId(), k -> new ArrayList<>()).add(p);
          }
        }
      }
    }
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    int classes = ds.classCount();
    for (Map.Entry<String, List<Prediction>> e : byModel.entrySet()) {
      List<Prediction> ps = e.getValue();
      int[] labels = new int[ps.size()];
      Map<String, float[]> scores = new LinkedHashMap<>();
      for (String m : ds.modalities()) {
        scores.put(m, new float[ps.size() * classes]);
      }
      scores.put("fused", new float[ps.size() * classes]);
      for (int i = 0; i < ps.size(); i++) {
        Prediction p = ps.get(i);
        labels[i] = p.getLabel();
        for (String m : ds.modalities()) {
          copy(p.getModalityProbabilities().get(m), scores.get(m), i * classes);
        }
        copy(p.getFusedProbabilities(), scores.get("fused"), i * classes);
      }
      Map<String, Double> metrics = new LinkedHashMap<>();
      scores.forEach((g, s) -> {
        metrics.put(g + ".acc", ClassificationMetrics.accuracy(labels, s, classes));
        metrics.put(g + ".f1", ClassificationMetrics.macroF1(labels, s, classes));
        metrics.put(g + ".map", ClassificationMetrics.meanAveragePrecision(labels, s, classes));
      });
      out.put(e.getKey() + " (" + ps.size() + ")", metrics);
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("the training job published no TEST predictions");
    }
    return out;
  }

  private static void copy(List<Float> from, float[] to, int offset) {
    for (int i = 0; i < from.size(); i++) {
      to[offset + i] = from.get(i);
    }
  }

  private static void deleteRecursively(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static long replay(String bootstrap, MultiViewDataset ds, ReplayPlan plan) {
    SampleEncoder encoder = new SampleEncoder(ds.name(), EventClock.wall(java.time.Clock.systemUTC()));
    ProducerSettings settings = new ProducerSettings(bootstrap, ProducerSettings.DEFAULT_LINGER_MS,
        ProducerSettings.DEFAULT_BATCH_BYTES, ProducerSettings.DEFAULT_MAX_REQUEST_BYTES, Map.of());
    return new KafkaReplayer(TOPIC, 0).replay(plan, new TableSource(ds), encoder, settings, ReplayProgress.NONE).valueBytes();
  }
}
