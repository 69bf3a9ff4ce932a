package dev.igm.core;

import static org.bytedeco.openblas.global.openblas.CblasColMajor;
import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasUpper;
import static org.bytedeco.openblas.global.openblas.cblas_dsyrk;

import dev.igm.core.linalg.SymmetricEigen;
import java.nio.DoubleBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Computes the flat modification matrix (Eq. 4 in docs/ALGORITHM.md) from a covariance {@code C = V
 * Λ Vᵀ}: {@code s_i = exp(−τ (λ_i − λmin)/(λmax − λmin))}, {@code T = V diag(s) Vᵀ}.
 *
 * <p>The minus sign is the reference code's: high-variance directions are damped to {@code e^−τ},
 * flat ones keep 1. The product is formed as {@code W Wᵀ} with {@code W = V diag(√s)} by one {@code
 * dsyrk} (half a gemm; s &gt; 0 so the square root is real). Work buffers live in native memory and
 * are reused per dimension so the JNI calls copy nothing; {@link #compute} is therefore
 * synchronized.
 */
public final class FlatModifier {

  public static final double DEFAULT_TAU = 0.4;

  /** Rule 4: a spread at most this fraction of the largest |λ| counts as no spread. */
  static final double RELATIVE_SPREAD_FLOOR = 1e-10;

  /**
   * Directions damped by less than this (1 − s_j) are left out of the low-rank factor: below
   * float32's resolution of 1 they cannot change a float32 gradient.
   */
  static final double DAMPING_FLOOR = 1e-9;

  private final double tau;

  /** Native work buffers per dimension: one modifier serves all head layers of a model. */
  private final Map<Integer, Workspace> workspaces = new HashMap<>();

  public FlatModifier() {
    this(DEFAULT_TAU);
  }

  public FlatModifier(double tau) {
    if (!(tau >= 0.0) || Double.isInfinite(tau)) {
      throw new IllegalArgumentException("tau must be finite and >= 0, got " + tau);
    }
    this.tau = tau;
  }

  public double tau() {
    return tau;
  }

  /** T for an accumulator; an accumulator without updates gives the identity. */
  public synchronized FlatMatrix compute(CovarianceAccumulator covariance) {
    int d = covariance.dim();
    if (covariance.updates() == 0) {
      return FlatMatrix.identity(d);
    }
    long start = System.nanoTime();
    Workspace ws = workspace(d);
    covariance.copyLowerTo(ws.work);
    return fromWork(ws, start);
  }

  /** T for a full symmetric row-major d×d covariance (e.g. restored from a snapshot). */
  public synchronized FlatMatrix compute(double[] covariance, int d) {
    if (covariance.length != (long) d * d) {
      throw new IllegalArgumentException(
          "need " + d + "x" + d + " entries, got " + covariance.length);
    }
    long start = System.nanoTime();
    Workspace ws = workspace(d);
    ws.work.put(0, covariance, 0, covariance.length);
    return fromWork(ws, start);
  }

  /** {@code work} holds C (column-major upper triangle valid); computes T from it. */
  private FlatMatrix fromWork(Workspace ws, long start) {
    int d = ws.dim;
    int n = d * d;
    DoubleBuffer work = ws.work;
    // Rule 4: zero or non-finite C gives T = I. Only the triangle dsyevd reads matters: the other
    // one may be stale (CovarianceAccumulator mirrors lazily).
    boolean allZero = true;
    for (int j = 0; j < d; j++) {
      int col = j * d;
      for (int i = 0; i <= j; i++) {
        double v = work.get(col + i);
        if (!Double.isFinite(v)) {
          return FlatMatrix.identity(d);
        }
        allZero &= v == 0.0;
      }
    }
    if (allZero) {
      return FlatMatrix.identity(d);
    }

    SymmetricEigen.decomposeInPlace(work, d, ws.values);
    double[] lambda = new double[d];
    ws.values.get(0, lambda, 0, d);
    double lmin = lambda[0];
    double lmax = lambda[d - 1];
    double spread = lmax - lmin;
    if (!(spread > RELATIVE_SPREAD_FLOOR * Math.max(Math.abs(lmax), Math.abs(lmin)))) {
      return FlatMatrix.identity(d, lambda, System.nanoTime() - start);
    }

    // The damped directions as a factor U = [√(1−s_j) v_j], so that T = I − U Uᵀ: covariances built
    // from a few
    // batch means have low rank, and ∇W·T = ∇W − (∇W U) Uᵀ is then far cheaper than a dense d×d
    // product.
    int rank = 0;
    double[] damping = new double[d];
    for (int j = 0; j < d; j++) {
      damping[j] = 1 - Math.exp(-tau * (lambda[j] - lmin) / spread);
      if (damping[j] > DAMPING_FLOOR) {
        rank++;
      }
    }
    double[] factor = new double[d * rank];
    int r = 0;
    for (int j = 0; j < d; j++) {
      if (damping[j] > DAMPING_FLOOR) {
        double root = Math.sqrt(damping[j]);
        int col = j * d;
        for (int i = 0; i < d; i++) {
          factor[i * rank + r] = work.get(col + i) * root;
        }
        r++;
      }
    }
    // W = V diag(√s): scale eigenvector column j in place.
    for (int j = 0; j < d; j++) {
      double root = Math.exp(-0.5 * tau * (lambda[j] - lmin) / spread);
      int col = j * d;
      for (int i = 0; i < d; i++) {
        work.put(col + i, work.get(col + i) * root);
      }
    }
    // T = W Wᵀ; dsyrk writes the upper triangle (column-major) = lower triangle (row-major).
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, d, d, 1.0, work, d, 0.0, ws.product, d);
    double[] t = new double[n];
    ws.product.get(0, t, 0, n);
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < i; j++) {
        t[j * d + i] = t[i * d + j];
      }
    }
    return new FlatMatrix(d, t, lambda, false, System.nanoTime() - start, factor, rank);
  }

  private Workspace workspace(int d) {
    if (d < 1) {
      throw new IllegalArgumentException("dim must be >= 1, got " + d);
    }
    return workspaces.computeIfAbsent(d, Workspace::new);
  }

  /**
   * Direct native-order buffers for one dimension, so LAPACK/BLAS work on them without JNI copies.
   */
  private static final class Workspace {
    final int dim;
    final DoubleBuffer work;
    final DoubleBuffer values;
    final DoubleBuffer product;

    Workspace(int dim) {
      this.dim = dim;
      int n = Math.multiplyExact(dim, dim);
      this.work = SymmetricEigen.directBuffer(n);
      this.values = SymmetricEigen.directBuffer(dim);
      this.product = SymmetricEigen.directBuffer(n);
    }
  }
}
