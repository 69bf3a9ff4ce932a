package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.cli.IgmCli;
import dev.igm.codec.AvroBytes;
import dev.igm.codec.TensorCodec;
import dev.igm.data.BundledDatasets;
import dev.igm.data.MultiViewDataset;
import dev.igm.data.ReplayPlan;
import dev.igm.data.ValidationSplit;
import dev.igm.data.ViewStandardizer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code igm replay --dataset segment} through a real broker, twice: the topic holds epochs × TRAIN
 * rows + the evaluation rows, in {@link ReplayPlan} order, with the standardised features, and the
 * second replay is identical.
 */
class ReplayIT {
  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  private static final int EPOCHS = 2;
  private static final long SHUFFLE_SEED = 7;

  private final AvroBytes<MultimodalSample> avro = AvroBytes.of(MultimodalSample.class);
  private final TensorCodec codec = TensorCodec.create();

  @Test
  void segmentReplayEqualsThePlanAndIsStableAcrossReplays() throws Exception {
    String first = KAFKA.uniqueTopic("replay-a");
    String second = KAFKA.uniqueTopic("replay-b");
    assertThat(replay(first)).isZero();
    assertThat(replay(second)).isZero();

    // igm fit's defaults: 20% of TRAIN carved into VALID with split seed 1, then standardised on
    // TRAIN
    MultiViewDataset raw = ValidationSplit.carve(BundledDatasets.segment(), 0.2, 1);
    MultiViewDataset standardised = ViewStandardizer.fit(raw).apply(raw);
    List<ReplayPlan.Entry> plan =
        ReplayPlan.of(standardised, EPOCHS, SHUFFLE_SEED, false).entries();
    int expected =
        EPOCHS * raw.rows(Split.TRAIN).size()
            + raw.rows(Split.VALID).size()
            + raw.rows(Split.TEST).size();
    assertThat(raw.rows(Split.VALID)).hasSize(300);
    assertThat(plan).hasSize(expected);

    List<ConsumerRecord<byte[], byte[]>> a = consume(first, expected);
    List<ConsumerRecord<byte[], byte[]>> b = consume(second, expected);
    assertThat(a).hasSize(expected);
    assertThat(b).hasSize(expected);
    for (int i = 0; i < expected; i++) {
      ReplayPlan.Entry entry = plan.get(i);
      ConsumerRecord<byte[], byte[]> r = a.get(i);
      assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(entry.sampleId());
      assertThat(b.get(i).key()).as("key of record %d in the second replay", i).isEqualTo(r.key());
      assertThat(b.get(i).value())
          .as("value of record %d in the second replay", i)
          .isEqualTo(r.value());

      MultimodalSample s = avro.decode(r.value());
      assertThat(s.getSampleId()).isEqualTo(entry.sampleId());
      assertThat(s.getSplit()).isEqualTo(entry.row().split());
      assertThat(s.getLabel()).isEqualTo(entry.row().label());
      assertThat(s.getStream()).isEqualTo("segment");
      Map<String, Tensor> mods = s.getModalities();
      assertThat(mods).containsOnlyKeys("shape", "colour");
      for (String m : List.of("shape", "colour")) {
        assertThat(codec.shape(mods.get(m))).containsExactly(entry.row().view(m).length);
        assertThat(codec.toFloatArray(mods.get(m)))
            .as("%s of record %d", m, i)
            .containsExactly(entry.row().view(m));
      }
    }
  }

  /** Only the dataset options of igm fit and igm replay (the same mixin both use). */
  @picocli.CommandLine.Command(name = "data")
  static final class DatasetOptions {
    @picocli.CommandLine.Mixin dev.igm.cli.DatasetSource data = new dev.igm.cli.DatasetSource();
  }

  /**
   * A user's table in two files (one per view, joined on a row id) with missing values filled with
   * TRAIN means: the records replayed carry exactly the numbers igm fit's dataset options load, the
   * filled ones included.
   */
  @Test
  void aJoinedTableWithMissingValuesReplaysTheNumbersFitTrainsOn(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    StringBuilder a = new StringBuilder("id,a1,a2,cls\n");
    StringBuilder b = new StringBuilder("id,b1,split\n");
    for (int i = 0; i < 50; i++) {
      a.append("s")
          .append(i)
          .append(',')
          .append(i % 6 == 2 ? "NA" : Integer.toString(i % 3 + i % 5))
          .append(',')
          .append(i % 4)
          .append(",c")
          .append(i % 3)
          .append('\n');
      b.append("s")
          .append(i)
          .append(',')
          .append(i % 9 == 4 ? "?" : Double.toString(i * 0.5))
          .append(',')
          .append(i < 30 ? "train" : i < 40 ? "valid" : "test")
          .append('\n');
    }
    java.nio.file.Path fa = java.nio.file.Files.writeString(dir.resolve("a.csv"), a);
    java.nio.file.Path fb = java.nio.file.Files.writeString(dir.resolve("b.csv"), b);
    String[] options = {
      "--file",
      fa.toString(),
      "--file",
      fb.toString(),
      "--join-column",
      "id",
      "--label",
      "cls",
      "--split-column",
      "split",
      "--missing",
      "mean"
    };
    DatasetOptions fitOptions = new DatasetOptions();
    new picocli.CommandLine(fitOptions)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .parseArgs(options);
    MultiViewDataset expected = fitOptions.data.load();
    // the filled cells hold the TRAIN mean (standardised like every value): not NaN, and equal for
    // every filled row
    assertThat(expected.row(2).view("a")[0]).isEqualTo(expected.row(8).view("a")[0]).isNotNaN();

    String topic = KAFKA.uniqueTopic("replay-own");
    List<String> args = new ArrayList<>(List.of("replay"));
    args.addAll(List.of(options));
    args.addAll(
        List.of(
            "--bootstrap",
            KAFKA.bootstrapServers(),
            "--topic",
            topic,
            "--create-topic",
            "--no-progress",
            "--shuffle-seed",
            "3"));
    assertThat(IgmCli.run(args.toArray(String[]::new))).isZero();

    List<ReplayPlan.Entry> plan = ReplayPlan.of(expected, 1, 3, false).entries();
    List<ConsumerRecord<byte[], byte[]>> records = consume(topic, plan.size());
    assertThat(records).hasSize(plan.size());
    for (int i = 0; i < plan.size(); i++) {
      MultimodalSample s = avro.decode(records.get(i).value());
      ReplayPlan.Entry entry = plan.get(i);
      assertThat(s.getSampleId()).isEqualTo(entry.sampleId());
      for (String m : List.of("a", "b")) {
        assertThat(codec.toFloatArray(s.getModalities().get(m)))
            .as("%s of %s", m, entry.sampleId())
            .containsExactly(entry.row().view(m));
      }
    }
  }

  private int replay(String topic) {
    return IgmCli.run(
        "replay",
        "--dataset",
        "segment",
        "--epochs",
        Integer.toString(EPOCHS),
        "--shuffle-seed",
        Long.toString(SHUFFLE_SEED),
        "--bootstrap",
        KAFKA.bootstrapServers(),
        "--topic",
        topic,
        "--no-progress");
  }

  private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(out::add);
      }
      consumer.poll(Duration.ofMillis(300)).forEach(out::add); // nothing more may arrive
    }
    return out;
  }
}
