package dev.igm.core.serve;

import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Tensor;
import dev.igm.codec.DType;
import dev.igm.codec.TensorCodec;
import dev.igm.core.InputRows;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.ModalitySpec;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A sample's tensors as the float inputs a model takes, in the model's modality order, checked
 * before use.
 */
public final class SampleInputs {
  private SampleInputs() {}

  /**
   * One {@code float[]} per modality of {@code config}, each of the modality's input size. Extra
   * modalities in the sample are ignored (another model may use them); a missing one, a wrong
   * element count, an unsupported dtype or a NaN/Inf value makes the sample unusable for this
   * model.
   */
  public static float[][] of(IgmConfig config, MultimodalSample sample, TensorCodec codec)
      throws InvalidSampleException {
    float[][] in = new float[config.modalityCount()][];
    for (int j = 0; j < in.length; j++) {
      ModalitySpec spec = config.modalities().get(j);
      Tensor t = tensor(sample, spec);
      float[] values;
      try {
        values = codec.toFloatArray(t);
      } catch (
          IllegalArgumentException
              e) { // TensorFormatException: unknown dtype, bad byte length, int64
        throw new InvalidSampleException(where(sample, spec) + e.getMessage());
      }
      checkCount(sample, spec, t, values.length);
      for (int i = 0; i < values.length; i++) {
        checkFinite(sample, spec, t, values[i], i);
      }
      in[j] = values;
    }
    return in;
  }

  /**
   * Checks {@code sample} as {@link #of} does and writes its inputs into row {@code row} of {@code
   * rows} (one {@link InputRows} per modality of {@code config}, in its order), with no array per
   * sample for float32 tensors. When it throws, the row may hold part of the sample: the caller
   * writes the next sample into the same row.
   */
  public static void into(
      IgmConfig config, MultimodalSample sample, TensorCodec codec, InputRows[] rows, int row)
      throws InvalidSampleException {
    for (int j = 0; j < rows.length; j++) {
      ModalitySpec spec = config.modalities().get(j);
      Tensor t = tensor(sample, spec);
      int count;
      try {
        DType dtype = codec.validate(t);
        if (dtype == DType.FLOAT32) {
          FloatBuffer values =
              t.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
          count = values.remaining();
          if (count == spec.inputSize()) {
            rows[j].put(row, values);
          }
        } else {
          float[] values = codec.toFloatArray(t); // float16 and uint8 need converting anyway
          count = values.length;
          if (count == spec.inputSize()) {
            rows[j].put(row, values);
          }
        }
      } catch (
          IllegalArgumentException
              e) { // TensorFormatException: unknown dtype, bad byte length, int64
        throw new InvalidSampleException(where(sample, spec) + e.getMessage());
      }
      checkCount(sample, spec, t, count);
      for (int i = 0; i < count; i++) {
        checkFinite(sample, spec, t, rows[j].get(row, i), i);
      }
    }
  }

  private static Tensor tensor(MultimodalSample sample, ModalitySpec spec)
      throws InvalidSampleException {
    Tensor t = sample.getModalities().get(spec.name());
    if (t == null) {
      throw new InvalidSampleException(
          "sample "
              + sample.getSampleId()
              + " has no modality '"
              + spec.name()
              + "' (it has "
              + sample.getModalities().keySet()
              + ")");
    }
    return t;
  }

  private static String where(MultimodalSample sample, ModalitySpec spec) {
    return "sample " + sample.getSampleId() + ", modality " + spec.name() + ": ";
  }

  private static void checkCount(MultimodalSample sample, ModalitySpec spec, Tensor t, int count)
      throws InvalidSampleException {
    if (count != spec.inputSize()) {
      throw new InvalidSampleException(
          where(sample, spec)
              + "shape "
              + t.getShape()
              + " has "
              + count
              + " values, the model takes "
              + spec.inputSize()
              + " (shape "
              + spec.inputShape()
              + ")");
    }
  }

  private static void checkFinite(
      MultimodalSample sample, ModalitySpec spec, Tensor t, float v, int i)
      throws InvalidSampleException {
    if (!Float.isFinite(v)) {
      throw new InvalidSampleException(
          where(sample, spec)
              + "non-finite value "
              + v
              + " at index "
              + i
              + " of "
              + Arrays.toString(t.getShape().toArray()));
    }
  }
}
