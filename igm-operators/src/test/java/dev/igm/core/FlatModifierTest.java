package dev.igm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.igm.core.linalg.EigenDecomposition;
import dev.igm.core.linalg.SymmetricEigen;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FlatModifierTest {

  private static final double EPS = 1e-12;
  private final FlatModifier modifier = new FlatModifier(); // τ = 0.4

  @Test
  void twoByTwoMatchesHandComputation() {
    // C = [[2,1],[1,2]]: λ = 1, v = (1,-1)/√2 → s = 1; λ = 3, v = (1,1)/√2 → s = e^−0.4 =
    // 0.6703200460356393
    // T = ½[[1,-1],[-1,1]] + ½e^−0.4[[1,1],[1,1]]
    //   → T00 = T11 = (1 + e^−0.4)/2 =  0.8351600230178197
    //     T01 = T10 = (e^−0.4 − 1)/2 = −0.16483997698218035
    FlatMatrix t = modifier.compute(new double[] {2, 1, 1, 2}, 2);
    assertThat(t.isIdentity()).isFalse();
    assertThat(t.matrix())
        .containsExactly(
            new double[] {
              0.8351600230178197, -0.16483997698218034,
              -0.16483997698218034, 0.8351600230178197
            },
            within(EPS));
    assertThat(t.eigenvalues()).containsExactly(new double[] {1, 3}, within(EPS));
    assertThat(t.refreshNanos()).isPositive();
  }

  @Test
  void diagonalThreeByThreeFromAccumulator() {
    // three updates x̄ = (1,0,0), (0,√2,0), (0,0,√3) give C = diag(1, 2, 3);
    // s = exp(−0.4·(λ−1)/2) = 1, e^−0.2, e^−0.4 → T = diag(1, 0.8187307530779818,
    // 0.6703200460356393)
    CovarianceAccumulator c = new CovarianceAccumulator(3);
    c.updateWithMean(new double[] {1, 0, 0});
    c.updateWithMean(new double[] {0, Math.sqrt(2), 0});
    c.updateWithMean(new double[] {0, 0, Math.sqrt(3)});
    FlatMatrix t = modifier.compute(c);
    assertThat(t.matrix())
        .containsExactly(
            new double[] {
              1, 0, 0,
              0, 0.8187307530779818, 0,
              0, 0, 0.6703200460356393
            },
            within(EPS));
  }

  @Test
  void rankOneCovarianceDampsItsDirection() {
    // C = x̄ᵀx̄ with x̄ = (1,0) = [[1,0],[0,0]]: λ = 0 along e2 (s = 1), λ = 1 along e1 (s =
    // e^−0.4)
    // → T = diag(e^−0.4, 1)
    CovarianceAccumulator c = new CovarianceAccumulator(2);
    c.updateWithMean(new double[] {1, 0});
    FlatMatrix t = modifier.compute(c);
    assertThat(t.matrix()).containsExactly(new double[] {0.6703200460356393, 0, 0, 1}, within(EPS));
  }

  @Test
  void tIsSymmetricWithSpectrumBetweenExpMinusTauAndOne() {
    int d = 40;
    Random rnd = new Random(7);
    CovarianceAccumulator c = new CovarianceAccumulator(d, 0.9);
    for (int u = 0; u < 60; u++) {
      float[] batch = new float[8 * d];
      for (int i = 0; i < batch.length; i++) {
        batch[i] = (float) (rnd.nextGaussian() + (i % d) * 0.05);
      }
      c.update(batch, 8);
    }
    FlatMatrix t = modifier.compute(c);
    double[] m = t.matrix();
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        assertThat(m[i * d + j]).isEqualTo(m[j * d + i]);
      }
    }
    EigenDecomposition spectrum = SymmetricEigen.decompose(m, d);
    double low = Math.exp(-0.4);
    assertThat(spectrum.values()[0]).isCloseTo(low, within(1e-10));
    assertThat(spectrum.values()[d - 1]).isCloseTo(1.0, within(1e-10));
    for (double s : spectrum.values()) {
      assertThat(s).isBetween(low - 1e-10, 1 + 1e-10);
    }
    // the raw-matrix path gives the same T
    assertThat(modifier.compute(c.matrix(), d).matrix()).containsExactly(m, within(1e-13));
  }

  @Test
  void noUpdatesGivesIdentity() {
    FlatMatrix t = modifier.compute(new CovarianceAccumulator(3));
    assertIdentity(t, 3);
    assertThat(t.eigenvalues()).isEmpty();
  }

  @Test
  void allZeroGivesIdentity() {
    CovarianceAccumulator c = new CovarianceAccumulator(3);
    c.updateWithMean(new double[3]); // an update, but C stays zero
    assertIdentity(modifier.compute(c), 3);
    assertIdentity(modifier.compute(new double[9], 3), 3);
  }

  @Test
  void nonFiniteGivesIdentity() {
    CovarianceAccumulator c = new CovarianceAccumulator(2);
    c.updateWithMean(new double[] {1, Double.NaN});
    assertIdentity(modifier.compute(c), 2);
    assertIdentity(
        modifier.compute(
            new double[] {1, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 1}, 2),
        2);
  }

  @Test
  void noSpreadGivesIdentity() {
    // C = 5·I: λmax − λmin = 0 ≤ 1e-10·5
    FlatMatrix t = modifier.compute(new double[] {5, 0, 0, 0, 5, 0, 0, 0, 5}, 3);
    assertIdentity(t, 3);
    assertThat(t.eigenvalues()).containsExactly(new double[] {5, 5, 5}, within(EPS));
    // spread just under the floor: 1 and 1 + 5e-11
    assertIdentity(modifier.compute(new double[] {1, 0, 0, 1 + 5e-11}, 2), 2);
    // a single dimension never has spread
    CovarianceAccumulator one = new CovarianceAccumulator(1);
    one.updateWithMean(new double[] {3});
    assertIdentity(modifier.compute(one), 1);
  }

  @Test
  void spreadJustAboveTheFloorIsNotDegenerate() {
    assertThat(modifier.compute(new double[] {1, 0, 0, 1 + 1e-9}, 2).isIdentity()).isFalse();
  }

  @Test
  void sameModifierServesSeveralDimensions() {
    assertThat(modifier.compute(new double[] {2, 1, 1, 2}, 2).dim()).isEqualTo(2);
    assertThat(modifier.compute(new double[] {1, 0, 0, 0, 2, 0, 0, 0, 3}, 3).get(2, 2))
        .isCloseTo(Math.exp(-0.4), within(EPS));
    assertThat(modifier.compute(new double[] {2, 1, 1, 2}, 2).get(0, 1))
        .isCloseTo(-0.16483997698218034, within(EPS));
  }

  @Test
  void restoredMatrixEqualsTheOriginal() {
    FlatMatrix t = modifier.compute(new double[] {2, 1, 1, 2}, 2);
    FlatMatrix back = FlatMatrix.restore(2, t.matrix(), t.eigenvalues(), t.isIdentity());
    assertThat(back.matrix()).containsExactly(t.matrix());
    assertThat(back.eigenvalues()).containsExactly(t.eigenvalues());
    assertThat(back.isIdentity()).isFalse();
  }

  private static void assertIdentity(FlatMatrix t, int d) {
    assertThat(t.isIdentity()).isTrue();
    assertThat(t.dim()).isEqualTo(d);
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        assertThat(t.get(i, j)).isEqualTo(i == j ? 1.0 : 0.0);
      }
    }
  }
}
