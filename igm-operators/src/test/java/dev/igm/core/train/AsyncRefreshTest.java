package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.core.CovarianceAccumulator;
import dev.igm.core.FlatMatrix;
import dev.igm.core.FlatModifier;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.model.ModalityNet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The T refresh runs beside the training thread and is taken over when first needed. These tests
 * hold it to the refresh it replaces: the same T, bit for bit, as computing it in place at the
 * refresh point, the same parameters after training, and the same refresh events, in the same
 * order, on the training thread.
 */
class AsyncRefreshTest {

  /** What a listener heard of one refresh: modality, layer, batch and the raw bits of T. */
  private record Heard(String modality, int layer, long batchIndex, long[] bits, Thread thread) {
    String key() {
      return modality + "/" + layer + "@" + batchIndex + ":" + Arrays.hashCode(bits);
    }
  }

  @ParameterizedTest(name = "{0}, covariance.reset {1}")
  @CsvSource({"phased, per-phase", "phased, never", "interleaved, per-phase", "interleaved, never"})
  void takingEveryRefreshOverAtOnceChangesNothing(String schedule, String reset) {
    IgmConfig config =
        Synthetic.config("igm")
            .schedule(IgmConfig.Schedule.valueOf(schedule.toUpperCase()))
            .covarianceReset(
                "never".equals(reset)
                    ? IgmConfig.CovarianceReset.NEVER
                    : IgmConfig.CovarianceReset.PER_PHASE)
            .build();
    List<LabeledSample> data = Synthetic.samples(240, 11);
    List<Heard> inPlace = new ArrayList<>();
    List<Heard> beside = new ArrayList<>();
    try (IgmTrainer a = new IgmTrainer(config);
        IgmTrainer b = new IgmTrainer(config)) {
      a.addListener(recorder(inPlace));
      b.addListener(recorder(beside));
      for (LabeledSample s : data) {
        a.offer(s);
        a.settleRefreshes(); // every refresh taken over right at its refresh point: the
        // synchronous refresh
        b.offer(s);
      }
      b.settleRefreshes();
      List<int[]> pa = Synthetic.parameterBits(a);
      List<int[]> pb = Synthetic.parameterBits(b);
      for (int i = 0; i < pa.size(); i++) {
        assertThat(pb.get(i)).as("tensor %d", i).containsExactly(pa.get(i));
      }
      for (int j = 0; j < 2; j++) {
        for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
          assertThat(bits(b.flatMatrix(j, i)))
              .as("T of modality %d layer %d", j, i)
              .containsExactly(bits(a.flatMatrix(j, i)));
        }
      }
      assertThat(RefreshProbe.count(b)).isEqualTo(RefreshProbe.count(a)).isPositive();
    }
    assertThat(beside.stream().map(Heard::key).toList())
        .isEqualTo(inPlace.stream().map(Heard::key).toList());
    assertThat(beside)
        .isNotEmpty()
        .allSatisfy(h -> assertThat(h.thread()).isSameAs(Thread.currentThread()));
  }

  @Test
  void theRefreshComputesAfterItsBatchAndGivesTheTOfTheCovarianceAtThatPoint() {
    // phases of 3 batches, a then b: batch 2 ends a's phase; a's covariance stays as it is until
    // a's next phase
    IgmConfig config = Synthetic.config("igm").phaseBatches(3).build();
    List<LabeledSample> data = Synthetic.samples(3 * 8, 12);
    try (IgmTrainer t = new IgmTrainer(config)) {
      Synthetic.train(t, data);
      assertThat(t.batches()).isEqualTo(3);
      assertThat(RefreshProbe.count(t)).as("taken over before anything needs it").isZero();
      FlatModifier inPlace = new FlatModifier(config.tau());
      for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
        CovarianceAccumulator c = t.covariance(0, i);
        assertThat(c.updates()).isEqualTo(3);
        FlatMatrix expected = inPlace.compute(c);
        FlatMatrix actual = t.flatMatrix(0, i);
        assertThat(actual.isIdentity()).isFalse();
        assertThat(bits(actual)).as("layer %d", i).containsExactly(bits(expected));
        assertThat(actual.eigenvalues()).containsExactly(expected.eigenvalues());
      }
      assertThat(RefreshProbe.count(t)).isEqualTo(1);
      assertThat(RefreshProbe.computeNanos(t)).isPositive();
    }
  }

  @Test
  void aResetRightAfterTheRefreshDoesNotReachIt() {
    // interleaved with per-phase reset: every refresh point resets the covariances it has just
    // started from
    IgmConfig config =
        Synthetic.config("igm").schedule(IgmConfig.Schedule.INTERLEAVED).tRefreshBatches(2).build();
    List<LabeledSample> data = Synthetic.samples(2 * 8, 13);
    try (IgmTrainer t = new IgmTrainer(config)) {
      Synthetic.train(t, data);
      for (int j = 0; j < 2; j++) {
        assertThat(t.covariance(j, 1).updates()).as("reset at the refresh point").isZero();
        assertThat(t.flatMatrix(j, 1).isIdentity())
            .as("T from the two updates before the reset")
            .isFalse();
      }
    }
  }

  private static TrainingListener recorder(List<Heard> out) {
    return new TrainingListener() {
      @Override
      public void onRefresh(String modality, int layer, FlatMatrix t, long batchIndex) {
        out.add(new Heard(modality, layer, batchIndex, bits(t), Thread.currentThread()));
      }
    };
  }

  private static long[] bits(FlatMatrix t) {
    return Arrays.stream(t.matrix()).mapToLong(Double::doubleToRawLongBits).toArray();
  }
}
