package dev.igm.core.linalg;

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric n×n matrix.
 *
 * <p>Eigenvectors are stored column-major as LAPACK returns them: component {@code i} of
 * eigenvector {@code j} is {@code vectors[i + j * n]}. The arrays are not copied: this is a value
 * handed from {@link SymmetricEigen} to its caller, who owns it.
 */
public record EigenDecomposition(int n, double[] values, double[] vectors) {

  public EigenDecomposition {
    if (values.length != n || vectors.length != (long) n * n) {
      throw new IllegalArgumentException("sizes do not match n=" + n);
    }
  }

  /** Component {@code i} of the eigenvector belonging to {@code values[j]}. */
  public double vector(int i, int j) {
    return vectors[i + j * n];
  }
}
