package dev.igm.replay;

/**
 * Told about a replay's progress; called from the sending thread, often, so implementations must be
 * cheap.
 */
public interface ReplayProgress {
  /**
   * @param sent records handed to the producer so far
   * @param total records in the plan
   * @param valueBytes value bytes so far
   * @param elapsedNanos time since the first record
   */
  void update(long sent, long total, long valueBytes, long elapsedNanos);

  /** The replay ended (successfully or not). */
  default void done() {}

  ReplayProgress NONE = (sent, total, bytes, nanos) -> {};
}
