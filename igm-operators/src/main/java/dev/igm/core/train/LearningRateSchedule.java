package dev.igm.core.train;

/**
 * The learning rate of each mini-batch b (0-based, over the global batch stream): step decay, then
 * linear warm-up, {@code lr(b) = base · factor^⌊b / every⌋ · min(1, (b + 1) / warmup)}; {@code
 * every = 0} means no decay and {@code warmup = 0} no warm-up (the factor is then exactly 1, so the
 * rate is the decayed rate bit for bit). See docs/ALGORITHM.md, "Optimizer".
 */
record LearningRateSchedule(
    double base, int decayEveryBatches, double decayFactor, int warmupBatches) {
  double at(long b) {
    double lr = decayEveryBatches <= 0 ? base : base * Math.pow(decayFactor, b / decayEveryBatches);
    if (warmupBatches <= 0 || b + 1 >= warmupBatches) {
      return lr;
    }
    return lr * ((b + 1) / (double) warmupBatches);
  }
}
