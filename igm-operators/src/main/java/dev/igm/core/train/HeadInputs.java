package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.igm.core.model.ModalityNet;

/**
 * The head-layer inputs {@code x_1, x_2, x_3} of one forward pass, copied out of the engine in
 * their own type (one native call per layer), and their batch means {@code x̄} in float64 (rule 3):
 * summed here in float64, then divided by the row count (as {@code mean} does: sum, then divide).
 * Plain Java data, so the means can be taken on another thread.
 */
record HeadInputs(int[] rows, float[][] f32, double[][] f64) {
  static HeadInputs copyOf(ModalityNet.Forward f) {
    int n = ModalityNet.HEAD_LAYERS;
    int[] rows = new int[n];
    float[][] f32 = new float[n][];
    double[][] f64 = new double[n][];
    for (int i = 0; i < n; i++) {
      NDArray h = f.headInputs[i];
      rows[i] = Math.toIntExact(h.getShape().get(0));
      if (h.getDataType() == DataType.FLOAT32) {
        f32[i] = h.toFloatArray();
      } else {
        f64[i] = h.toType(DataType.FLOAT64, false).toDoubleArray();
      }
    }
    return new HeadInputs(rows, f32, f64);
  }

  /** {@code x̄} of every head layer, 1×d each, float64. */
  double[][] means() {
    double[][] out = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      int r = rows[i];
      int d = (f32[i] != null ? f32[i].length : f64[i].length) / r;
      double[] sum = new double[d];
      float[] v32 = f32[i];
      double[] v64 = f64[i];
      for (int row = 0, off = 0; row < r; row++, off += d) {
        if (v32 != null) {
          for (int c = 0; c < d; c++) {
            sum[c] += v32[off + c];
          }
        } else {
          for (int c = 0; c < d; c++) {
            sum[c] += v64[off + c];
          }
        }
      }
      for (int c = 0; c < d; c++) {
        sum[c] /= r;
      }
      out[i] = sum;
    }
    return out;
  }
}
