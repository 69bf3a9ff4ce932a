package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.igm.core.FlatMatrix;

/**
 * One flat modification matrix T as the gradient product {@code ∇W · T} (Eq. 5/9) uses it, in the
 * compute type: a dense d×d array, or, when T damps few directions, the factor of {@code T = I − U
 * Uᵀ} as two thin arrays. T itself lives in float64 ({@link FlatMatrix}, rule 4) and is cast here.
 * See docs/ALGORITHM.md, "Gradient modification".
 */
final class FlatTransform implements AutoCloseable {
  private final NDArray dense;

  /** Uᵀ (r×d). */
  private final NDArray dampingRows;

  /** −U (d×r), the same factor as a negated Linear weight. */
  private final NDArray dampingNegated;

  private FlatTransform(NDArray dense, NDArray dampingRows, NDArray dampingNegated) {
    this.dense = dense;
    this.dampingRows = dampingRows;
    this.dampingNegated = dampingNegated;
  }

  /**
   * The engine form of {@code t}, owned by {@code manager}; null when the product would leave ∇W as
   * it is.
   */
  static FlatTransform of(FlatMatrix t, NDManager manager, DataType dtype) {
    if (t == null || t.isIdentity()) {
      return null;
    }
    try (NDScope ignored = new NDScope()) {
      int d = t.dim();
      int r = t.dampingRank();
      // T = I − U Uᵀ: with few damped directions the two thin products beat one dense d×d product.
      // r = 0 (nothing damped beyond float resolution) leaves the gradient as it is: ∇W − 0.
      if (r == 0) {
        return null;
      }
      if (r > 0 && 4 * r <= d) {
        float[] u = toFloats(t.dampingFactor()); // d×r row-major
        float[] rows = new float[u.length];
        float[] negated = new float[u.length];
        for (int a = 0; a < d; a++) {
          for (int q = 0; q < r; q++) {
            rows[q * d + a] = u[a * r + q];
            negated[a * r + q] = -u[a * r + q];
          }
        }
        return new FlatTransform(
            null,
            Persistent.keep(manager.create(rows, new Shape(r, d)).toType(dtype, false), manager),
            Persistent.keep(
                manager.create(negated, new Shape(d, r)).toType(dtype, false), manager));
      }
      return new FlatTransform(
          Persistent.keep(
              manager.create(t.toFloats(), new Shape(d, d)).toType(dtype, false), manager),
          null,
          null);
    }
  }

  /** {@code ∇W · T}. */
  NDArray apply(NDArray g) {
    if (dense != null) {
      return g.matMul(dense);
    }
    // ∇W − (∇W U) Uᵀ in two gemm calls: P = Uᵀ ∇Wᵀ (Linear without bias: x·wᵀ with x = Uᵀ, w = ∇W),
    // then one
    // addmm, Pᵀ·(−U)ᵀ + ∇W (Linear with x = Pᵀ, w = −U, b = ∇W). The same products as (∇W U) Uᵀ;
    // libtorch's
    // CPU gemm runs Uᵀ ∇Wᵀ (r×d · d×out) about 4× faster than ∇W U (out×d · d×r), and the addmm
    // saves a
    // separate subtraction and its out×d temporary.
    NDArray p = Linear.linear(dampingRows, g).singletonOrThrow();
    return Linear.linear(p.transpose(), dampingNegated, g).singletonOrThrow();
  }

  @Override
  public void close() {
    for (NDArray a : new NDArray[] {dense, dampingRows, dampingNegated}) {
      if (a != null) {
        a.close();
      }
    }
  }

  private static float[] toFloats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }
}
