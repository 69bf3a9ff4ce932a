package dev.igm.flink;

import dev.igm.avro.Split;
import dev.igm.core.ingest.ValidSample;

/**
 * A validated sample addressed to one model (the key of the training operator). A Flink POJO.
 *
 * <p>{@code deadLetters} is the number of records the validating subtask had rejected when it
 * emitted this one; the trainer reports it in {@code TrainingMetrics.deadLetters} (it is
 * checkpointed, so it is exact across restores).
 */
public class ModelSample {
  public String modelId;
  public String sampleId;
  public Split split;
  public Integer label;
  public long eventTime;
  public float[][] inputs;
  public long deadLetters;

  public ModelSample() {}

  public static ModelSample of(String modelId, ValidSample s, long deadLetters) {
    ModelSample m = new ModelSample();
    m.modelId = modelId;
    m.sampleId = s.sampleId();
    m.split = s.split();
    m.label = s.label();
    m.eventTime = s.eventTime();
    m.inputs = s.inputs();
    m.deadLetters = deadLetters;
    return m;
  }

  public String getModelId() {
    return modelId;
  }

  public ValidSample toValid() {
    return new ValidSample(sampleId, split, label, eventTime, inputs);
  }
}
