package dev.igm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CovarianceAccumulatorTest {

  @Test
  void accumulatesOuterProductsOfBatchMeans() {
    CovarianceAccumulator c = new CovarianceAccumulator(2);
    // rows (1,2),(3,4): x̄ = (2,3), x̄ᵀx̄ = [[4,6],[6,9]]
    c.update(new float[] {1, 2, 3, 4}, 2);
    assertThat(c.matrix()).containsExactly(4, 6, 6, 9);
    // rows (0,1),(2,-1): x̄ = (1,0), adds [[1,0],[0,0]]
    c.update(new float[] {0, 1, 2, -1}, 2);
    assertThat(c.matrix()).containsExactly(5, 6, 6, 9);
    assertThat(c.get(0, 1)).isEqualTo(6);
    assertThat(c.get(1, 0)).isEqualTo(6);
    assertThat(c.updates()).isEqualTo(2);
    assertThat(c.dim()).isEqualTo(2);
  }

  @Test
  void decayAppliesOnEveryUpdate() {
    CovarianceAccumulator c = new CovarianceAccumulator(2, 0.5);
    c.update(new float[] {1, 2, 3, 4}, 2); // 0.5·0 + [[4,6],[6,9]]
    assertThat(c.matrix()).containsExactly(4, 6, 6, 9);
    c.update(new float[] {0, 1, 2, -1}, 2); // 0.5·[[4,6],[6,9]] + [[1,0],[0,0]] = [[3,3],[3,4.5]]
    assertThat(c.matrix()).containsExactly(3, 3, 3, 4.5);
  }

  @Test
  void meanIsSummedInFloat64() {
    CovarianceAccumulator c = new CovarianceAccumulator(1);
    // In float32, 2^24 + 1 + 1 stays 2^24; in float64 the mean is (2^24 + 2)/3 = 5592406 exactly.
    c.update(new float[] {16777216f, 1f, 1f}, 3);
    assertThat(c.matrix()).containsExactly(5592406.0 * 5592406.0);
  }

  @Test
  void resetEmptiesAndRestoreReplaces() {
    CovarianceAccumulator c = new CovarianceAccumulator(2);
    c.update(new float[] {1, 2, 3, 4}, 2);
    double[] snapshot = c.matrix();
    c.reset();
    assertThat(c.updates()).isZero();
    assertThat(c.matrix()).containsOnly(0.0);

    c.restore(snapshot, 7);
    assertThat(c.updates()).isEqualTo(7);
    assertThat(c.matrix()).containsExactly(4, 6, 6, 9);
    c.updateWithMean(new double[] {1, 0});
    assertThat(c.matrix()).containsExactly(5, 6, 6, 9);
    assertThat(c.updates()).isEqualTo(8);
  }

  @Test
  void matrixIsACopy() {
    CovarianceAccumulator c = new CovarianceAccumulator(2);
    c.updateWithMean(new double[] {1, 1});
    c.matrix()[0] = 42;
    assertThat(c.get(0, 0)).isEqualTo(1);
  }

  @Test
  void rejectsBadShapes() {
    CovarianceAccumulator c = new CovarianceAccumulator(2);
    assertThatThrownBy(() -> c.update(new float[3], 2))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.restore(new double[3], 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CovarianceAccumulator(2, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void updatesDoExactlyTheFlatArraysArithmetic() {
    for (double decay : new double[] {1.0, 0.9}) {
      int d = 37;
      Random r = new Random(11);
      CovarianceAccumulator c = new CovarianceAccumulator(d, decay);
      double[] eager = new double[d * d];
      // the reference: c_ij ← c_ij + m_i·m_j (or γ·c_ij + m_i·m_j) on a flat row-major array, bit
      // for bit
      for (int n = 1; n <= 2000; n++) { // enough for the JIT to compile (and vectorize) the update
        double[] m = new double[d];
        for (int i = 0; i < d; i++) {
          m[i] = r.nextGaussian() * Math.exp(4 * r.nextGaussian());
        }
        c.updateWithMean(m);
        for (int i = 0; i < d; i++) {
          for (int j = 0; j <= i; j++) {
            eager[i * d + j] =
                decay == 1.0
                    ? eager[i * d + j] + m[i] * m[j]
                    : decay * eager[i * d + j] + m[i] * m[j];
            eager[j * d + i] = eager[i * d + j];
          }
        }
        assertThat(c.updates()).isEqualTo(n);
        if (n == 3 || n == 13) {
          assertThat(c.get(5, 2)).isEqualTo(eager[5 * d + 2]);
        }
        if (n == 20 || n == 1000) {
          assertThat(c.matrix()).containsExactly(eager);
        }
      }
      assertThat(c.matrix()).as("decay %s", decay).containsExactly(eager);
      java.nio.DoubleBuffer buf = java.nio.DoubleBuffer.allocate(d * d);
      c.copyLowerTo(buf);
      for (int i = 0; i < d; i++) {
        for (int j = 0; j <= i; j++) {
          assertThat(buf.get(i * d + j)).isEqualTo(eager[i * d + j]);
        }
      }
    }
  }
}
