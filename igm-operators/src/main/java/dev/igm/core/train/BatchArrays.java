package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * The engine side of one trainer: its array manager and compute type, and how a mini-batch becomes
 * arrays (inputs stacked row by row, labels one-hot). Arrays made here belong to the enclosing
 * {@code NDScope} of the step.
 */
final class BatchArrays {
  private final NDManager manager;
  private final DataType dtype;
  private final int classes;

  BatchArrays(NDManager manager, DataType dtype, int classes) {
    this.manager = manager;
    this.dtype = dtype;
    this.classes = classes;
  }

  NDManager manager() {
    return manager;
  }

  DataType dtype() {
    return dtype;
  }

  int classes() {
    return classes;
  }

  /** An n×d input array in the compute type from row-major floats. */
  NDArray input(float[] rows, int n, int d) {
    return manager.create(rows, new Shape(n, d)).toType(dtype, false);
  }

  NDArray oneHot(int[] labels) {
    return manager.create(labels).oneHot(classes).toType(dtype, false);
  }

  /** Modality {@code j}'s inputs of the samples, stacked row by row. */
  static float[] stack(List<LabeledSample> batch, int j) {
    int d = batch.get(0).inputs()[j].length;
    float[] out = new float[batch.size() * d];
    for (int s = 0; s < batch.size(); s++) {
      System.arraycopy(batch.get(s).inputs()[j], 0, out, s * d, d);
    }
    return out;
  }

  static int[] labels(List<LabeledSample> batch) {
    int[] y = new int[batch.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = batch.get(i).label();
    }
    return y;
  }
}
