package dev.igm.flink.serve;

import static dev.igm.flink.serve.OperatorFixtures.DEAD_LETTERS;
import static dev.igm.flink.serve.OperatorFixtures.assertScoredBy;
import static dev.igm.flink.serve.OperatorFixtures.idle;
import static dev.igm.flink.serve.OperatorFixtures.inputs;
import static dev.igm.flink.serve.OperatorFixtures.modelRecord;
import static dev.igm.flink.serve.OperatorFixtures.oneTurn;
import static dev.igm.flink.serve.OperatorFixtures.sample;
import static dev.igm.flink.serve.OperatorFixtures.sampleRecord;
import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.DeadLetter;
import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Prediction;
import dev.igm.core.serve.BatchingPolicy;
import dev.igm.core.serve.ModelStoreRoot;
import dev.igm.core.serve.QualityGate;
import dev.igm.core.serve.ServingPolicy;
import dev.igm.core.serve.ServingPolicy.BeforeFirstModel;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.TrainerSnapshot;
import dev.igm.flink.RawRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving operator's batching under Flink's operator test harness: when a batch is scored
 * (full, input idle, delay, new version, checkpoint), what a batch with bad records gives, and what
 * a checkpoint keeps.
 */
class ModelServingOperatorTest {
  @TempDir static Path store;

  private static TrainerSnapshot first;
  private static TrainerSnapshot second;
  private static ModelSnapshot v1;
  private static ModelSnapshot v2;
  private static IgmTrainer firstReference;
  private static IgmTrainer secondReference;

  private final Random random = new Random(17);

  /** Every sample sent, by id, with its inputs, to recompute its prediction. */
  private final Map<String, float[][]> sent = new LinkedHashMap<>();

  private final List<TwoInputStreamOperatorTestHarness<RawRecord, RawRecord, Prediction>>
      harnesses = new ArrayList<>();
  private long offset;

  @BeforeAll
  static void publishTwoVersions() throws Exception {
    first = OperatorFixtures.trained(7);
    second = OperatorFixtures.trained(8);
    v1 = OperatorFixtures.publish(first, store.resolve("m/v1.safetensors"), "m", 1);
    v2 = OperatorFixtures.publish(second, store.resolve("m/v2.safetensors"), "m", 2);
    firstReference = first.restore();
    secondReference = second.restore();
  }

  @AfterAll
  static void closeReferences() {
    firstReference.close();
    secondReference.close();
  }

  @AfterEach
  void closeHarnesses() throws Exception {
    for (var h : harnesses) {
      h.close();
    }
  }

  @Test
  void scoresAFullBatchAtOnceInArrivalOrder() throws Exception {
    var h = open(new BatchingPolicy(4, Duration.ofHours(1)));
    h.processElement2(new StreamRecord<>(modelRecord(0, v1)));
    List<String> ids = send(h, "s", 3);
    assertThat(h.extractOutputValues()).as("3 of 4: the batch waits").isEmpty();
    ids.addAll(send(h, "t", 1));
    List<Prediction> out = h.extractOutputValues();
    assertThat(out).extracting(Prediction::getSampleId).containsExactlyElementsOf(ids);
    out.forEach(p -> assertScoredBy(p, firstReference, sent.get(p.getSampleId())));
    assertThat(out).extracting(Prediction::getModelVersion).containsOnly(1L);
  }

  @Test
  void scoresAsSoonAsTheInputIsIdleButNotWhileSamplesKeepComing() throws Exception {
    var h = open(new BatchingPolicy(100, Duration.ofHours(1)));
    h.processElement2(new StreamRecord<>(modelRecord(0, v1)));
    List<String> ids = send(h, "s", 1);
    oneTurn(h); // the probe arms itself
    ids.addAll(send(h, "t", 1)); // ... and a sample came in during the next turn
    oneTurn(h);
    ids.addAll(send(h, "u", 1));
    oneTurn(h);
    assertThat(h.extractOutputValues()).as("the input kept delivering").isEmpty();
    idle(h); // a turn with no input
    assertThat(h.extractOutputValues())
        .extracting(Prediction::getSampleId)
        .containsExactlyElementsOf(ids);

    List<String> lone = send(h, "lone", 1);
    idle(h);
    assertThat(h.extractOutputValues())
        .extracting(Prediction::getSampleId)
        .endsWith(lone.get(0))
        .hasSize(4);
  }

  @Test
  void scoresWhenTheOldestSampleHasWaitedTheDelay() throws Exception {
    var h = open(new BatchingPolicy(100, Duration.ofMillis(10)));
    h.processElement2(new StreamRecord<>(modelRecord(0, v1)));
    h.setProcessingTime(0);
    List<String> ids = send(h, "s", 1);
    h.setProcessingTime(5);
    ids.addAll(send(h, "t", 1));
    h.setProcessingTime(9);
    assertThat(h.extractOutputValues()).isEmpty();
    h.setProcessingTime(10);
    assertThat(h.extractOutputValues())
        .extracting(Prediction::getSampleId)
        .containsExactlyElementsOf(ids);

    h.setProcessingTime(12);
    List<String> later = send(h, "later", 1);
    h.setProcessingTime(21);
    assertThat(h.extractOutputValues()).hasSize(2);
    h.setProcessingTime(22);
    assertThat(h.extractOutputValues())
        .extracting(Prediction::getSampleId)
        .endsWith(later.get(0))
        .hasSize(3);
  }

  @Test
  void samplesBeforeANewVersionAreScoredByTheVersionTheyMet() throws Exception {
    var h = open(new BatchingPolicy(100, Duration.ofHours(1)));
    h.processElement2(new StreamRecord<>(modelRecord(0, v1)));
    List<String> before = send(h, "before", 3);
    assertThat(h.extractOutputValues()).isEmpty();
    h.processElement2(new StreamRecord<>(modelRecord(1, v2)));
    List<String> after = send(h, "after", 2);
    idle(h);

    List<Prediction> out = h.extractOutputValues();
    assertThat(out)
        .extracting(Prediction::getSampleId)
        .containsExactlyElementsOf(concat(before, after));
    for (Prediction p : out) {
      boolean old = before.contains(p.getSampleId());
      assertThat(p.getModelVersion()).as(p.getSampleId()).isEqualTo(old ? 1L : 2L);
      assertScoredBy(p, old ? firstReference : secondReference, sent.get(p.getSampleId()));
    }
  }

  @Test
  void aRecordThatCannotBeScoredGoesToTheDeadLettersAndItsBatchMatesAreScored() throws Exception {
    var h = open(new BatchingPolicy(100, Duration.ofHours(1)));
    h.processElement2(new StreamRecord<>(modelRecord(0, v1)));
    List<String> good = new ArrayList<>();
    good.addAll(send(h, "g0", 1));
    h.processElement1(
        new StreamRecord<>(OperatorFixtures.raw("samples", 100, "junk", new byte[] {1, 2, 3})));
    good.addAll(send(h, "g1", 1));
    MultimodalSample noB = sample("no-b", inputs(random));
    noB.getModalities().remove("b");
    h.processElement1(new StreamRecord<>(sampleRecord(101, noB)));
    good.addAll(send(h, "g2", 1));
    float[][] nan = inputs(random);
    nan[0][3] = Float.NaN;
    h.processElement1(new StreamRecord<>(sampleRecord(102, sample("nan", nan))));
    MultimodalSample wrongSize = sample("short", new float[][] {new float[5], new float[4]});
    h.processElement1(new StreamRecord<>(sampleRecord(103, wrongSize)));
    good.addAll(send(h, "g3", 1));
    idle(h);

    List<Prediction> out = h.extractOutputValues();
    assertThat(out).extracting(Prediction::getSampleId).containsExactlyElementsOf(good);
    out.forEach(p -> assertScoredBy(p, firstReference, sent.get(p.getSampleId())));
    List<DeadLetter> dead = deadLetters(h);
    assertThat(dead)
        .extracting(DeadLetter::getSourceOffset)
        .containsExactly(100L, 101L, 102L, 103L);
    assertThat(dead.get(0).getReason()).contains("corrupt");
    assertThat(dead.get(1).getReason())
        .contains("model m v1 cannot score it")
        .contains("has no modality 'b'");
    assertThat(dead.get(2).getReason()).contains("non-finite value NaN");
    assertThat(dead.get(3).getReason()).contains("has 5 values, the model takes 6");
    assertThat(dead).allMatch(d -> d.getStage().equals("serve"));
  }

  @Test
  void eachSampleGetsOnePredictionPerModelInThePolicysOrder() throws Exception {
    ModelSnapshot n1 = OperatorFixtures.publish(second, store.resolve("n/v1.safetensors"), "n", 1);
    var h =
        open(
            new ServingPolicy(List.of("m", "n"), BeforeFirstModel.HOLD, 100, QualityGate.OFF),
            new BatchingPolicy(100, Duration.ofHours(1)));
    h.processElement2(new StreamRecord<>(modelRecord(0, v1)));
    h.processElement2(new StreamRecord<>(modelRecord(1, n1)));
    List<String> ids = send(h, "s", 3);
    idle(h);
    List<Prediction> out = h.extractOutputValues();
    assertThat(out)
        .extracting(p -> p.getSampleId() + "/" + p.getModelId())
        .containsExactly(
            ids.get(0) + "/m",
            ids.get(0) + "/n",
            ids.get(1) + "/m",
            ids.get(1) + "/n",
            ids.get(2) + "/m",
            ids.get(2) + "/n");
    for (Prediction p : out) {
      assertScoredBy(
          p,
          p.getModelId().equals("m") ? firstReference : secondReference,
          sent.get(p.getSampleId()));
    }
  }

  @Test
  void predictionsKeepTheirSamplesTimestamps() throws Exception {
    var h = open(new BatchingPolicy(100, Duration.ofHours(1)));
    h.processElement2(new StreamRecord<>(modelRecord(0, v1)));
    MultimodalSample s = sample("stamped", inputs(random));
    h.processElement1(new StreamRecord<>(sampleRecord(1, s), 4242L));
    MultimodalSample t = sample("unstamped", inputs(random));
    h.processElement1(new StreamRecord<>(sampleRecord(2, t)));
    idle(h);
    var records = new ArrayList<>(h.extractOutputStreamRecords());
    assertThat(records).hasSize(2);
    assertThat(records.get(0).hasTimestamp()).isTrue();
    assertThat(records.get(0).getTimestamp()).isEqualTo(4242L);
    assertThat(records.get(1).hasTimestamp()).isFalse();
  }

  @Test
  void aCheckpointScoresTheOpenBatchBeforeTheBarrierAndARestoreScoresNothingTwice()
      throws Exception {
    var h = open(new BatchingPolicy(100, Duration.ofHours(1)));
    h.processElement2(new StreamRecord<>(modelRecord(0, v1)));
    List<String> before = send(h, "before", 3);
    assertThat(h.extractOutputValues()).isEmpty();
    h.prepareSnapshotPreBarrier(1);
    List<String> atBarrier = ids(h.extractOutputValues());
    OperatorSubtaskState checkpoint = h.snapshot(1, 1);
    assertThat(atBarrier).as("scored before the barrier").containsExactlyElementsOf(before);

    // The job fails after the checkpoint and restarts from it: samples after the checkpoint are
    // read again.
    var restored = restore(checkpoint, new BatchingPolicy(100, Duration.ofHours(1)));
    List<String> after = send(restored, "after", 2);
    idle(restored);
    List<Prediction> out = restored.extractOutputValues();
    assertThat(ids(out)).as("nothing scored twice, nothing lost").containsExactlyElementsOf(after);
    out.forEach(p -> assertScoredBy(p, firstReference, sent.get(p.getSampleId())));
    assertThat(out)
        .extracting(Prediction::getModelVersion)
        .containsOnly(1L); // v1 from the broadcast state
  }

  @Test
  void samplesStillBatchedInACheckpointAreScoredOnceAfterTheRestore() throws Exception {
    var h = open(new BatchingPolicy(100, Duration.ofHours(1)));
    h.processElement2(new StreamRecord<>(modelRecord(0, v1)));
    List<String> batched = send(h, "batched", 3);
    // A snapshot taken without the pre-barrier flush (Flink always flushes first; the state must
    // not lose them anyway).
    OperatorSubtaskState checkpoint = h.snapshot(1, 1);
    assertThat(h.extractOutputValues()).isEmpty();

    var restored = restore(checkpoint, new BatchingPolicy(100, Duration.ofHours(1)));
    assertThat(restored.extractOutputValues()).isEmpty();
    idle(restored);
    List<String> after = send(restored, "after", 1);
    idle(restored);
    List<Prediction> out = restored.extractOutputValues();
    assertThat(ids(out)).containsExactlyElementsOf(concat(batched, after));
    out.forEach(p -> assertScoredBy(p, firstReference, sent.get(p.getSampleId())));

    // The restored batch is also scored by its timer when no mail runs (a task that never goes
    // idle).
    var again = restore(checkpoint, new BatchingPolicy(100, Duration.ofMillis(10)));
    again.setProcessingTime(again.getProcessingTime() + 10);
    assertThat(ids(again.extractOutputValues())).containsExactlyElementsOf(batched);
  }

  @Test
  void samplesBeforeTheFirstVersionAreHeldThenScoredInBatchesOrRejected() throws Exception {
    var h = open(new BatchingPolicy(2, Duration.ofHours(1)));
    List<String> early = send(h, "early", 5);
    idle(h);
    assertThat(h.extractOutputValues()).isEmpty();
    assertThat(deadLetters(h)).isEmpty();
    OperatorSubtaskState checkpoint = h.snapshot(1, 1);

    var restored = restore(checkpoint, new BatchingPolicy(2, Duration.ofHours(1)));
    restored.processElement2(new StreamRecord<>(modelRecord(0, v1)));
    List<Prediction> out = restored.extractOutputValues();
    assertThat(ids(out)).containsExactlyElementsOf(early);
    out.forEach(p -> assertScoredBy(p, firstReference, sent.get(p.getSampleId())));

    var rejecting =
        open(
            new ServingPolicy(List.of("m"), BeforeFirstModel.REJECT, 100, QualityGate.OFF),
            new BatchingPolicy(100, Duration.ofHours(1)));
    List<String> refused = send(rejecting, "refused", 2);
    idle(rejecting);
    assertThat(deadLetters(rejecting))
        .hasSize(2)
        .allMatch(
            d -> d.getReason().contains("no version of model m in service yet (policy: reject)"));
    assertThat(rejecting.extractOutputValues()).isEmpty();
    assertThat(refused).hasSize(2);
  }

  @Test
  void versionsOutsideTheModelStoreAreRefusedAndTheCurrentOneKeepsServing() throws Exception {
    Path root = Files.createDirectories(store.resolve("confined/store"));
    Path outside = Files.createDirectories(store.resolve("confined/outside"));
    ModelSnapshot inside =
        OperatorFixtures.publish(first, root.resolve("m/v1.safetensors"), "m", 1);
    // A valid file with the right checksum, outside the root: only the location refuses it.
    ModelSnapshot elsewhere =
        OperatorFixtures.publish(second, outside.resolve("v2.safetensors"), "m", 2);
    Files.createSymbolicLink(root.resolve("m/link.safetensors"), outside.resolve("v2.safetensors"));
    String rootUri = root.toUri().toString();
    List<ModelSnapshot> refused =
        List.of(
            OperatorFixtures.announce(second, rootUri + "m/../../outside/v2.safetensors", "m", 2),
            OperatorFixtures.announce(second, "http://127.0.0.1:1/m/v2.safetensors", "m", 3),
            OperatorFixtures.announce(second, outside.resolve("v2.safetensors").toString(), "m", 4),
            OperatorFixtures.announce(second, elsewhere.getUri(), "m", 5),
            OperatorFixtures.announce(second, rootUri + "m/link.safetensors", "m", 6));

    ServingPolicy policy =
        new ServingPolicy(
            List.of("m"),
            BeforeFirstModel.HOLD,
            100,
            QualityGate.OFF,
            ModelStoreRoot.of(root.toString(), Path.of("/")));
    var h = open(policy, new BatchingPolicy(100, Duration.ofHours(1)));
    h.processElement2(new StreamRecord<>(modelRecord(0, inside)));
    for (int i = 0; i < refused.size(); i++) {
      h.processElement2(new StreamRecord<>(modelRecord(1 + i, refused.get(i))));
    }
    List<String> ids = send(h, "s", 2);
    idle(h);

    List<DeadLetter> dead = deadLetters(h);
    assertThat(dead).hasSize(refused.size());
    assertThat(dead)
        .allMatch(
            d ->
                d.getReason()
                    .contains("refused (subtask 0 of 1), the current version stays in service"));
    assertThat(dead.get(0).getReason())
        .contains("outside the model store root")
        .contains("'..' segment");
    assertThat(dead.get(1).getReason())
        .contains("outside the model store root")
        .contains("not on the store's file system");
    assertThat(dead.get(2).getReason())
        .contains("outside the model store root")
        .contains("not below");
    assertThat(dead.get(3).getReason())
        .contains("outside the model store root")
        .contains("not below");
    assertThat(dead.get(4).getReason())
        .contains("outside the model store root")
        .contains("symbolic link");
    List<Prediction> out = h.extractOutputValues();
    assertThat(ids(out)).containsExactlyElementsOf(ids);
    assertThat(out).extracting(Prediction::getModelVersion).containsOnly(1L);
    out.forEach(p -> assertScoredBy(p, firstReference, sent.get(p.getSampleId())));
  }

  // ------------------------------------------------------------------------------------------
  // helpers

  private TwoInputStreamOperatorTestHarness<RawRecord, RawRecord, Prediction> open(
      BatchingPolicy batching) throws Exception {
    return open(
        new ServingPolicy(List.of("m"), BeforeFirstModel.HOLD, 100, QualityGate.OFF), batching);
  }

  private TwoInputStreamOperatorTestHarness<RawRecord, RawRecord, Prediction> open(
      ServingPolicy policy, BatchingPolicy batching) throws Exception {
    var h =
        new TwoInputStreamOperatorTestHarness<>(
            new ModelServingOperator(policy, batching, DEAD_LETTERS));
    harnesses.add(h);
    h.open();
    return h;
  }

  private TwoInputStreamOperatorTestHarness<RawRecord, RawRecord, Prediction> restore(
      OperatorSubtaskState state, BatchingPolicy batching) throws Exception {
    var h =
        new TwoInputStreamOperatorTestHarness<>(
            new ModelServingOperator(
                new ServingPolicy(List.of("m"), BeforeFirstModel.HOLD, 100, QualityGate.OFF),
                batching,
                DEAD_LETTERS));
    harnesses.add(h);
    h.initializeState(state);
    h.open();
    return h;
  }

  /**
   * Sends {@code n} fresh samples (ids {@code prefix-i}) on the samples input; returns their ids.
   */
  private List<String> send(
      TwoInputStreamOperatorTestHarness<RawRecord, RawRecord, Prediction> h, String prefix, int n)
      throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[][] in = inputs(random);
      MultimodalSample s = sample(prefix + "-" + i, in);
      sent.put(s.getSampleId(), in);
      ids.add(s.getSampleId());
      h.processElement1(new StreamRecord<>(sampleRecord(offset++, s)));
    }
    return ids;
  }

  private static List<DeadLetter> deadLetters(TwoInputStreamOperatorTestHarness<?, ?, ?> h) {
    var side = h.getSideOutput(DEAD_LETTERS);
    return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
  }

  private static List<String> ids(List<Prediction> predictions) {
    return predictions.stream().map(Prediction::getSampleId).toList();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
