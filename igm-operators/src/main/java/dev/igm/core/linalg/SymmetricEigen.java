package dev.igm.core.linalg;

import static org.bytedeco.openblas.global.openblas.LAPACKE_dsyevd;
import static org.bytedeco.openblas.global.openblas.LAPACK_COL_MAJOR;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;

/**
 * Symmetric eigendecomposition with LAPACK {@code dsyevd} (divide and conquer) from the bundled
 * OpenBLAS.
 *
 * <p>dsyevd beats dsyevr by 10–35% at d ≥ 512 and runs at numpy's speed (~220 ms for d = 1024 on
 * one core). The matrix is passed column-major; for a symmetric matrix that is the same array as
 * row-major.
 */
public final class SymmetricEigen {

  private static final byte JOBZ_VECTORS = (byte) 'V';
  private static final byte UPLO_UPPER = (byte) 'U';

  private SymmetricEigen() {}

  /**
   * Decomposes a full symmetric n×n matrix (row- or column-major, the same for a symmetric matrix).
   * The input is left untouched; the result holds fresh arrays.
   */
  public static EigenDecomposition decompose(double[] symmetric, int n) {
    checkSize(symmetric.length, n);
    double[] vectors = symmetric.clone();
    double[] values = new double[n];
    check(LAPACKE_dsyevd(LAPACK_COL_MAJOR, JOBZ_VECTORS, UPLO_UPPER, n, vectors, n, values), n);
    return new EigenDecomposition(n, values, vectors);
  }

  /**
   * The hot path: decomposes in place in native memory, so the JNI call copies nothing (primitive
   * arrays are copied in and out by JNI, 8 MB each way at d = 1024).
   *
   * <p>Only the upper triangle of the column-major {@code a} is read (which is the lower triangle
   * of a row-major array). On return {@code a} holds the eigenvectors column-major, {@code w} the
   * eigenvalues in ascending order.
   *
   * @param a direct, native-order buffer of n·n doubles starting at position 0
   * @param w direct, native-order buffer of n doubles starting at position 0
   */
  public static void decomposeInPlace(DoubleBuffer a, int n, DoubleBuffer w) {
    if (!a.isDirect() || !w.isDirect()) {
      throw new IllegalArgumentException("buffers must be direct (see directBuffer)");
    }
    checkSize(a.capacity(), n);
    if (w.capacity() < n) {
      throw new IllegalArgumentException("eigenvalue buffer holds " + w.capacity() + " < " + n);
    }
    check(LAPACKE_dsyevd(LAPACK_COL_MAJOR, JOBZ_VECTORS, UPLO_UPPER, n, a, n, w), n);
  }

  /**
   * A direct native-order buffer of {@code size} doubles, suitable for {@link #decomposeInPlace}.
   */
  public static DoubleBuffer directBuffer(int size) {
    return ByteBuffer.allocateDirect(Math.multiplyExact(size, Double.BYTES))
        .order(ByteOrder.nativeOrder())
        .asDoubleBuffer();
  }

  private static void checkSize(int length, int n) {
    if (n < 1 || length < (long) n * n) {
      throw new IllegalArgumentException(
          "need a " + n + "x" + n + " matrix, got " + length + " entries");
    }
  }

  private static void check(int info, int n) {
    if (info == -1010 || info == -1011) {
      // LAPACKE's LAPACK_WORK_MEMORY_ERROR / LAPACK_TRANSPOSE_MEMORY_ERROR: native malloc failed.
      throw new OutOfMemoryError("LAPACKE_dsyevd could not allocate its workspace (n=" + n + ")");
    }
    if (info < 0) {
      throw new IllegalArgumentException(
          "LAPACKE_dsyevd: argument " + (-info) + " had an illegal value (n=" + n + ")");
    }
    if (info > 0) {
      // dsyevd's only failure: the divide-and-conquer step did not converge.
      throw new ArithmeticException(
          "LAPACKE_dsyevd failed to converge (info=" + info + ", n=" + n + ")");
    }
  }
}
