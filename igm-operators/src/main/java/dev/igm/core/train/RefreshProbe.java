package dev.igm.core.train;

/**
 * What benchmarks read and switch on a trainer beyond its public API: the T-refresh timings, and an
 * {@code igm} trainer stripped to its SAM steps (no batch means, covariances, T or gradient
 * modification), the baseline IGM's extra work is measured against on the same model and schedule.
 */
public final class RefreshProbe {
  private RefreshProbe() {}

  /**
   * Stops keeping covariances and T for every modality: the trainer's steps become plain SAM (or
   * plain) steps.
   */
  public static void withoutFlatModification(IgmTrainer trainer) {
    for (int j = 0; j < trainer.nets().size(); j++) {
      trainer.internals().parts().statistics().untrack(j);
    }
  }

  /** Training-thread nanoseconds spent waiting for T refreshes to finish, so far. */
  public static long waitNanos(IgmTrainer trainer) {
    return trainer.internals().parts().statistics().refreshWaitNanos();
  }

  /**
   * Nanoseconds the refreshes taken over so far computed on their workers (all head layers),
   * summed.
   */
  public static long computeNanos(IgmTrainer trainer) {
    return trainer.internals().parts().statistics().refreshComputeNanos();
  }

  /** Refreshes taken over so far (one per modality and refresh point, all head layers). */
  public static long count(IgmTrainer trainer) {
    return trainer.internals().parts().statistics().refreshesTaken();
  }
}
