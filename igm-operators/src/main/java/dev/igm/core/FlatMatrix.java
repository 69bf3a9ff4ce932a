package dev.igm.core;

/**
 * An immutable flat modification matrix {@code T = V diag(s) Vᵀ} (Eq. 4 in docs/ALGORITHM.md),
 * symmetric, float64.
 *
 * <p>Accessors copy, so a matrix handed to another thread (async refresh) cannot change under it.
 */
public final class FlatMatrix {

  private static final double[] NO_EIGENVALUES = new double[0];

  private final int dim;
  private final double[] t;
  private final double[] eigenvalues;
  private final boolean identity;
  private final long refreshNanos;
  private final double[] dampingFactor;
  private final int dampingRank;

  FlatMatrix(int dim, double[] t, double[] eigenvalues, boolean identity, long refreshNanos) {
    this(dim, t, eigenvalues, identity, refreshNanos, null, -1);
  }

  FlatMatrix(
      int dim,
      double[] t,
      double[] eigenvalues,
      boolean identity,
      long refreshNanos,
      double[] dampingFactor,
      int dampingRank) {
    this.dampingFactor = dampingFactor;
    this.dampingRank = dampingRank;
    this.dim = dim;
    this.t = t;
    this.eigenvalues = eigenvalues;
    this.identity = identity;
    this.refreshNanos = refreshNanos;
  }

  /** {@code T = I}: no covariance yet, or a degenerate one (docs/ALGORITHM.md, rule 4). */
  public static FlatMatrix identity(int dim) {
    return identity(dim, NO_EIGENVALUES, 0L);
  }

  static FlatMatrix identity(int dim, double[] eigenvalues, long refreshNanos) {
    double[] t = new double[Math.multiplyExact(dim, dim)];
    for (int i = 0; i < dim; i++) {
      t[i * dim + i] = 1.0;
    }
    return new FlatMatrix(dim, t, eigenvalues, true, refreshNanos);
  }

  /** A T matrix as stored in a snapshot (row-major d x d), for exact restores. */
  public static FlatMatrix restore(int dim, double[] t, double[] eigenvalues, boolean identity) {
    return restore(dim, t, eigenvalues, identity, null);
  }

  /**
   * As {@link #restore(int, double[], double[], boolean)}, with the low-rank factor (d x r
   * row-major) if any.
   */
  public static FlatMatrix restore(
      int dim, double[] t, double[] eigenvalues, boolean identity, double[] dampingFactor) {
    if (t.length != dim * dim) {
      throw new IllegalArgumentException(
          "T of dimension " + dim + " needs " + dim * dim + " values, got " + t.length);
    }
    if (dampingFactor != null && dampingFactor.length % dim != 0) {
      throw new IllegalArgumentException(
          "damping factor of " + dampingFactor.length + " values is not " + dim + " x r");
    }
    return new FlatMatrix(
        dim,
        t.clone(),
        eigenvalues.clone(),
        identity,
        0L,
        dampingFactor == null ? null : dampingFactor.clone(),
        dampingFactor == null ? -1 : dampingFactor.length / dim);
  }

  /**
   * The factor U (d x r, row-major) with T = I − U Uᵀ, or null when unknown (identity, or restored
   * without it). Only directions with 1 − s_j above {@code FlatModifier.DAMPING_FLOOR} are kept.
   */
  public double[] dampingFactor() {
    return dampingFactor == null ? null : dampingFactor.clone();
  }

  /** Columns of {@link #dampingFactor()}; −1 when there is none. */
  public int dampingRank() {
    return dampingRank;
  }

  public int dim() {
    return dim;
  }

  /** Entry (i, j). */
  public double get(int i, int j) {
    return t[i * dim + j];
  }

  /** A copy of T, row-major d×d (equal to column-major: T is symmetric). */
  public double[] matrix() {
    return t.clone();
  }

  /** T cast to float32 for the gradient product {@code ∇W · T} (rule 4: T lives in float64). */
  public float[] toFloats() {
    float[] f = new float[t.length];
    for (int i = 0; i < t.length; i++) {
      f[i] = (float) t[i];
    }
    return f;
  }

  /** Eigenvalues of the covariance, ascending; empty when there was no usable covariance. */
  public double[] eigenvalues() {
    return eigenvalues.clone();
  }

  /** Whether T is exactly the identity (the degenerate cases). */
  public boolean isIdentity() {
    return identity;
  }

  /** Wall time the refresh took (eigendecomposition and product), 0 for a plain identity. */
  public long refreshNanos() {
    return refreshNanos;
  }
}
