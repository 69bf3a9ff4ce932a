package dev.igm.core.train;

/**
 * Probabilities for n samples over c classes, row-major n x c.
 *
 * @param perModality one n x c array per modality (softmax of that modality's head)
 * @param fused the fused prediction (mean softmax; softmax of summed logits for joint)
 * @param meanSoftmax the mean of the per-modality softmaxes (reported beside joint's own fusion)
 */
public record Scores(
    int n, int classes, float[][] perModality, float[] fused, float[] meanSoftmax) {
  /** Probabilities of sample {@code s} under modality {@code j}. */
  public float[] modality(int j, int s) {
    return java.util.Arrays.copyOfRange(perModality[j], s * classes, (s + 1) * classes);
  }

  public float[] fused(int s) {
    return java.util.Arrays.copyOfRange(fused, s * classes, (s + 1) * classes);
  }
}
