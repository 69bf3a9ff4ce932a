package dev.igm.core;

/**
 * MLA's orthogonal projector for one head layer (the {@code mla} baseline; docs/ALGORITHM.md,
 * "Methods" and rule 9).
 *
 * <p>Starts as the identity; each update with the batch mean {@code r} (1×d) does {@code k = P rᵀ},
 * {@code P ← P − k kᵀ/(α + r k)}, {@code P ← P/‖P‖_F}, as MLA's reference code does. One projector
 * exists per (layer index, input width); the trainer owns that keying. Float64, row-major, not
 * thread-safe.
 */
public final class MlaProjector {

  private final int dim;
  private final double[] p;
  private final double[] k;

  /** An identity projector of width {@code dim}. */
  public MlaProjector(int dim) {
    if (dim < 1) {
      throw new IllegalArgumentException("dim must be >= 1, got " + dim);
    }
    this.dim = dim;
    this.p = new double[Math.multiplyExact(dim, dim)];
    this.k = new double[dim];
    for (int i = 0; i < dim; i++) {
      p[i * dim + i] = 1.0;
    }
  }

  /** A projector restored from a snapshot of {@link #matrix()}. */
  public static MlaProjector restore(double[] matrix, int dim) {
    MlaProjector projector = new MlaProjector(dim);
    projector.restore(matrix);
    return projector;
  }

  /**
   * MLA's α for batch {@code b} of an epoch of {@code nb} batches: {@code 0.1^(1 + b/nb)} (real
   * division).
   */
  public static double alpha(long batchIndexInEpoch, long batchesPerEpoch) {
    if (batchesPerEpoch < 1 || batchIndexInEpoch < 0) {
      throw new IllegalArgumentException(
          "need 0 <= b and nb >= 1, got b=" + batchIndexInEpoch + " nb=" + batchesPerEpoch);
    }
    return Math.pow(0.1, 1.0 + (double) batchIndexInEpoch / batchesPerEpoch);
  }

  /** One recursive update with the batch mean {@code r} of the layer input. */
  public void update(double[] r, double alpha) {
    if (r.length != dim) {
      throw new IllegalArgumentException("r has length " + r.length + ", dim is " + dim);
    }
    // k = P rᵀ and r·k
    double rk = 0.0;
    for (int i = 0, row = 0; i < dim; i++, row += dim) {
      double s = 0.0;
      for (int j = 0; j < dim; j++) {
        s += p[row + j] * r[j];
      }
      k[i] = s;
      rk += r[i] * s;
    }
    double denom = alpha + rk;
    // P ← P − k kᵀ/denom, accumulating ‖P‖_F² on the way
    double norm2 = 0.0;
    for (int i = 0, row = 0; i < dim; i++, row += dim) {
      double ki = k[i] / denom;
      for (int j = 0; j < dim; j++) {
        double v = p[row + j] - ki * k[j];
        p[row + j] = v;
        norm2 += v * v;
      }
    }
    double inv = 1.0 / Math.sqrt(norm2);
    for (int i = 0; i < p.length; i++) {
      p[i] *= inv;
    }
  }

  public int dim() {
    return dim;
  }

  /** Entry (i, j). */
  public double get(int i, int j) {
    return p[i * dim + j];
  }

  /** A copy of P, row-major d×d. */
  public double[] matrix() {
    return p.clone();
  }

  /** P cast to float32 for the gradient product {@code ∇W · P}. */
  public float[] toFloats() {
    float[] f = new float[p.length];
    for (int i = 0; i < p.length; i++) {
      f[i] = (float) p[i];
    }
    return f;
  }

  /** Replaces P with a snapshot (row-major d×d). */
  public void restore(double[] matrix) {
    if (matrix.length != p.length) {
      throw new IllegalArgumentException(
          "snapshot has " + matrix.length + " entries, need " + p.length);
    }
    System.arraycopy(matrix, 0, p, 0, p.length);
  }
}
