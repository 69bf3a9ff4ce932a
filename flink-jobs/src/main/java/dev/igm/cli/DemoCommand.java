package dev.igm.cli;

import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Split;
import dev.igm.codec.AvroBytes;
import dev.igm.codec.TensorCodec;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.fit.Evaluation;
import dev.igm.core.fit.OfflineFit;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.LabeledSample;
import dev.igm.data.BundledDatasets;
import dev.igm.data.MultiViewDataset;
import dev.igm.data.MultiViewRow;
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
      "data (views shape and colour) to topic igm.samples, trains igm and joint side by side from that stream,",
      "prints Acc / macro-F1 / MAP per modality and fused on the TEST records, writes a report and stops the broker."
    })
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--epochs", defaultValue = "20", description = "Replay epochs. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(names = "--methods", split = ",", defaultValue = "igm,joint", description = "Models trained side by side. Default: ${DEFAULT-VALUE}.")
  List<String> methods;

  @Option(names = "--seed", defaultValue = "42", description = "Seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--out", defaultValue = "target/igm-demo", description = "Report folder. Default: ${DEFAULT-VALUE}.")
  Path out;

  private static final String TOPIC = "igm.samples";

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    MultiViewDataset ds = OfflineFit.prepare(BundledDatasets.segment(), true);
    ReplayPlan plan = ReplayPlan.of(ds, epochs, seed, false);
    System.err.printf(Locale.ROOT, "igm demo: %s, %d records to replay (%d epochs)%n", ds, plan.entries().size(), epochs);
    try (LocalKafkaBroker kafka = LocalKafkaBroker.builder().port(0).build().start()) {
      System.err.println("igm demo: Kafka broker listening on " + kafka.bootstrapServers());
      kafka.createTopics(TOPIC);
      long bytes = replay(kafka.bootstrapServers(), ds, plan);
      System.err.printf(Locale.ROOT, "igm demo: replayed %d records (%d bytes) to %s%n", plan.entries().size(), bytes, TOPIC);

      Map<String, IgmTrainer> trainers = new LinkedHashMap<>();
      for (String m : methods) {
        trainers.put(m, new IgmTrainer(IgmConfig.builder().method(m).modalities(OfflineFit.featureModalities(ds))
            .numClasses(ds.classCount()).seed(seed).deterministic(true).build()));
      }
      List<MultiViewRow> testRows = consumeAndTrain(kafka.bootstrapServers(), plan.entries().size(), trainers, ds);
      List<String> groups = new ArrayList<>(ds.modalities());
      groups.add("fused");
      MetricsTable table = new MetricsTable(groups);
      for (Map.Entry<String, IgmTrainer> e : trainers.entrySet()) {
        table.add(e.getKey(), Evaluation.evaluate(e.getValue(), testRows));
        e.getValue().close();
      }
      Files.createDirectories(out);
      Files.writeString(out.resolve("table.md"), table.markdown());
      System.out.println("TEST (" + testRows.size() + " records from the stream)");
      System.out.print(table.text());
      System.err.printf(Locale.ROOT, "igm demo: done in %.1fs; report in %s%n", (System.nanoTime() - t0) / 1e9, out);
    }
    return 0;
  }

  private static long replay(String bootstrap, MultiViewDataset ds, ReplayPlan plan) {
    SampleEncoder encoder = new SampleEncoder(ds.name(), EventClock.wall(java.time.Clock.systemUTC()));
    ProducerSettings settings = new ProducerSettings(bootstrap, ProducerSettings.DEFAULT_LINGER_MS,
        ProducerSettings.DEFAULT_BATCH_BYTES, ProducerSettings.DEFAULT_MAX_REQUEST_BYTES, Map.of());
    return new KafkaReplayer(TOPIC, 0).replay(plan, new TableSource(ds), encoder, settings, ReplayProgress.NONE).valueBytes();
  }

  private static List<MultiViewRow> consumeAndTrain(String bootstrap, int expected, Map<String, IgmTrainer> trainers,
      MultiViewDataset ds) throws Exception {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    TensorCodec codec = TensorCodec.create();
    AvroBytes<MultimodalSample> avro = AvroBytes.of(MultimodalSample.class);
    List<MultiViewRow> test = new ArrayList<>();
    int seen = 0;
    long last = System.nanoTime();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(TOPIC, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      while (seen < expected) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
          MultimodalSample s = avro.decode(r.value());
          Map<String, float[]> views = new LinkedHashMap<>();
          for (String m : ds.modalities()) {
            views.put(m, codec.toFloatArray(s.getModalities().get(m)));
          }
          MultiViewRow row = new MultiViewRow(s.getSampleId(), s.getLabel(), s.getSplit(), views);
          if (s.getSplit() == Split.TRAIN) {
            for (IgmTrainer t : trainers.values()) {
              t.offer(new LabeledSample(s.getSampleId(), s.getLabel(), Evaluation.inputsOf(t.config(), row)));
            }
          } else if (s.getSplit() == Split.TEST) {
            test.add(row);
          }
          seen++;
        }
        if (System.nanoTime() - last > 2e9) {
          System.err.printf(Locale.ROOT, "igm demo: trained from %d/%d records%n", seen, expected);
          last = System.nanoTime();
        }
      }
    }
    return test;
  }
}
