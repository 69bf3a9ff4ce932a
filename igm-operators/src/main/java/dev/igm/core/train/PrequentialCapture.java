package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.igm.core.config.IgmConfig;
import java.util.List;

/**
 * The prequential scores of one mini-batch, collected while the trainer trains it ({@link IgmTrainer#offerScored}):
 * a modality whose training step makes the unperturbed forward pass on this very batch with its parameters as they
 * were before the batch hands over that pass's logits; the others are scored by an inference pass before any step.
 * The result is what {@link IgmTrainer#score} computes on the trainer as it was before the batch, bit for bit:
 * per-modality softmax in libtorch, then the fusion in float32 in the same order of operations (weighted sum of the
 * softmaxes; {@code joint}: softmax of the summed logits).
 */
final class PrequentialCapture {
  private final int n;
  private final int classes;
  private final float[][] perModality;
  private float[] logitSumSoftmax;

  PrequentialCapture(int n, int classes, int modalities) {
    this.n = n;
    this.classes = classes;
    this.perModality = new float[modalities][];
  }

  boolean has(int j) {
    return perModality[j] != null;
  }

  /** Modality {@code j}'s logits for the batch; the first ones offered count (an earlier inference pass wins). */
  void modality(int j, NDArray logits) {
    if (perModality[j] == null) {
      perModality[j] = logits.softmax(1).toType(DataType.FLOAT32, false).toFloatArray();
    }
  }

  /** {@code joint}: the sum of all modalities' logits, in modality order. */
  void logitSum(NDArray sum) {
    if (logitSumSoftmax == null) {
      logitSumSoftmax = sum.softmax(1).toType(DataType.FLOAT32, false).toFloatArray();
    }
  }

  Scores finish(IgmConfig config) {
    int m = perModality.length;
    for (int j = 0; j < m; j++) {
      if (perModality[j] == null) {
        throw new IllegalStateException("no prequential scores for modality " + config.modalities().get(j).name());
      }
    }
    // as IgmTrainer.score: probSum = p_0·w_0 + p_1·w_1 + ..., each product and sum rounded to float32 (libtorch
    // multiplies a float32 tensor by a scalar in float32)
    List<Double> weights = config.fusionWeights();
    float[] meanSoftmax = new float[n * classes];
    for (int j = 0; j < m; j++) {
      float w = (float) (weights.isEmpty() ? 1.0 / m : weights.get(j));
      float[] p = perModality[j];
      for (int i = 0; i < meanSoftmax.length; i++) {
        float weighted = p[i] * w;
        meanSoftmax[i] = j == 0 ? weighted : meanSoftmax[i] + weighted;
      }
    }
    float[] fused = meanSoftmax;
    if (config.method() == IgmConfig.Method.JOINT) {
      if (logitSumSoftmax == null) {
        throw new IllegalStateException("no prequential logit sum for joint");
      }
      fused = logitSumSoftmax;
    }
    return new Scores(n, classes, perModality, fused, meanSoftmax);
  }
}
