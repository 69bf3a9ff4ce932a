package dev.igm.core;

import java.nio.DoubleBuffer;
import java.util.Arrays;

/**
 * The cumulative covariance of one modality's input to one head layer (Eq. 2):
 * {@code C ← γ·C + x̄ᵀx̄} with {@code x̄} the batch mean of the layer input, in float64.
 *
 * <p>Only the lower triangle of the row-major d×d array is updated (half the work of a full rank-1
 * update); the upper triangle is mirrored lazily when a full matrix is asked for. The row-major lower
 * triangle is LAPACK's column-major upper triangle, so {@link #copyLowerTo} feeds {@code dsyevd} with
 * {@code uplo='U'} without any transposition. Not thread-safe.
 */
public final class CovarianceAccumulator {

    private final int dim;
    private final double decay;
    private final double[] c;
    private final double[] mean;
    private long updates;
    /** Whether the upper triangle currently equals the mirrored lower one. */
    private boolean mirrored = true;

    /** An accumulator without decay (γ = 1). */
    public CovarianceAccumulator(int dim) {
        this(dim, 1.0);
    }

    /** @param decay γ in (0, 1]; applied on every update, 1 means none */
    public CovarianceAccumulator(int dim, double decay) {
        if (dim < 1) {
            throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        }
        if (!(decay > 0.0 && decay <= 1.0)) {
            throw new IllegalArgumentException("decay must be in (0, 1], got " + decay);
        }
        this.dim = dim;
        this.decay = decay;
        this.c = new double[Math.multiplyExact(dim, dim)];
        this.mean = new double[dim];
    }

    /**
     * Adds the outer product of the batch mean of {@code rows} rows of a row-major rows×dim batch.
     * The mean is summed in float64 so that large batches of float32 activations lose nothing.
     */
    public void update(float[] batch, int rows) {
        if (rows < 1 || batch.length < (long) rows * dim) {
            throw new IllegalArgumentException("need " + rows + "x" + dim + " floats, got " + batch.length);
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
        boolean decays = decay != 1.0;
        for (int i = 0, row = 0; i < dim; i++, row += dim) {
            double mi = m[i];
            if (decays) {
                for (int j = 0; j <= i; j++) {
                    c[row + j] = decay * c[row + j] + mi * m[j];
                }
            } else {
                for (int j = 0; j <= i; j++) {
                    c[row + j] += mi * m[j];
                }
            }
        }
        updates++;
        mirrored = false;
    }

    /** Empties the accumulator (per-phase reset). */
    public void reset() {
        Arrays.fill(c, 0.0);
        updates = 0;
        mirrored = true;
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
        mirror();
        return c.clone();
    }

    /** Entry (i, j) of the symmetric matrix. */
    public double get(int i, int j) {
        return i >= j ? c[i * dim + j] : c[j * dim + i];
    }

    /**
     * Copies the row-major array into {@code dst} (position 0 onwards) with only its lower triangle
     * guaranteed current: exactly what {@code dsyevd(COL_MAJOR, uplo='U')} reads. One bulk copy, no mirror.
     */
    public void copyLowerTo(DoubleBuffer dst) {
        dst.put(0, c, 0, c.length);
    }

    /** Replaces the state with a snapshot: a symmetric row-major d×d matrix and its update count. */
    public void restore(double[] matrix, long updateCount) {
        if (matrix.length != c.length) {
            throw new IllegalArgumentException("snapshot has " + matrix.length + " entries, need " + c.length);
        }
        if (updateCount < 0) {
            throw new IllegalArgumentException("negative update count " + updateCount);
        }
        System.arraycopy(matrix, 0, c, 0, c.length);
        updates = updateCount;
        // Treat the lower triangle as the truth, as everywhere else in this class.
        mirrored = false;
        mirror();
    }

    private void mirror() {
        if (mirrored) {
            return;
        }
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < i; j++) {
                c[j * dim + i] = c[i * dim + j];
            }
        }
        mirrored = true;
    }
}
