package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The scores of one set of samples as they are gathered, modality by modality: the softmax of each
 * modality's logits (and, for a fusion by the summed logits, the softmax of their sum), taken from
 * an inference pass or, during {@link IgmTrainer#offerScored}, from a training step's own
 * unperturbed pass on the same samples with the same parameters. The first logits offered for a
 * modality count. {@link Fusion} turns a complete sheet into {@link Scores}.
 */
public final class ScoreSheet {
  private final int n;
  private final int classes;
  private final boolean wide;
  private final float[][] perModality;
  private final double[][] perModality64;
  private float[] logitSumSoftmax;

  /**
   * @param wide whether the logits are float64 (the fusion then sums in float64, as the engine
   *     would)
   */
  ScoreSheet(int n, int classes, int modalities, boolean wide) {
    this.n = n;
    this.classes = classes;
    this.wide = wide;
    this.perModality = new float[modalities][];
    this.perModality64 = new double[modalities][];
  }

  int n() {
    return n;
  }

  int classes() {
    return classes;
  }

  int modalities() {
    return perModality.length;
  }

  boolean has(int j) {
    return perModality[j] != null;
  }

  /**
   * Modality {@code j}'s logits for the samples (n × classes); ignored when the modality has scores
   * already.
   */
  public void modality(int j, NDArray logits) {
    if (perModality[j] != null) {
      return;
    }
    NDArray p = logits.softmax(1);
    perModality[j] = p.toType(DataType.FLOAT32, false).toFloatArray();
    if (wide) {
      perModality64[j] = p.toType(DataType.FLOAT64, false).toDoubleArray();
    }
  }

  /** The sum of all modalities' logits, in modality order. */
  public void logitSum(NDArray sum) {
    if (logitSumSoftmax == null) {
      logitSumSoftmax = sum.softmax(1).toType(DataType.FLOAT32, false).toFloatArray();
    }
  }

  float[] probabilities(int j) {
    return perModality[j];
  }

  /** Modality j's probabilities in float64 when the logits were float64, else null. */
  double[] wideProbabilities(int j) {
    return perModality64[j];
  }

  float[] logitSumSoftmax() {
    return logitSumSoftmax;
  }

  float[][] allProbabilities() {
    return perModality;
  }
}
