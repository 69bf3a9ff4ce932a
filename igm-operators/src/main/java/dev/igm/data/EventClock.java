package dev.igm.data;

import java.time.Clock;

/**
 * Where a replayed record's event time comes from. {@link #wall} stamps the time of sending (a live
 * stream); {@link #synthetic} stamps {@code start + i·interval} for the i-th record of the plan, so
 * that two replays of the same plan carry identical event times (reproducible windows and
 * watermarks downstream).
 */
@FunctionalInterface
public interface EventClock {
  /**
   * Event time in epoch milliseconds of the record at position {@code index} (0-based) of the
   * replay plan.
   */
  long stamp(long index);

  static EventClock wall(Clock clock) {
    return index -> clock.millis();
  }

  static EventClock synthetic(long startMillis, long intervalMillis) {
    if (intervalMillis < 0) {
      throw new IllegalArgumentException(
          "event-time interval must be >= 0 ms, got " + intervalMillis);
    }
    return index -> Math.addExact(startMillis, Math.multiplyExact(index, intervalMillis));
  }
}
