package dev.igm.flink.serve;

import dev.igm.flink.RawRecord;

/**
 * A sample record in the open batch, with the stream timestamp its prediction carries on (Flink
 * POJO: it is also how a checkpoint stores the batch).
 */
public final class PendingSample {
  public RawRecord record;
  public boolean hasTimestamp;
  public long timestamp;

  public PendingSample() {}

  public PendingSample(RawRecord record, boolean hasTimestamp, long timestamp) {
    this.record = record;
    this.hasTimestamp = hasTimestamp;
    this.timestamp = timestamp;
  }
}
