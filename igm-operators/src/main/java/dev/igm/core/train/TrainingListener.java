package dev.igm.core.train;

import dev.igm.core.FlatMatrix;

/**
 * Cross-cutting observers of training (progress lines, Flink metrics, the report), as in DJL's
 * training API.
 */
public interface TrainingListener {
  /** After every optimizer step, accepted or refused. */
  default void onStep(StepReport report) {}

  /** After the T matrix of {@code modality}'s head layer {@code layer} was recomputed. */
  default void onRefresh(String modality, int layer, FlatMatrix t, long batchIndex) {}
}
