package dev.igm.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.core.model.Rng;
import org.junit.jupiter.api.Test;

/**
 * T = I − U Uᵀ with U the damped directions: a covariance of k batch means gives a factor of rank
 * k.
 */
class FlatLowRankTest {

  @Test
  void factorReproducesTAndHasTheRankOfTheCovariance() {
    int d = 48;
    int k = 5;
    Rng r = new Rng(3);
    CovarianceAccumulator c = new CovarianceAccumulator(d);
    for (int n = 0; n < k; n++) {
      double[] x = new double[d];
      for (int i = 0; i < d; i++) {
        x[i] = r.nextGaussian();
      }
      c.updateWithMean(x);
    }
    FlatMatrix t = new FlatModifier(0.4).compute(c);
    assertThat(t.isIdentity()).isFalse();
    assertThat(t.dampingRank()).isEqualTo(k);
    double[] u = t.dampingFactor();
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        double uu = 0;
        for (int q = 0; q < k; q++) {
          uu += u[i * k + q] * u[j * k + q];
        }
        assertThat((i == j ? 1.0 : 0.0) - uu)
            .as("T[%d][%d]", i, j)
            .isCloseTo(t.get(i, j), org.assertj.core.api.Assertions.within(1e-12));
      }
    }
    FlatMatrix restored = FlatMatrix.restore(d, t.matrix(), t.eigenvalues(), false, u);
    assertThat(restored.dampingRank()).isEqualTo(k);
    assertThat(restored.dampingFactor()).containsExactly(u);
  }
}
