package dev.igm.core.serve;

import java.io.Serializable;
import java.time.Duration;

/**
 * How a serving instance groups samples into batches scored in one pass: a batch is scored when it
 * holds {@code maxRecords} samples or when its oldest sample has waited {@code maxDelay}, whichever
 * comes first (the operator also scores it as soon as its input runs dry, so at low rates nothing
 * waits for a batch to fill).
 *
 * @param maxRecords the most samples in one batch; 1 scores every sample on its own
 * @param maxDelay the longest a sample waits for its batch to fill up
 */
public record BatchingPolicy(int maxRecords, Duration maxDelay) implements Serializable {
  /** 256 samples or 10 ms. */
  public static final BatchingPolicy DEFAULT = new BatchingPolicy(256, Duration.ofMillis(10));

  /** Every sample scored on its own as it arrives. */
  public static final BatchingPolicy NONE = new BatchingPolicy(1, Duration.ZERO);

  public BatchingPolicy {
    if (maxRecords < 1) {
      throw new IllegalArgumentException("a batch holds at least 1 record, got " + maxRecords);
    }
    if (maxDelay == null || maxDelay.isNegative()) {
      throw new IllegalArgumentException("the batch delay must be >= 0, got " + maxDelay);
    }
  }

  public long maxDelayMillis() {
    return maxDelay.toMillis();
  }
}
