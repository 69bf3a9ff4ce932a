package dev.igm.core.model;

/**
 * What a forward pass is for. It decides how BatchNorm normalises and whether its running
 * statistics move, so that one optimizer step moves them exactly once (docs/ALGORITHM.md, rules 3
 * and 8 applied to encoder state).
 */
public enum Pass {
  /**
   * The unperturbed pass of a training step: batch statistics; the updated running statistics are
   * staged and reach the network only when the trainer commits them after the step is applied (a
   * refused step discards them).
   */
  TRAINING,
  /**
   * A pass that must leave no trace: SAM's pass at θ+ε, the reference variant's re-scoring,
   * gradient checks. Batch statistics as in training; running statistics are neither read nor
   * changed.
   */
  PROBE,
  /** Scoring: running statistics (PyTorch's {@code eval()}), nothing changes. */
  INFERENCE
}
