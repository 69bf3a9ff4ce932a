package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.DeadLetter;
import dev.igm.avro.MultimodalSample;
import dev.igm.avro.TrainingMetrics;
import dev.igm.codec.AvroBytes;
import dev.igm.codec.TensorCodec;
import dev.igm.data.ReplayPlan;
import dev.igm.jobs.TrainJobConfig;
import dev.igm.jobs.TrainingData;
import dev.igm.jobs.TrainingJob;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every kind of bad record, interleaved with 120 valid ones, lands in the dead-letter topic with
 * its raw bytes, source offset and a reason naming the problem; the job keeps running and trains
 * every valid sample.
 */
@Timeout(180) // a hung job must fail CI, not stall it
class BadInputIT {
  private static final Logger LOG = LoggerFactory.getLogger(BadInputIT.class);

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  @TempDir Path scratch;

  private record Bad(String kind, String reasonPart, byte[] bytes) {}

  @Test
  void badRecordsGoToTheDeadLetterTopicAndValidOnesAreAllTrained() throws Exception {
    long t0 = System.nanoTime();
    TrainingData data = TrainingData.segment(120, 0, 1, 3);
    AvroBytes<MultimodalSample> avro = AvroBytes.of(MultimodalSample.class);
    TensorCodec codec = TensorCodec.create();
    ReplayPlan.Entry template = data.entries().get(0);
    UnaryOperator<MultimodalSample> copy = s -> MultimodalSample.newBuilder(s).build();
    List<Bad> bad = new ArrayList<>();
    byte[] good = avro.encode(data.record(template, 0));
    bad.add(new Bad("CORRUPT_RECORD", "corrupt Avro", Arrays.copyOf(good, good.length / 2)));
    MultimodalSample s = copy.apply(data.record(template, 0));
    s.getModalities().put("depth", codec.encodeFloat32(new float[] {1f}, 1));
    bad.add(new Bad("UNKNOWN_MODALITY", "unknown modality 'depth'", avro.encode(s)));
    s = copy.apply(data.record(template, 0));
    s.getModalities().remove("colour");
    bad.add(new Bad("MISSING_MODALITY", "missing modality [colour]", avro.encode(s)));
    s = copy.apply(data.record(template, 0));
    s.getModalities().put("shape", codec.encodeFloat32(new float[8], 8));
    bad.add(
        new Bad(
            "WRONG_SHAPE",
            "modality 'shape' has shape [8] but the model expects [9]",
            avro.encode(s)));
    s = copy.apply(data.record(template, 0));
    s.getModalities().put("colour", codec.encodeInt64(new long[10], 10));
    bad.add(new Bad("WRONG_DTYPE", "dtype int64", avro.encode(s)));
    s = copy.apply(data.record(template, 0));
    float[] nan = new float[9];
    nan[4] = Float.NaN;
    s.getModalities().put("shape", codec.encodeFloat32(nan, 9));
    bad.add(new Bad("NON_FINITE", "NaN at flat index 4", avro.encode(s)));
    s = copy.apply(data.record(template, 0));
    s.setLabel(7);
    bad.add(new Bad("LABEL_OUT_OF_RANGE", "label 7 is outside [0, 7)", avro.encode(s)));
    s = copy.apply(data.record(template, 0));
    s.getModalities()
        .put(
            "shape",
            codec.encodeFloat32(new float[300], 300)); // 1200 bytes > input.max.tensor.bytes
    bad.add(new Bad("OVERSIZE", "over the limit of 1024 bytes", avro.encode(s)));
    s = copy.apply(data.record(template, 0));
    s.setLabel(null);
    bad.add(new Bad("MISSING_LABEL", "needs a label", avro.encode(s)));

    // interleave: a bad record after every 13 valid ones
    List<byte[]> valid = data.encodedRecords();
    List<byte[]> all = new ArrayList<>();
    List<Long> badOffsets = new ArrayList<>();
    int b = 0;
    for (int i = 0; i < valid.size(); i++) {
      all.add(valid.get(i));
      if (i % 13 == 12 && b < bad.size()) {
        badOffsets.add((long) all.size());
        all.add(bad.get(b++).bytes());
      }
    }
    assertThat(b).isEqualTo(bad.size());
    JobFixture.Topics topics = JobFixture.Topics.create(KAFKA);
    TrainingData.produce(KAFKA.bootstrapServers(), topics.samples(), all);
    TrainJobConfig config =
        JobFixture.config(
            KAFKA, topics, scratch, JobFixture.uniqueGroup("bad"), "input.max.tensor.bytes=1024");

    TrainingJob.run(config); // returns normally: the job did not fail

    List<DeadLetter> dead = JobFixture.read(KAFKA, topics.dlq(), bad.size(), DeadLetter.class);
    assertThat(dead).hasSize(bad.size());
    for (int i = 0; i < bad.size(); i++) {
      DeadLetter d = dead.get(i);
      assertThat(d.getReason())
          .as("dead letter %d", i)
          .startsWith(bad.get(i).kind())
          .contains(bad.get(i).reasonPart());
      assertThat(d.getSourceTopic()).isEqualTo(topics.samples());
      assertThat(d.getSourceOffset()).isEqualTo(badOffsets.get(i));
      assertThat(d.getStage())
          .isEqualTo(i == 0 || bad.get(i).kind().equals("OVERSIZE") ? "decode" : "validate");
      ByteBuffer raw = d.getRawValue();
      byte[] rawBytes = new byte[raw.remaining()];
      raw.get(rawBytes);
      assertThat(rawBytes).as("raw bytes kept").isEqualTo(bad.get(i).bytes());
      LOG.info("dead letter @{}: {}", d.getSourceOffset(), d.getReason());
    }
    List<TrainingMetrics> metrics =
        JobFixture.read(KAFKA, topics.metrics(), 4, TrainingMetrics.class);
    for (String id : config.models().keySet()) {
      TrainingMetrics fin =
          metrics.stream()
              .filter(m -> m.getModelId().equals(id))
              .max(
                  Comparator.comparingLong(TrainingMetrics::getBatches)
                      .thenComparingLong(m -> m.getTime().toEpochMilli()))
              .orElseThrow();
      assertThat(fin.getSamplesTrained() + 120 % 16)
          .as("model %s: every valid sample trained (or pending)", id)
          .isEqualTo(120);
      assertThat(fin.getDeadLetters()).isEqualTo(bad.size());
    }
    LOG.info("Bad input: {} ms", (System.nanoTime() - t0) / 1_000_000);
  }
}
