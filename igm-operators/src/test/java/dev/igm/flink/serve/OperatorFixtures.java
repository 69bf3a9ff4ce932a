package dev.igm.flink.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.DeadLetter;
import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Prediction;
import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.codec.AvroBytes;
import dev.igm.codec.TensorCodec;
import dev.igm.core.serve.ServeFixtures;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.Scores;
import dev.igm.core.train.TrainerSnapshot;
import dev.igm.flink.RawRecord;
import dev.igm.flink.SnapshotRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.assertj.core.data.Offset;

/**
 * Models, snapshot files, records and checks for the serving operator's tests (two modalities a: 6,
 * b: 4; 3 classes).
 */
final class OperatorFixtures {
  static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));
  static final TensorCodec CODEC = TensorCodec.create();
  static final AvroBytes<MultimodalSample> SAMPLES = AvroBytes.of(MultimodalSample.class);
  static final AvroBytes<ModelSnapshot> SNAPSHOTS = AvroBytes.of(ModelSnapshot.class);

  private OperatorFixtures() {}

  static TrainerSnapshot trained(long seed) {
    return ServeFixtures.trained(seed);
  }

  static float[][] inputs(Random r) {
    return ServeFixtures.inputs(r);
  }

  /**
   * Writes {@code snap} to {@code file} and returns the record announcing it as {@code modelId}
   * v{@code version}.
   */
  static ModelSnapshot publish(TrainerSnapshot snap, Path file, String modelId, long version)
      throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, snap.tensors());
    return announce(snap, file.toUri().toString(), modelId, version);
  }

  static ModelSnapshot announce(TrainerSnapshot snap, String uri, String modelId, long version) {
    return SnapshotRecords.announce(
        modelId, version, "igm-nosam", uri, snap.sha256(), snap.metadata(), Map.of());
  }

  static MultimodalSample sample(String id, float[][] in) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("a", CODEC.encodeFloat32(in[0], in[0].length));
    m.put("b", CODEC.encodeFloat32(in[1], in[1].length));
    return MultimodalSample.newBuilder()
        .setSampleId(id)
        .setStream("t")
        .setSplit(Split.TEST)
        .setLabel(1)
        .setEventTime(Instant.ofEpochMilli(123))
        .setModalities(m)
        .build();
  }

  static RawRecord raw(String topic, long offset, String key, byte[] value) {
    return new RawRecord(
        topic, 0, offset, 1000 + offset, key.getBytes(StandardCharsets.UTF_8), value);
  }

  static RawRecord sampleRecord(long offset, MultimodalSample s) {
    return raw("samples", offset, s.getSampleId(), SAMPLES.encode(s));
  }

  static RawRecord modelRecord(long offset, ModelSnapshot s) {
    return raw("models", offset, s.getModelId(), SNAPSHOTS.encode(s));
  }

  /**
   * Runs the task's queued mails until none is left: what the task loop does when no input is
   * waiting.
   */
  static void idle(AbstractStreamOperatorTestHarness<?> h) throws Exception {
    for (int i = 0; i < 100; i++) {
      Optional<Mail> mail = h.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY);
      if (mail.isEmpty()) {
        return;
      }
      mail.get().run();
    }
    throw new AssertionError("the mailbox never ran empty");
  }

  /**
   * One turn of the task loop with input waiting: the mails queued now run (as a batch; mails they
   * queue wait for the next turn), then the task would process the next input record.
   */
  static void oneTurn(AbstractStreamOperatorTestHarness<?> h) throws Exception {
    TaskMailbox mailbox = h.getTaskMailbox();
    if (!mailbox.createBatch()) {
      return;
    }
    Optional<Mail> mail;
    while ((mail = mailbox.tryTakeFromBatch()).isPresent()) {
      mail.get().run();
    }
  }

  /** The prediction equals what {@code reference} computes for {@code in} offline (1e-6). */
  static void assertScoredBy(Prediction p, IgmTrainer reference, float[][] in) {
    Scores expected = reference.score(java.util.Collections.singletonList(in));
    for (int c = 0; c < 3; c++) {
      assertThat((double) p.getFusedProbabilities().get(c))
          .as("%s fused[%d]", p.getSampleId(), c)
          .isCloseTo(expected.fused(0)[c], Offset.offset(1e-6));
      assertThat((double) p.getModalityProbabilities().get("a").get(c))
          .as("%s a[%d]", p.getSampleId(), c)
          .isCloseTo(expected.modality(0, 0)[c], Offset.offset(1e-6));
      assertThat((double) p.getModalityProbabilities().get("b").get(c))
          .as("%s b[%d]", p.getSampleId(), c)
          .isCloseTo(expected.modality(1, 0)[c], Offset.offset(1e-6));
    }
  }
}
