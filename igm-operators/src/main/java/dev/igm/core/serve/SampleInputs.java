package dev.igm.core.serve;

import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Tensor;
import dev.igm.codec.TensorCodec;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.ModalitySpec;
import java.util.Arrays;

/** A sample's tensors as the float inputs a model takes, in the model's modality order, checked before use. */
public final class SampleInputs {
  private SampleInputs() {}

  /**
   * One {@code float[]} per modality of {@code config}, each of the modality's input size. Extra modalities in the
   * sample are ignored (another model may use them); a missing one, a wrong element count, an unsupported dtype or a
   * NaN/Inf value makes the sample unusable for this model.
   */
  public static float[][] of(IgmConfig config, MultimodalSample sample, TensorCodec codec) throws InvalidSampleException {
    float[][] in = new float[config.modalityCount()][];
    for (int j = 0; j < in.length; j++) {
      ModalitySpec spec = config.modalities().get(j);
      Tensor t = sample.getModalities().get(spec.name());
      if (t == null) {
        throw new InvalidSampleException(
            "sample " + sample.getSampleId() + " has no modality '" + spec.name() + "' (it has "
                + sample.getModalities().keySet() + ")");
      }
      float[] values;
      try {
        values = codec.toFloatArray(t);
      } catch (IllegalArgumentException e) { // TensorFormatException: unknown dtype, bad byte length, int64
        throw new InvalidSampleException("sample " + sample.getSampleId() + ", modality " + spec.name() + ": " + e.getMessage());
      }
      if (values.length != spec.inputSize()) {
        throw new InvalidSampleException(
            "sample " + sample.getSampleId() + ", modality " + spec.name() + ": shape " + t.getShape() + " has "
                + values.length + " values, the model takes " + spec.inputSize() + " (shape " + spec.inputShape() + ")");
      }
      for (int i = 0; i < values.length; i++) {
        if (!Float.isFinite(values[i])) {
          throw new InvalidSampleException(
              "sample " + sample.getSampleId() + ", modality " + spec.name() + ": non-finite value " + values[i]
                  + " at index " + i + " of " + Arrays.toString(t.getShape().toArray()));
        }
      }
      in[j] = values;
    }
    return in;
  }
}
