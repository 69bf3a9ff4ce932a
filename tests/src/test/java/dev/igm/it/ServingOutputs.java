package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.DeadLetter;
import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.Prediction;
import dev.igm.codec.AvroBytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the serving ITs read back from a serving job: its predictions, dead letters and counters.
 */
final class ServingOutputs {
  private static final AvroBytes<Prediction> PREDICTIONS = AvroBytes.of(Prediction.class);
  private static final AvroBytes<DeadLetter> DEAD_LETTERS = AvroBytes.of(DeadLetter.class);
  private static final AvroBytes<ModelSnapshot> SNAPSHOTS = AvroBytes.of(ModelSnapshot.class);

  private ServingOutputs() {}

  /** Publishes a model version on the models topic, keyed by its model id. */
  static void publish(KafkaProducer<byte[], byte[]> producer, String topic, ModelSnapshot s)
      throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                topic, s.getModelId().getBytes(StandardCharsets.UTF_8), SNAPSHOTS.encode(s)))
        .get(30, TimeUnit.SECONDS);
  }

  /** Waits for a prediction of each of {@code ids}; returns them in that order. */
  static Map<String, Prediction> awaitPredictions(
      TopicTail predictions, List<String> ids, Duration wait) throws InterruptedException {
    Set<String> wanted = Set.copyOf(ids);
    Map<String, Prediction> all =
        byId(
            predictions.await(
                r -> byId(r).keySet().containsAll(wanted),
                wait,
                "predictions of " + ids.size() + " samples"));
    Map<String, Prediction> out = new LinkedHashMap<>();
    ids.forEach(id -> out.put(id, all.get(id)));
    return out;
  }

  /** The predictions by sample id, asserting one prediction per sample. */
  static Map<String, Prediction> byId(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<String, Prediction> out = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      Prediction p = decode(PREDICTIONS, r.value());
      Prediction previous = out.put(p.getSampleId(), p);
      assertThat(previous).as("one prediction per sample (%s)", p.getSampleId()).isNull();
    }
    return out;
  }

  /** The reasons of dead-letter records. */
  static List<String> reasons(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().map(r -> decode(DEAD_LETTERS, r.value()).getReason()).toList();
  }

  static DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record) {
    return decode(DEAD_LETTERS, record.value());
  }

  /** The sum of a serving counter over the job's parallel instances. */
  static long counter(InMemoryReporter metrics, JobID job, String name) {
    long sum = 0;
    for (Map.Entry<String, Metric> e : metrics.findMetrics(job, name).entrySet()) {
      if (e.getKey().contains("igm_serving") && e.getValue() instanceof Counter c) {
        sum += c.getCount();
      }
    }
    return sum;
  }

  static <T extends org.apache.avro.specific.SpecificRecord> T decode(
      AvroBytes<T> avro, byte[] bytes) {
    try {
      return avro.decode(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
