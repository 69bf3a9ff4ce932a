package dev.igm.flink.serve;

import dev.igm.flink.RawRecord;

/**
 * A sample record waiting for the first version of a model, as stored in a checkpoint (Flink POJO).
 */
public final class HeldSample {
  public String modelId;
  public RawRecord record;

  public HeldSample() {}

  public HeldSample(String modelId, RawRecord record) {
    this.modelId = modelId;
    this.record = record;
  }
}
