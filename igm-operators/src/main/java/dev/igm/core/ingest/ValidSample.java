package dev.igm.core.ingest;

import dev.igm.avro.Split;
import dev.igm.core.train.LabeledSample;

/**
 * A sample that passed validation: inputs are finite float vectors in the model's modality order,
 * the label (when present) is a class index. TRAIN samples always have a label.
 *
 * @param inputs one flat float array per modality, in the configured modality order
 */
public record ValidSample(
    String sampleId, Split split, Integer label, long eventTime, float[][] inputs) {
  public boolean trains() {
    return split == Split.TRAIN;
  }

  /** The trainer's view; only for samples with a label. */
  public LabeledSample toLabeled() {
    if (label == null) {
      throw new IllegalStateException("sample " + sampleId + " has no label");
    }
    return new LabeledSample(sampleId, label, inputs);
  }
}
