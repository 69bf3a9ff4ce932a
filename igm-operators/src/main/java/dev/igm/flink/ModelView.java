package dev.igm.flink;

import dev.igm.core.train.ModelSession;
import java.util.Map;

/**
 * What the training operator's gauges show of one model, as of the last time the task thread
 * published it: an immutable value, so the metrics reporter's thread never touches a live session
 * (which the task thread mutates and closes).
 *
 * @param modelVersion mini-batches trained (the model version)
 * @param publishedVersion the last version written to the model store, -1 before the first
 * @param loss mean training loss of the open metrics window (NaN when no step was accepted in it)
 * @param tRefreshMillis duration of the last T refresh
 * @param refusedSteps steps refused for a non-finite loss or gradient
 * @param deadLetters records the validating subtask had dead-lettered, as the model's last sample
 *     reported
 * @param accuracy prequential accuracy of the open window per modality and {@code fused} (empty
 *     when none scored)
 */
public record ModelView(
    long modelVersion,
    long publishedVersion,
    double loss,
    double tRefreshMillis,
    long refusedSteps,
    long deadLetters,
    Map<String, Double> accuracy) {

  /** Before the model's first sample. */
  public static final ModelView NONE = new ModelView(0, -1, Double.NaN, 0, 0, 0, Map.of());

  public ModelView {
    accuracy = Map.copyOf(accuracy);
  }

  static ModelView of(ModelSession s, long deadLetters) {
    return new ModelView(
        s.version(),
        s.publishedVersion(),
        s.windowLoss(),
        s.lastRefreshMillis(),
        s.trainer().refusedSteps(),
        deadLetters,
        s.windowAccuracy());
  }

  /**
   * Prequential accuracy of {@code key} (a modality or {@code fused}); NaN when nothing was scored.
   */
  public double accuracy(String key) {
    return accuracy.getOrDefault(key, Double.NaN);
  }
}
