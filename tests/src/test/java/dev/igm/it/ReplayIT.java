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
 * {@code igm replay --dataset segment} through a real broker, twice: the topic holds epochs × TRAIN rows + the
 * evaluation rows, in {@link ReplayPlan} order, with the standardised features, and the second replay is identical.
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

    // igm fit's defaults: 20% of TRAIN carved into VALID with split seed 1, then standardised on TRAIN
    MultiViewDataset raw = ValidationSplit.carve(BundledDatasets.segment(), 0.2, 1);
    MultiViewDataset standardised = ViewStandardizer.fit(raw).apply(raw);
    List<ReplayPlan.Entry> plan = ReplayPlan.of(standardised, EPOCHS, SHUFFLE_SEED, false).entries();
    int expected = EPOCHS * raw.rows(Split.TRAIN).size() + raw.rows(Split.VALID).size() + raw.rows(Split.TEST).size();
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
      assertThat(b.get(i).value()).as("value of record %d in the second replay", i).isEqualTo(r.value());

      MultimodalSample s = avro.decode(r.value());
      assertThat(s.getSampleId()).isEqualTo(entry.sampleId());
      assertThat(s.getSplit()).isEqualTo(entry.row().split());
      assertThat(s.getLabel()).isEqualTo(entry.row().label());
      assertThat(s.getStream()).isEqualTo("segment");
      Map<String, Tensor> mods = s.getModalities();
      assertThat(mods).containsOnlyKeys("shape", "colour");
      for (String m : List.of("shape", "colour")) {
        assertThat(codec.shape(mods.get(m))).containsExactly(entry.row().view(m).length);
        assertThat(codec.toFloatArray(mods.get(m))).as("%s of record %d", m, i).containsExactly(entry.row().view(m));
      }
    }
  }

  private int replay(String topic) {
    return IgmCli.run("replay", "--dataset", "segment", "--epochs", Integer.toString(EPOCHS),
        "--shuffle-seed", Long.toString(SHUFFLE_SEED), "--bootstrap", KAFKA.bootstrapServers(), "--topic", topic,
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
