package dev.igm.core.linalg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.DoubleBuffer;
import org.junit.jupiter.api.Test;

class SymmetricEigenTest {

  private static final double EPS = 1e-12;

  @Test
  void twoByTwoHasKnownEigenpairs() {
    // [[2,1],[1,2]]: λ = 1 with v = (1,-1)/√2, λ = 3 with v = (1,1)/√2
    double[] a = {2, 1, 1, 2};
    EigenDecomposition e = SymmetricEigen.decompose(a, 2);

    assertThat(e.values()).containsExactly(new double[] {1, 3}, within(EPS));
    double h = 1 / Math.sqrt(2);
    // eigenvectors are defined up to sign: compare |components| and the sign pattern
    assertThat(Math.abs(e.vector(0, 0))).isCloseTo(h, within(EPS));
    assertThat(e.vector(0, 0) * e.vector(1, 0)).isCloseTo(-0.5, within(EPS));
    assertThat(e.vector(0, 1) * e.vector(1, 1)).isCloseTo(0.5, within(EPS));
    assertThat(a).containsExactly(2, 1, 1, 2); // input untouched
  }

  @Test
  void tridiagonalHasKnownSpectrumAndOrthonormalVectors() {
    // [[2,-1,0],[-1,2,-1],[0,-1,2]]: λ = 2 − √2, 2, 2 + √2
    double[] a = {2, -1, 0, -1, 2, -1, 0, -1, 2};
    EigenDecomposition e = SymmetricEigen.decompose(a, 3);

    double r = Math.sqrt(2);
    assertThat(e.values()).containsExactly(new double[] {2 - r, 2, 2 + r}, within(EPS));
    for (int j = 0; j < 3; j++) {
      for (int i = 0; i < 3; i++) {
        double av = 0;
        for (int k = 0; k < 3; k++) {
          av += a[i * 3 + k] * e.vector(k, j);
        }
        assertThat(av).isCloseTo(e.values()[j] * e.vector(i, j), within(EPS));
      }
      for (int k = 0; k < 3; k++) {
        double dot = 0;
        for (int i = 0; i < 3; i++) {
          dot += e.vector(i, j) * e.vector(i, k);
        }
        assertThat(dot).isCloseTo(j == k ? 1 : 0, within(EPS));
      }
    }
  }

  @Test
  void inPlaceReadsOnlyTheUpperColumnMajorTriangle() {
    // the strictly lower column-major triangle (here: garbage 99) must be ignored
    DoubleBuffer a = SymmetricEigen.directBuffer(4);
    a.put(0, new double[] {2, 99, 1, 2});
    DoubleBuffer w = SymmetricEigen.directBuffer(2);
    SymmetricEigen.decomposeInPlace(a, 2, w);
    assertThat(w.get(0)).isCloseTo(1, within(EPS));
    assertThat(w.get(1)).isCloseTo(3, within(EPS));
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> SymmetricEigen.decompose(new double[3], 2))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                SymmetricEigen.decomposeInPlace(
                    DoubleBuffer.allocate(4), 2, SymmetricEigen.directBuffer(2)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void threadCountIsSettable() {
    // surefire sets OPENBLAS_NUM_THREADS=2; restore that afterwards
    int before = Blas.threads().orElse(2);
    try {
      Blas.setThreads(1);
      assertThat(Blas.threads()).hasValue(1);
      assertThat(SymmetricEigen.decompose(new double[] {2, 1, 1, 2}, 2).values())
          .containsExactly(new double[] {1, 3}, within(EPS));
    } finally {
      Blas.setThreads(before);
    }
    assertThatThrownBy(() -> Blas.setThreads(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
