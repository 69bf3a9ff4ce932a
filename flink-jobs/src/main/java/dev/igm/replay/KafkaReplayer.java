package dev.igm.replay;

import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.data.ReplayPlan;
import dev.igm.data.ReplaySource;
import dev.igm.data.SampleEncoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Sends a {@link ReplayPlan} to a Kafka topic as Avro {@link MultimodalSample}s, in plan order,
 * keyed by sample id. The plan order is the training order of {@code igm fit}: with one partition,
 * the topic holds exactly the offline run's sequence. Stops at the first record Kafka rejects and
 * says which one and why.
 */
public final class KafkaReplayer {
  private static final int PROGRESS_EVERY = 512;

  private final String topic;
  private final double rate;

  /**
   * @param topic the topic to write
   * @param rate records per second at most; 0 = as fast as possible
   */
  public KafkaReplayer(String topic, double rate) {
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("rate must be >= 0 records/s, got " + rate);
    }
    this.topic = topic;
    this.rate = rate;
  }

  /** Replays through a new producer with {@code settings}, closing it at the end. */
  public ReplaySummary replay(
      ReplayPlan plan,
      ReplaySource source,
      SampleEncoder encoder,
      ProducerSettings settings,
      ReplayProgress progress) {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(settings.producerProperties())) {
      try {
        // Fetch the topic's metadata before the clock starts: a missing topic or broker fails here,
        // plainly.
        producer.partitionsFor(topic);
      } catch (RuntimeException e) {
        throw new ReplayException(
            "cannot get the metadata of topic "
                + topic
                + " from "
                + settings.bootstrap()
                + ": "
                + e.getMessage(),
            e);
      }
      return replay(plan, source, encoder, producer, progress);
    }
  }

  /**
   * Encodes every record without sending it (checks a dataset end to end, and measures the encoder
   * alone).
   */
  public ReplaySummary dryRun(
      ReplayPlan plan, ReplaySource source, SampleEncoder encoder, ReplayProgress progress) {
    return run(plan, source, encoder, null, progress);
  }

  /** Replays through {@code producer} (left open; flushed at the end). */
  public ReplaySummary replay(
      ReplayPlan plan,
      ReplaySource source,
      SampleEncoder encoder,
      Producer<byte[], byte[]> producer,
      ReplayProgress progress) {
    return run(plan, source, encoder, producer, progress);
  }

  private ReplaySummary run(
      ReplayPlan plan,
      ReplaySource source,
      SampleEncoder encoder,
      Producer<byte[], byte[]> producer,
      ReplayProgress progress) {
    boolean reuse = source.reusesTensors();
    List<ReplayPlan.Entry> entries = plan.entries();
    long total = entries.size();
    long[] perSplit = new long[Split.values().length];
    FirstFailure failure = new FirstFailure();
    long valueBytes = 0;
    long keyBytes = 0;
    long sent = 0;
    double nanosPerRecord = rate > 0 ? 1e9 / rate : 0;
    long start = System.nanoTime();
    try {
      for (ReplayPlan.Entry entry : entries) {
        if (failure.error.get() != null) {
          break;
        }
        if (nanosPerRecord > 0) {
          long due = start + (long) (sent * nanosPerRecord);
          long wait;
          while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
          }
        }
        Map<String, Tensor> tensors = source.tensors(entry.row());
        byte[] value = encoder.toBytes(entry, sent, tensors, reuse);
        byte[] key = entry.sampleId().getBytes(StandardCharsets.UTF_8);
        if (producer != null) {
          try {
            producer.send(
                new ProducerRecord<>(topic, key, value), failure.callbackFor(entry.sampleId()));
          } catch (RuntimeException e) {
            throw new ReplayException(
                "cannot send record "
                    + entry.sampleId()
                    + " ("
                    + value.length
                    + " bytes) to topic "
                    + topic
                    + ": "
                    + e.getMessage(),
                e);
          }
        }
        valueBytes += value.length;
        keyBytes += key.length;
        perSplit[entry.row().split().ordinal()]++;
        sent++;
        if (sent % PROGRESS_EVERY == 0) {
          progress.update(sent, total, valueBytes, System.nanoTime() - start);
        }
      }
      if (producer != null) {
        producer.flush();
      }
    } finally {
      progress.update(sent, total, valueBytes, System.nanoTime() - start);
      progress.done();
    }
    long nanos = System.nanoTime() - start;
    Throwable error = failure.error.get();
    if (error != null) {
      throw new ReplayException(
          "Kafka rejected record "
              + failure.firstId.get()
              + " on topic "
              + topic
              + ": "
              + error
              + " ("
              + failure.failed.get()
              + " of "
              + sent
              + " sent records failed; the replay stopped)",
          error);
    }
    Map<Split, Long> splits = new EnumMap<>(Split.class);
    for (Split s : Split.values()) {
      splits.put(s, perSplit[s.ordinal()]);
    }
    return new ReplaySummary(sent, valueBytes, keyBytes, nanos, splits, producer == null);
  }

  /** Remembers the first record Kafka rejected; callbacks run on the producer's I/O thread. */
  private static final class FirstFailure {
    final AtomicReference<Throwable> error = new AtomicReference<>();
    final AtomicReference<String> firstId = new AtomicReference<>();
    final AtomicLong failed = new AtomicLong();

    Callback callbackFor(String sampleId) {
      // One capturing lambda per record only costs an allocation; the id is what makes a failure
      // actionable.
      return (RecordMetadata md, Exception e) -> {
        if (e != null) {
          failed.incrementAndGet();
          if (error.compareAndSet(null, e)) {
            firstId.set(sampleId);
          }
        }
      };
    }
  }
}
