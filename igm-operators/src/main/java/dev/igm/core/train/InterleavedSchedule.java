package dev.igm.core.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code schedule: interleaved}: every mini-batch gives one optimizer step per modality, in order;
 * every {@code t.refresh.batches} batches each modality's T is recomputed from its covariance,
 * which then, with {@code covariance.reset: per-phase}, starts empty (rules 2, 3). See
 * docs/ALGORITHM.md, "Schedules".
 */
final class InterleavedSchedule implements TrainingSchedule {
  private final int refreshBatches;
  private final int modalities;
  private final HeadStatistics statistics;

  InterleavedSchedule(int refreshBatches, int modalities, HeadStatistics statistics) {
    this.refreshBatches = refreshBatches;
    this.modalities = modalities;
    this.statistics = statistics;
  }

  @Override
  public List<StepReport> train(long b, Steps steps) {
    List<StepReport> reports = new ArrayList<>();
    for (int j = 0; j < modalities; j++) {
      reports.add(steps.modality(j));
    }
    if ((b + 1) % refreshBatches == 0) {
      for (int k = 0; k < modalities; k++) {
        statistics.refresh(k, b);
        statistics.resetIfPerPhase(k);
      }
    }
    return reports;
  }

  @Override
  public boolean[] stepped(long b) {
    boolean[] out = new boolean[modalities];
    Arrays.fill(out, true);
    return out;
  }
}
