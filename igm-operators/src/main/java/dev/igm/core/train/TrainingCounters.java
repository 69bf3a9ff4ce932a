package dev.igm.core.train;

import java.util.List;

/**
 * What a trainer has done so far: mini-batches trained (the schedule cursor and the model version),
 * samples trained, and steps refused for non-finite gradients. Exported and imported with the
 * snapshot.
 */
final class TrainingCounters {
  long batches;
  long samplesTrained;
  long refusedSteps;

  /** Counts a trained batch of {@code size} samples and its steps. */
  void batchTrained(int size, List<StepReport> reports) {
    batches++;
    samplesTrained += size;
    refusedSteps += reports.stream().filter(StepReport::refused).count();
  }

  void restore(long batches, long samplesTrained, long refusedSteps) {
    this.batches = batches;
    this.samplesTrained = samplesTrained;
    this.refusedSteps = refusedSteps;
  }
}
