package dev.igm.core.train;

import java.util.List;

/**
 * Algorithm 1 ({@code schedule: phased}): modality j trains alone for {@code phase.batches}
 * consecutive mini-batches, then the next modality in order; when j's phase ends, {@code T^j} is
 * recomputed from {@code C^j}, and with {@code covariance.reset: per-phase} {@code C^j} starts
 * empty when j's next phase starts. A phase cut short by the end of the input gets no refresh (rule
 * 2). See docs/ALGORITHM.md, "Algorithm 1".
 */
final class PhasedSchedule implements TrainingSchedule {
  private final int phaseBatches;
  private final int modalities;
  private final HeadStatistics statistics;

  PhasedSchedule(int phaseBatches, int modalities, HeadStatistics statistics) {
    this.phaseBatches = phaseBatches;
    this.modalities = modalities;
    this.statistics = statistics;
  }

  /** The modality that batch {@code b} trains. */
  int modality(long b) {
    return (int) ((b / phaseBatches) % modalities);
  }

  @Override
  public List<StepReport> train(long b, Steps steps) {
    int j = modality(b);
    if (b % phaseBatches == 0) {
      statistics.resetIfPerPhase(j);
    }
    StepReport report = steps.modality(j);
    if ((b + 1) % phaseBatches == 0) {
      statistics.refresh(j, b);
    }
    return List.of(report);
  }

  @Override
  public boolean[] stepped(long b) {
    boolean[] out = new boolean[modalities];
    out[modality(b)] = true;
    return out;
  }
}
