package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.core.ClassificationMetrics;
import dev.igm.core.config.IgmConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IgmTrainerTest {

  @ParameterizedTest
  @ValueSource(strings = {"joint", "unimodal-a", "mla", "igm-nosam", "igm"})
  void everyMethodLearnsTheSeparableView(String method) {
    List<LabeledSample> train = Synthetic.samples(480, 1);
    List<LabeledSample> test = Synthetic.samples(300, 2);
    try (IgmTrainer t = new IgmTrainer(Synthetic.config(method).build())) {
      for (int epoch = 0; epoch < 3; epoch++) {
        Synthetic.train(t, train);
      }
      List<float[][]> inputs = new ArrayList<>();
      int[] labels = new int[test.size()];
      for (int i = 0; i < test.size(); i++) {
        inputs.add(test.get(i).inputs());
        labels[i] = test.get(i).label();
      }
      Scores s = t.score(inputs);
      // far above chance (1/3) and no class left out; measured 0.983 .. 1.0 over seeds 1-8 with the
      // AVX-512, AVX2
      // and generic/SSE4.1 kernels, so the bound holds on any CPU with a wide margin
      double accA = ClassificationMetrics.accuracy(labels, s.perModality()[0], 3);
      assertThat(accA).as("%s accuracy of view a", method).isGreaterThan(0.8);
      assertThat(
              java.util.Arrays.stream(ClassificationMetrics.predict(s.perModality()[0], 3))
                  .distinct()
                  .count())
          .as("%s: classes predicted from view a", method)
          .isEqualTo(3);
      assertThat(t.batches()).isEqualTo(3 * 480 / 8);
      assertThat(t.refusedSteps()).isZero();
    }
  }

  @Test
  void twoDeterministicRunsAreBitIdentical() {
    for (String method : List.of("igm", "mla")) {
      List<LabeledSample> data = Synthetic.samples(200, 3);
      try (IgmTrainer a = new IgmTrainer(Synthetic.config(method).build());
          IgmTrainer b = new IgmTrainer(Synthetic.config(method).build())) {
        Synthetic.train(a, data);
        Synthetic.train(b, data);
        List<int[]> pa = Synthetic.parameterBits(a);
        List<int[]> pb = Synthetic.parameterBits(b);
        for (int i = 0; i < pa.size(); i++) {
          assertThat(pa.get(i)).as("%s tensor %d", method, i).containsExactly(pb.get(i));
        }
      }
    }
  }

  @Test
  void samWithZeroRhoEqualsThePlainStep() {
    List<LabeledSample> data = Synthetic.samples(160, 4);
    try (IgmTrainer sam = new IgmTrainer(Synthetic.config("igm").samRho(0).build());
        IgmTrainer plain = new IgmTrainer(Synthetic.config("igm-nosam").build())) {
      Synthetic.train(sam, data);
      Synthetic.train(plain, data);
      List<int[]> a = Synthetic.parameterBits(sam);
      List<int[]> b = Synthetic.parameterBits(plain);
      for (int i = 0; i < a.size(); i++) {
        assertThat(a.get(i)).containsExactly(b.get(i));
      }
    }
  }

  @Test
  void samWithPositiveRhoChangesTheStep() {
    List<LabeledSample> data = Synthetic.samples(16, 4);
    try (IgmTrainer sam = new IgmTrainer(Synthetic.config("igm").samRho(0.5).build());
        IgmTrainer plain = new IgmTrainer(Synthetic.config("igm-nosam").build())) {
      Synthetic.train(sam, data);
      Synthetic.train(plain, data);
      assertThat(sam.nets().get(0).parameters().get(0).toFloatArray())
          .isNotEqualTo(plain.nets().get(0).parameters().get(0).toFloatArray());
    }
  }

  @Test
  void aNonFiniteSampleIsRefusedAndChangesNothing() {
    List<LabeledSample> data = new ArrayList<>(Synthetic.samples(8, 5));
    float[] bad = data.get(3).inputs()[0].clone();
    bad[2] = Float.NaN;
    data.set(
        3,
        new LabeledSample(
            "bad", data.get(3).label(), new float[][] {bad, data.get(3).inputs()[1]}));
    try (IgmTrainer t = new IgmTrainer(Synthetic.config("igm").build())) {
      List<int[]> before = Synthetic.parameterBits(t);
      List<StepReport> reports = Synthetic.train(t, data);
      assertThat(reports).hasSize(1);
      assertThat(reports.get(0).refused()).isTrue();
      assertThat(t.refusedSteps()).isEqualTo(1);
      assertThat(t.covariance(0, 0).updates()).isZero();
      List<int[]> after = Synthetic.parameterBits(t);
      for (int i = 0; i < before.size(); i++) {
        assertThat(after.get(i)).containsExactly(before.get(i));
      }
      // the next good batch trains normally
      assertThat(Synthetic.train(t, Synthetic.samples(8, 6)).get(0).refused()).isFalse();
    }
  }

  @Test
  void phasedScheduleRefreshesTAtTheEndOfEachPhase() {
    IgmConfig c = Synthetic.config("igm").phaseBatches(3).build();
    try (IgmTrainer t = new IgmTrainer(c)) {
      Synthetic.train(t, Synthetic.samples(8 * 2, 8));
      assertThat(t.flatMatrix(0, 0)).as("phase of a not complete yet").isNull();
      Synthetic.train(t, Synthetic.samples(8, 9));
      assertThat(t.flatMatrix(0, 0)).isNotNull();
      assertThat(t.flatMatrix(1, 0)).isNull();
      assertThat(t.covariance(0, 0).updates()).isEqualTo(3);
      Synthetic.train(t, Synthetic.samples(8 * 3, 10));
      assertThat(t.flatMatrix(1, 0)).isNotNull();
      assertThat(t.covariance(1, 1).updates()).isEqualTo(3);
      // per-phase reset: a's covariance starts empty when its next phase starts
      Synthetic.train(t, Synthetic.samples(8, 11));
      assertThat(t.covariance(0, 0).updates()).isEqualTo(1);
    }
  }
}
