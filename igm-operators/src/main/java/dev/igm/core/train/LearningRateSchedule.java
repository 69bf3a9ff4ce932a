package dev.igm.core.train;

/**
 * The learning rate of each mini-batch: {@code lr · factor^⌊b / every⌋} (step decay; {@code every = 0}: constant).
 * See docs/ALGORITHM.md, "Optimizer".
 */
record LearningRateSchedule(double base, int decayEveryBatches, double decayFactor) {
  /** The learning rate of batch {@code b} (0-based, over the global batch stream). */
  double at(long b) {
    if (decayEveryBatches <= 0) {
      return base;
    }
    return base * Math.pow(decayFactor, b / decayEveryBatches);
  }
}
