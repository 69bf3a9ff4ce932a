package dev.igm.core.train;

import ai.djl.ndarray.NDArray;

/**
 * Loss functions on logits (batch x classes) and one-hot targets, as {@code
 * torch.nn.functional.cross_entropy}.
 */
public final class Losses {
  private Losses() {}

  /** Mean cross-entropy: {@code −mean_b Σ_c y_bc · log_softmax(logits)_bc}. */
  public static NDArray crossEntropy(NDArray logits, NDArray oneHot) {
    return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).mean().neg();
  }

  /** Mixup loss {@code λ·CE(o, y_a) + (1−λ)·CE(o, y_b)}. */
  public static NDArray mixup(NDArray logits, NDArray ya, NDArray yb, double lambda) {
    NDArray logp = logits.logSoftmax(1);
    NDArray a = logp.mul(ya).sum(new int[] {1}).mean().neg();
    NDArray b = logp.mul(yb).sum(new int[] {1}).mean().neg();
    return a.mul(lambda).add(b.mul(1 - lambda));
  }
}
