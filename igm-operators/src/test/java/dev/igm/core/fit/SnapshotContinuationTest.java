package dev.igm.core.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.IgmConfigBuilder;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.model.Rng;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.LabeledSample;
import dev.igm.core.train.TrainerSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Continuing a snapshot with another configuration: the settings asked for, the state that has a
 * meaning.
 */
class SnapshotContinuationTest {

  private static IgmConfigBuilder config(String method) {
    return IgmConfig.builder()
        .method(method)
        .addModality(ModalitySpec.features("a", 6))
        .addModality(ModalitySpec.features("b", 4))
        .numClasses(3)
        .headWidths(List.of(16, 8))
        .batchSize(8)
        .phaseBatches(3)
        .lr(0.05)
        .seed(7)
        .deterministic(true);
  }

  private static List<LabeledSample> samples(int n, long seed) {
    Rng rng = new Rng(seed);
    List<LabeledSample> out = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      int y = rng.nextInt(3);
      float[] a = new float[6];
      float[] b = new float[4];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) ((i % 3 == y ? 1.5 : 0) + 0.5 * rng.nextGaussian());
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = (float) ((i == y ? 0.7 : 0) + rng.nextGaussian());
      }
      out.add(new LabeledSample("s" + seed + "-" + s, y, new float[][] {a, b}));
    }
    return out;
  }

  private static void train(IgmTrainer t, List<LabeledSample> data) {
    data.forEach(t::offer);
  }

  private static List<float[]> parameters(IgmTrainer t) {
    List<float[]> out = new ArrayList<>();
    t.nets()
        .forEach(
            net ->
                net.parameters()
                    .forEach(p -> out.add(p.toType(DataType.FLOAT32, false).toFloatArray())));
    return out;
  }

  private static void assertSameParameters(IgmTrainer x, IgmTrainer y) {
    List<float[]> a = parameters(x);
    List<float[]> b = parameters(y);
    assertThat(b).hasSameSizeAs(a);
    for (int i = 0; i < a.size(); i++) {
      assertThat(b.get(i)).as("tensor %d", i).containsExactly(a.get(i));
    }
  }

  private static TrainerSnapshot trained(IgmConfig config, int samples) {
    try (IgmTrainer t = new IgmTrainer(config)) {
      train(t, samples(samples, 1));
      return TrainerSnapshot.capture(t, Map.of());
    }
  }

  @Test
  void theSameSettingsContinueExactlyAsARestoreDoes() {
    IgmConfig igm = config("igm").build();
    TrainerSnapshot snap =
        trained(igm, 8 * 7 + 3); // 7 batches, phases of 3: T of "a" exists; 3 samples pending
    SnapshotContinuation c = SnapshotContinuation.of(snap, igm);
    assertThat(c.notes())
        .contains(
            "optimizer state (sgd) carried over",
            "covariances and T carried over",
            "random stream carried over",
            "3 pending samples of the snapshot's partial batch carried over");
    List<LabeledSample> more = samples(8 * 9, 2);
    try (IgmTrainer continued = c.start();
        IgmTrainer restored = snap.restore()) {
      assertThat(continued.batches()).isEqualTo(7);
      assertThat(continued.pendingCount()).isEqualTo(3);
      train(continued, more);
      train(restored, more);
      assertSameParameters(restored, continued);
      assertThat(TrainerSnapshot.capture(continued, Map.of()).sha256())
          .isEqualTo(TrainerSnapshot.capture(restored, Map.of()).sha256());
    }
  }

  @Test
  void anotherMethodOptimizerAndLearningRateAreWhatTrains() {
    TrainerSnapshot snap = trained(config("igm").build(), 8 * 7);
    IgmConfig joint = config("joint").lr(0.5).optimizer(IgmConfig.OptimizerKind.ADAM).build();
    SnapshotContinuation c = SnapshotContinuation.of(snap, joint);
    assertThat(c.notes())
        .contains("optimizer state starts fresh: the snapshot used sgd, this run adam");
    try (IgmTrainer t = c.start();
        IgmTrainer original = snap.restore()) {
      assertThat(t.config()).isEqualTo(joint);
      assertSameParameters(original, t); // the snapshot's model ...
      List<LabeledSample> more = samples(8, 3);
      train(t, more);
      // ... trained on as joint with Adam at 0.5, and recorded so
      TrainerSnapshot asJoint = TrainerSnapshot.capture(t, Map.of());
      assertThat(asJoint.metadataMap()).containsEntry("method", "joint");
      @SuppressWarnings("unchecked")
      Map<String, Object> recorded = (Map<String, Object>) asJoint.metadataMap().get("config");
      assertThat(recorded)
          .containsEntry("optimizer", "adam")
          .containsEntry("lr", 0.5)
          .containsEntry("method", "joint");
      // joint steps both modalities at once; Adam's first step moves a weight by about lr whatever
      // its gradient
      NDArray w0 = original.nets().get(1).parameters().get(0);
      NDArray w1 = t.nets().get(1).parameters().get(0);
      float moved = w1.sub(w0).abs().max().getFloat();
      assertThat(moved).as("Adam's first step moves by about lr = 0.5").isBetween(0.4f, 0.6f);
    }
  }

  @Test
  void stateWithoutAMeaningForTheNewSettingsStartsFresh() {
    TrainerSnapshot snap = trained(config("igm").build(), 8 * 7 + 2);
    SnapshotContinuation tau = SnapshotContinuation.of(snap, config("igm").tau(1.0).build());
    assertThat(tau.notes())
        .anyMatch(
            n ->
                n.startsWith("covariances carried over; T is the identity until the next refresh"));
    try (IgmTrainer t = tau.start()) {
      assertThat(t.flatMatrix(0, 0)).isNull();
      assertThat(t.covariance(0, 0).updates()).isPositive();
    }
    SnapshotContinuation mla =
        SnapshotContinuation.of(snap, config("mla").batchSize(2).seed(8).build());
    assertThat(mla.notes())
        .contains(
            "MLA projectors start as the identity: method igm kept none",
            "random stream starts from seed 8 (the snapshot's seed was 7)",
            "2 pending samples of the snapshot's partial batch dropped: batch.size 2 is not larger");
    try (IgmTrainer t = mla.start()) {
      assertThat(t.pendingCount()).isZero();
      assertThat(t.projector(0, 6)).isNull(); // widths 6 and 4 differ: no shared first layer
      assertThat(t.projector(1, 16)).isNotNull();
      train(t, samples(8, 4));
      assertThat(t.refusedSteps()).isZero();
    }
  }

  @Test
  void anotherArchitectureIsRefusedNamingEveryDifference() {
    TrainerSnapshot snap = trained(config("igm").build(), 8);
    assertThatThrownBy(
            () ->
                SnapshotContinuation.of(
                    snap, config("igm").headWidths(List.of(32, 8)).numClasses(4).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("head.widths [16, 8] in the snapshot, [32, 8] here")
        .hasMessageContaining("3 classes in the snapshot, 4 here");
    IgmConfig other =
        IgmConfig.builder()
            .method("igm")
            .addModality(ModalitySpec.features("a", 5))
            .addModality(ModalitySpec.features("b", 4))
            .numClasses(3)
            .headWidths(List.of(16, 8))
            .build();
    assertThatThrownBy(() -> SnapshotContinuation.of(snap, other))
        .hasMessageContaining("modality a has input shape [6] in the snapshot, [5] here");
    IgmConfig renamed =
        IgmConfig.builder()
            .method("igm")
            .addModality(ModalitySpec.features("b", 4))
            .addModality(ModalitySpec.features("a", 6))
            .numClasses(3)
            .headWidths(List.of(16, 8))
            .build();
    assertThatThrownBy(() -> SnapshotContinuation.of(snap, renamed))
        .hasMessageContaining("modalities [a, b] in the snapshot, [b, a] here");
  }
}
