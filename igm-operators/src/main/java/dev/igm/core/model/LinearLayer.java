package dev.igm.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Shape and PyTorch-default initialisation of one fully connected layer (weight out x in, bias
 * out).
 */
public final class LinearLayer {
  private LinearLayer() {}

  /**
   * Creates weight and bias initialised as {@code torch.nn.Linear} does: uniform in ±1/√fan_in for
   * both, drawn from {@code rng} (weights row by row, then the bias) so every run with the same
   * seed starts identically.
   */
  public static NDArray[] init(NDManager manager, int in, int out, Rng rng, DataType dtype) {
    double bound = 1.0 / Math.sqrt(in);
    double[] w = new double[in * out];
    for (int i = 0; i < w.length; i++) {
      w[i] = (2 * rng.nextDouble() - 1) * bound;
    }
    double[] b = new double[out];
    for (int i = 0; i < b.length; i++) {
      b[i] = (2 * rng.nextDouble() - 1) * bound;
    }
    NDArray weight = create(manager, w, new Shape(out, in), dtype);
    NDArray bias = create(manager, b, new Shape(out), dtype);
    return new NDArray[] {weight, bias};
  }

  static NDArray create(NDManager manager, double[] values, Shape shape, DataType dtype) {
    if (dtype == DataType.FLOAT64) {
      return manager.create(values, shape);
    }
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
    }
    return manager.create(f, shape).toType(dtype, false);
  }
}
