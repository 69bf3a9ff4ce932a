package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.codec.AvroBytes;
import dev.igm.codec.TensorCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 1,000 Avro samples with two float32 modalities go through a real broker and come back
 * bit-identical.
 */
class SampleRoundTripIT {

  private static final Logger LOG = LoggerFactory.getLogger(SampleRoundTripIT.class);

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  private static final int COUNT = 1_000;
  private static final int[] AUDIO_SHAPE = {8};
  private static final int[] VIDEO_SHAPE = {2, 3};

  /**
   * Values a float codec gets wrong first: signed zero, subnormals, extremes, infinities, NaN
   * payloads.
   */
  private static final float[] EDGE_FLOATS = {
    -0.0f,
    0.0f,
    Float.MIN_VALUE,
    -Float.MIN_VALUE,
    Float.intBitsToFloat(0x007f_ffff), // largest subnormal
    Float.MIN_NORMAL,
    Float.MAX_VALUE,
    -Float.MAX_VALUE,
    Float.POSITIVE_INFINITY,
    Float.NEGATIVE_INFINITY,
    Float.NaN,
    Float.intBitsToFloat(0x7fc0_1234), // quiet NaN with a payload
    1.0f,
    -1.0f,
    Math.ulp(1.0f),
  };

  private final TensorCodec codec = TensorCodec.create();
  private final AvroBytes<MultimodalSample> avro = AvroBytes.of(MultimodalSample.class);

  @Test
  void thousandSamplesRoundTripBitIdentical() throws Exception {
    long t0 = System.nanoTime();
    String topic = KAFKA.uniqueTopic("it-samples");

    Random random = new Random(20240607L);
    List<float[]> audio = new ArrayList<>(COUNT);
    List<float[]> video = new ArrayList<>(COUNT);
    List<byte[]> sent = new ArrayList<>(COUNT);
    List<String> ids = new ArrayList<>(COUNT);
    long baseTime = Instant.parse("2024-06-07T00:00:00Z").toEpochMilli();
    for (int i = 0; i < COUNT; i++) {
      float[] a = randomFloats(random, 8, i);
      float[] v = randomFloats(random, 6, i + 7);
      Map<String, Tensor> modalities = new LinkedHashMap<>();
      modalities.put("audio", codec.encodeFloat32(a, AUDIO_SHAPE));
      modalities.put("video", codec.encodeFloat32(v, VIDEO_SHAPE));
      String id = "s-" + i;
      MultimodalSample sample =
          MultimodalSample.newBuilder()
              .setSampleId(id)
              .setStream("roundtrip")
              .setSplit(Split.values()[i % 3])
              .setLabel(i % 5 == 4 ? null : i % 10)
              .setEventTime(Instant.ofEpochMilli(baseTime + i))
              .setModalities(modalities)
              .build();
      audio.add(a);
      video.add(v);
      ids.add(id);
      sent.add(avro.encode(sample));
    }

    // ---- produce
    Properties pp = new Properties();
    pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    pp.put(ProducerConfig.ACKS_CONFIG, "all");
    pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    pp.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    List<Future<RecordMetadata>> acks = new ArrayList<>(COUNT);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
      for (int i = 0; i < COUNT; i++) {
        acks.add(
            producer.send(
                new ProducerRecord<>(
                    topic, ids.get(i).getBytes(StandardCharsets.UTF_8), sent.get(i))));
      }
      producer.flush();
      for (int i = 0; i < COUNT; i++) {
        RecordMetadata md = acks.get(i).get(30, TimeUnit.SECONDS);
        assertThat(md.partition()).isZero();
        assertThat(md.offset()).as("offset of record %d", i).isEqualTo(i);
      }
    }
    long produced = System.nanoTime();

    // ---- consume (fresh group, from the beginning)
    Properties cp = new Properties();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    cp.put(ConsumerConfig.GROUP_ID_CONFIG, "it-roundtrip-" + UUID.randomUUID());
    cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> received = new ArrayList<>(COUNT);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (received.size() < COUNT && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(received::add);
      }
      // Nothing beyond the 1,000 records may arrive.
      consumer.poll(Duration.ofMillis(500)).forEach(received::add);
    }
    long consumed = System.nanoTime();

    assertThat(received).hasSize(COUNT);
    for (int i = 0; i < COUNT; i++) {
      ConsumerRecord<byte[], byte[]> r = received.get(i);
      assertThat(r.offset()).as("order within the partition").isEqualTo(i);
      assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(ids.get(i));
      assertThat(r.value()).as("encoded bytes of record %d", i).isEqualTo(sent.get(i));

      MultimodalSample back = avro.decode(r.value());
      assertThat(back.getSampleId().toString()).isEqualTo(ids.get(i));
      assertThat(back.getSplit()).isEqualTo(Split.values()[i % 3]);
      assertThat(back.getLabel()).isEqualTo(i % 5 == 4 ? null : i % 10);
      assertThat(back.getEventTime().toEpochMilli()).isEqualTo(baseTime + i);
      Map<String, Tensor> mods = new LinkedHashMap<>();
      back.getModalities().forEach((k, v) -> mods.put(k.toString(), v));
      assertThat(mods).containsOnlyKeys("audio", "video");
      assertThat(codec.shape(mods.get("audio"))).containsExactly(AUDIO_SHAPE);
      assertThat(codec.shape(mods.get("video"))).containsExactly(VIDEO_SHAPE);
      assertThat(bits(codec.toFloatArray(mods.get("audio"))))
          .as("audio bits of record %d", i)
          .containsExactly(bits(audio.get(i)));
      assertThat(bits(codec.toFloatArray(mods.get("video"))))
          .as("video bits of record %d", i)
          .containsExactly(bits(video.get(i)));
    }
    LOG.info(
        "Round trip of {} samples: produce {} ms, consume {} ms, total incl. topic creation and checks {} ms",
        COUNT,
        (produced - t0) / 1_000_000,
        (consumed - produced) / 1_000_000,
        (System.nanoTime() - t0) / 1_000_000);
  }

  /** Gaussian values from the seeded generator, with one edge float mixed into every sample. */
  private static float[] randomFloats(Random random, int n, int salt) {
    float[] out = new float[n];
    for (int j = 0; j < n; j++) {
      out[j] = (float) random.nextGaussian() * (1 + (salt % 4) * 100f);
    }
    out[Math.floorMod(salt, n)] = EDGE_FLOATS[Math.floorMod(salt, EDGE_FLOATS.length)];
    if (salt % 50 == 0) {
      System.arraycopy(EDGE_FLOATS, 0, out, 0, Math.min(n, EDGE_FLOATS.length));
    }
    return out;
  }

  private static int[] bits(float[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Float.floatToRawIntBits(values[i]);
    }
    return out;
  }
}
