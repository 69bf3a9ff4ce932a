package dev.igm.cli;

import dev.igm.avro.Split;
import dev.igm.avro.TrainingMetrics;
import dev.igm.codec.AvroBytes;
import dev.igm.core.fit.OfflineFit;
import dev.igm.data.BundledDatasets;
import dev.igm.data.EventClock;
import dev.igm.data.MultiViewDataset;
import dev.igm.data.ReplayPlan;
import dev.igm.data.SampleEncoder;
import dev.igm.data.TableSource;
import dev.igm.jobs.TrainJobConfig;
import dev.igm.jobs.TrainingJob;
import dev.igm.kafka.LocalKafkaBroker;
import dev.igm.local.OutputFolder;
import dev.igm.replay.KafkaReplayer;
import dev.igm.replay.ProducerSettings;
import dev.igm.replay.ReplayProgress;
import dev.igm.report.HtmlReport;
import dev.igm.report.KafkaMetricsReader;
import dev.igm.report.MetricsFileWriter;
import dev.igm.report.MetricsLog;
import dev.igm.report.MetricsTable;
import dev.igm.report.TauSettings;
import dev.igm.report.TestPredictions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code igm demo}: a real local Kafka broker, the bundled Image Segmentation data replayed into
 * it, and igm and joint trained side by side from the stream, ending with a comparison table and a
 * report folder.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "The whole pipeline on this machine in one command: a local broker, a replay, training, a report.",
      "",
      "End-to-end demo on this machine: starts a real local Kafka broker, replays the bundled UCI Image Segmentation",
      "data (views shape and colour) to topic igm.samples, runs the streaming training job (igm and joint side by",
      "side, config/train-segment.yaml) on embedded Flink until the replay is consumed, prints Acc / macro-F1 / MAP per modality and fused on the TEST records, writes a report and stops the broker."
    })
public final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--epochs",
      defaultValue = "20",
      description = "Replay epochs. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(names = "--seed", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--out",
      defaultValue = "target/igm-demo",
      description = "Report folder. Default: ${DEFAULT-VALUE}.")
  Path out;

  private static final String TOPIC = "igm.samples";

  @Option(
      names = "--config",
      defaultValue = "config/train-segment.yaml",
      description =
          "Training job configuration (models, Flink settings). Default: ${DEFAULT-VALUE}.")
  Path config;

  @Mixin EmbeddedClusterOptions cluster = new EmbeddedClusterOptions();

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    MultiViewDataset ds = OfflineFit.prepare(BundledDatasets.segment(), true);
    ReplayPlan plan = ReplayPlan.of(ds, epochs, seed, false);
    System.err.printf(
        Locale.ROOT,
        "igm demo: %s, %d records to replay (%d epochs)%n",
        ds,
        plan.entries().size(),
        epochs);
    Path target = resolve(out).toAbsolutePath().normalize();
    // Everything goes to a new folder first; it replaces --out only when complete, so an
    // interrupted run keeps the
    // previous report, and leaves nothing of its own behind.
    try (OutputFolder output = OutputFolder.stage(target)) {
      run(ds, plan, output.work());
      output.commit();
    }
    System.err.printf(
        Locale.ROOT,
        "igm demo: done in %.1fs; table %s, report %s%n",
        (System.nanoTime() - t0) / 1e9,
        target.resolve("table.md"),
        target.resolve("report").resolve("index.html"));
    return 0;
  }

  private void run(MultiViewDataset ds, ReplayPlan plan, Path work) throws Exception {
    System.err.println("igm demo: starting a local Kafka broker ...");
    try (LocalKafkaBroker kafka = LocalKafkaBroker.builder().port(0).build().start()) {
      String bootstrap = kafka.bootstrapServers();
      System.err.println("igm demo: Kafka broker listening on " + bootstrap);
      kafka.createTopics(TOPIC, "igm.samples.dlq", "igm.metrics", "igm.predictions", "igm.models");
      long bytes = replay(bootstrap, ds, plan);
      System.err.printf(
          Locale.ROOT,
          "igm demo: replayed %d records (%d bytes) to %s%n",
          plan.entries().size(),
          bytes,
          TOPIC);

      List<String> overrides =
          new ArrayList<>(
              List.of(
                  "kafka.bootstrap=" + bootstrap,
                  "input.bounded=true",
                  "input.starting.offsets=earliest",
                  "model.store=" + work.resolve("models"),
                  "flink.execution.checkpointing.dir=" + work.resolve("checkpoints").toUri(),
                  "flink.execution.checkpointing.interval=5s",
                  "model.defaults.seed=" + seed));
      cluster.jobSettings().forEach(s -> overrides.add(s.key() + "=" + s.value()));
      TrainJobConfig jobConfig = TrainJobConfig.load(resolve(config), overrides);
      // this replay's epochs are known here, unlike in a stream: an MLA model that asks for neither
      // a constant alpha
      // nor its own epoch length follows alpha's per-epoch schedule over them
      List<String> mla = new ArrayList<>();
      jobConfig
          .models()
          .forEach(
              (id, m) -> {
                if (m.method() == dev.igm.core.config.IgmConfig.Method.MLA
                    && m.mlaBatchesPerEpoch() == 0
                    && m.mlaAlpha() == 0.1 /* the default: no constant asked for */) {
                  int nb = OfflineFit.batchesPerEpoch(ds, m.batchSize());
                  mla.add("models." + id + ".mla.batches-per-epoch=" + nb);
                  System.err.printf(
                      Locale.ROOT,
                      "igm demo: model %s (mla): mla.batches-per-epoch %d (%d TRAIN rows / batch %d)%n",
                      id,
                      nb,
                      ds.rows(Split.TRAIN).size(),
                      m.batchSize());
                }
              });
      if (!mla.isEmpty()) {
        overrides.addAll(mla);
        jobConfig = TrainJobConfig.load(resolve(config), overrides);
      }
      System.err.println(
          "igm demo: training "
              + jobConfig.models().keySet()
              + " side by side on embedded Flink ...");
      AtomicBoolean running = new AtomicBoolean(true);
      Thread progress =
          progressLine(
              bootstrap, plan.trainingEntries().size(), jobConfig.models().size(), running);
      try {
        TrainingJob.run(jobConfig);
      } finally {
        running.set(false);
        progress.join(5000);
      }

      System.err.println(
          "igm demo: reading the TEST predictions and the metrics, writing the report ...");
      MetricsTable table =
          TestPredictions.table(
              TestPredictions.read(bootstrap, "igm.predictions", Map.of(), Duration.ofSeconds(60)),
              ds.modalities());
      if (table.isEmpty()) {
        throw new IllegalStateException("the training job published no TEST predictions");
      }
      Files.writeString(work.resolve("table.md"), table.markdown());
      // the broker goes when the demo ends: the records go with the report, which names them, not
      // the broker
      Path report = work.resolve("report");
      Files.createDirectories(report);
      MetricsLog log;
      try (MetricsFileWriter saved = MetricsFileWriter.create(report.resolve("metrics.jsonl"))) {
        log =
            new KafkaMetricsReader(bootstrap, Duration.ofSeconds(60), Map.of())
                .copyingTo(saved)
                .read("igm.metrics", "igm.samples.dlq");
      }
      log.replaceSources(
          "topics igm.metrics and igm.samples.dlq of the demo's own broker (stopped when the demo"
              + " ended), "
              + log.recordCount()
              + " metrics records, saved beside this report as metrics.jsonl ('igm report"
              + " --metrics-file metrics.jsonl' reads them again)");
      String source =
          "the streaming job's predictions on the demo's own broker (stopped when the demo ended)";
      new HtmlReport(TauSettings.defaults()).withTest(table, source).write(log, report);
      System.out.println(
          "TEST (" + ds.rows(Split.TEST).size() + " rows, predictions of the streaming job)");
      System.out.print(table.text());
    }
  }

  private static Path resolve(Path p) {
    String root = System.getProperty("igm.project.root");
    return p.isAbsolute() || root == null ? p : Path.of(root).resolve(p);
  }

  /**
   * Shows samples trained (all models together, of all they will train) from the metrics topic
   * while the job runs.
   */
  private static Thread progressLine(
      String bootstrap, int perModel, int models, AtomicBoolean running) {
    Thread t =
        new Thread(
            () -> {
              Properties c = new Properties();
              c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
              c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
              AvroBytes<TrainingMetrics> avro = AvroBytes.of(TrainingMetrics.class);
              Map<String, Long> trained = new TreeMap<>();
              ProgressLine line = ProgressLine.onStderr("igm demo:", "samples trained");
              try (KafkaConsumer<byte[], byte[]> consumer =
                  new KafkaConsumer<>(
                      c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                TopicPartition tp = new TopicPartition("igm.metrics", 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                while (running.get()) {
                  for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    TrainingMetrics m = avro.decode(r.value());
                    trained.merge(m.getModelId(), m.getSamplesTrained(), Math::max);
                  }
                  if (!trained.isEmpty()) {
                    StringBuilder per = new StringBuilder();
                    trained.forEach(
                        (k, v) ->
                            per.append(per.length() == 0 ? "" : ", ")
                                .append(k)
                                .append(' ')
                                .append(v));
                    line.update(
                        trained.values().stream().mapToLong(Long::longValue).sum(),
                        (long) perModel * models,
                        "(" + per + ")");
                  }
                }
              } catch (Exception e) {
                System.err.println("igm demo: progress line stopped: " + e);
              } finally {
                line.done();
              }
            },
            "igm-demo-progress");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static long replay(String bootstrap, MultiViewDataset ds, ReplayPlan plan) {
    SampleEncoder encoder =
        new SampleEncoder(ds.name(), EventClock.wall(java.time.Clock.systemUTC()));
    ProducerSettings settings =
        new ProducerSettings(
            bootstrap,
            ProducerSettings.DEFAULT_LINGER_MS,
            ProducerSettings.DEFAULT_BATCH_BYTES,
            ProducerSettings.DEFAULT_MAX_REQUEST_BYTES,
            Map.of());
    return new KafkaReplayer(TOPIC, 0)
        .replay(plan, new TableSource(ds), encoder, settings, ReplayProgress.NONE)
        .valueBytes();
  }
}
