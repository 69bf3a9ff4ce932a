package dev.igm.core;

import java.nio.DoubleBuffer;
import java.util.Arrays;

/**
 * The cumulative covariance of one modality's input to one head layer (Eq. 2 in docs/ALGORITHM.md):
 * {@code C ← γ·C + x̄ᵀx̄} with {@code x̄} the batch mean of the layer input, in float64.
 *
 * <p>Only the lower triangle is kept and updated (half the work of a full rank-1 update), one array
 * per row ({@code lower[i][j]}, j ≤ i): the inner loop {@code row_i[j] += x̄_i·x̄_j} then indexes
 * both arrays with the same j, which HotSpot's C2 vectorizes (it does not vectorize {@code c[i·d +
 * j] += x̄_i·x̄[j]} on one flat array, whose two index expressions it cannot prove independent) —
 * about 2.5× faster at d = 512, with the same operations per entry, so the same bits. The full
 * symmetric matrix is built when asked for. The lower triangle laid out row-major is LAPACK's
 * column-major upper triangle, so {@link #copyLowerTo} feeds {@code dsyevd} with {@code uplo='U'}
 * without any transposition.
 *
 * <p>Updates are applied in blocks of up to {@link #BLOCK} means: they wait in a small buffer and
 * are then applied in one pass over the triangle, each entry receiving them one after the other in
 * arrival order ({@code c ← c + m_i·m_j} or {@code c ← γ·c + m_i·m_j} per update, as one at a
 * time), so the result is bit-identical whatever the blocking. Between two training steps the
 * triangle (1 MB at d = 512) falls out of the caches; it is now read and written once per block
 * instead of once per step. Every read (entry, matrix, copy for the eigendecomposition, snapshot)
 * applies what waits first, so reads change the internal state (never the value). Not thread-safe.
 */
public final class CovarianceAccumulator {

  private final int dim;
  private final double decay;

  /** Lower triangle: {@code lower[i]} holds entries (i, 0..i). */
  private final double[][] lower;

  private final double[] mean;

  /** Means not applied yet, oldest first. */
  private final double[][] pending;

  private int pendingCount;
  private long updates;

  /** Most means waiting to be applied. */
  static final int BLOCK = 8;

  /** An accumulator without decay (γ = 1). */
  public CovarianceAccumulator(int dim) {
    this(dim, 1.0);
  }

  /**
   * @param decay γ in (0, 1]; applied on every update, 1 means none
   */
  public CovarianceAccumulator(int dim, double decay) {
    if (dim < 1) {
      throw new IllegalArgumentException("dim must be >= 1, got " + dim);
    }
    if (!(decay > 0.0 && decay <= 1.0)) {
      throw new IllegalArgumentException("decay must be in (0, 1], got " + decay);
    }
    this.dim = dim;
    this.decay = decay;
    Math.multiplyExact(dim, dim); // d×d must stay addressable: matrix() and snapshots use it
    this.lower = new double[dim][];
    for (int i = 0; i < dim; i++) {
      lower[i] = new double[i + 1];
    }
    this.mean = new double[dim];
    this.pending = new double[BLOCK][dim];
  }

  /**
   * Adds the outer product of the batch mean of {@code rows} rows of a row-major rows×dim batch.
   * The mean is summed in float64 so that large batches of float32 activations lose nothing.
   */
  public void update(float[] batch, int rows) {
    if (rows < 1 || batch.length < (long) rows * dim) {
      throw new IllegalArgumentException(
          "need " + rows + "x" + dim + " floats, got " + batch.length);
    }
    Arrays.fill(mean, 0.0);
    for (int r = 0, off = 0; r < rows; r++, off += dim) {
      for (int j = 0; j < dim; j++) {
        mean[j] += batch[off + j];
      }
    }
    double inv = 1.0 / rows;
    for (int j = 0; j < dim; j++) {
      mean[j] *= inv;
    }
    addOuter(mean);
  }

  /** Adds {@code x̄ᵀx̄} for an already computed mean row {@code x̄} (length dim). */
  public void updateWithMean(double[] xbar) {
    if (xbar.length != dim) {
      throw new IllegalArgumentException("mean has length " + xbar.length + ", dim is " + dim);
    }
    addOuter(xbar);
  }

  private void addOuter(double[] m) {
    System.arraycopy(m, 0, pending[pendingCount], 0, dim);
    pendingCount++;
    updates++;
    if (pendingCount == BLOCK) {
      flush();
    }
  }

  /**
   * Applies the waiting means, row by row (a row stays in L1 while all of them go in), oldest first
   * per entry.
   */
  private void flush() {
    int n = pendingCount;
    if (n == 0) {
      return;
    }
    boolean decays = decay != 1.0;
    for (int i = 0; i < dim; i++) {
      double[] row = lower[i];
      for (int u = 0; u < n; u++) {
        double[] m = pending[u];
        double mi = m[i];
        if (decays) {
          for (int j = 0; j <= i; j++) {
            row[j] = decay * row[j] + mi * m[j];
          }
        } else {
          for (int j = 0; j <= i; j++) {
            row[j] += mi * m[j];
          }
        }
      }
    }
    pendingCount = 0;
  }

  /** Empties the accumulator (per-phase reset). */
  public void reset() {
    for (double[] row : lower) {
      Arrays.fill(row, 0.0);
    }
    pendingCount = 0;
    updates = 0;
  }

  /** Number of updates since construction, the last reset or the restored count. */
  public long updates() {
    return updates;
  }

  public int dim() {
    return dim;
  }

  public double decay() {
    return decay;
  }

  /** A copy of the full symmetric matrix, row-major d×d (for snapshots and checkpoints). */
  public double[] matrix() {
    flush();
    double[] full = new double[dim * dim];
    for (int i = 0; i < dim; i++) {
      double[] row = lower[i];
      System.arraycopy(row, 0, full, i * dim, i + 1);
      for (int j = 0; j < i; j++) {
        full[j * dim + i] = row[j];
      }
    }
    return full;
  }

  /** Entry (i, j) of the symmetric matrix. */
  public double get(int i, int j) {
    flush();
    return i >= j ? lower[i][j] : lower[j][i];
  }

  /**
   * Writes the lower triangle into {@code dst} as a row-major d×d array (position 0 onwards); the
   * entries above the diagonal are left as they were: exactly what {@code dsyevd(COL_MAJOR,
   * uplo='U')} reads. No mirror.
   */
  public void copyLowerTo(DoubleBuffer dst) {
    flush();
    for (int i = 0; i < dim; i++) {
      dst.put(i * dim, lower[i], 0, i + 1);
    }
  }

  /**
   * An independent accumulator with the same matrix, update count and decay: what a T refresh reads
   * while this one goes on (reset, further updates). Its {@link #copyLowerTo} writes exactly what
   * this one's would have.
   */
  public CovarianceAccumulator copy() {
    flush();
    CovarianceAccumulator c = new CovarianceAccumulator(dim, decay);
    for (int i = 0; i < dim; i++) {
      System.arraycopy(lower[i], 0, c.lower[i], 0, i + 1);
    }
    c.updates = updates;
    return c;
  }

  /** Replaces the state with a snapshot: a symmetric row-major d×d matrix and its update count. */
  public void restore(double[] matrix, long updateCount) {
    if (matrix.length != (long) dim * dim) {
      throw new IllegalArgumentException(
          "snapshot has " + matrix.length + " entries, need " + dim * dim);
    }
    if (updateCount < 0) {
      throw new IllegalArgumentException("negative update count " + updateCount);
    }
    // The lower triangle is the truth, as everywhere else in this class.
    for (int i = 0; i < dim; i++) {
      System.arraycopy(matrix, i * dim, lower[i], 0, i + 1);
    }
    pendingCount = 0;
    updates = updateCount;
  }
}
