package dev.igm.flink.serve;

/** A sample record waiting for the first version of a model, as stored in a checkpoint (Flink POJO). */
public final class HeldSample {
  public String modelId;
  public RawKafkaRecord record;

  public HeldSample() {}

  public HeldSample(String modelId, RawKafkaRecord record) {
    this.modelId = modelId;
    this.record = record;
  }
}
