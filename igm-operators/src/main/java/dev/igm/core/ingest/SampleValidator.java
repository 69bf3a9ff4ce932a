package dev.igm.core.ingest;

import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.codec.AvroBytes;
import dev.igm.codec.DType;
import dev.igm.codec.TensorCodec;
import dev.igm.codec.TensorFormatException;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.ModalitySpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns raw record bytes or a decoded {@link MultimodalSample} into a {@link ValidSample} for one
 * model's input contract (its modalities, their shapes, its class count), or into a {@link
 * Rejection} whose reason says what is wrong, where, and what was expected (dead-lettered with that
 * reason; nothing valid is lost).
 *
 * <p>Checks, in order: record size and Avro decoding; unknown then missing modalities; per modality
 * (in the model's order) dtype, byte length / size limit (both by {@link TensorCodec#validate}),
 * shape against the configured input shape, finiteness; finally the label (required for TRAIN, a
 * class index whenever present).
 *
 * <p>Not thread-safe (it reuses an Avro decoder): one instance per operator instance.
 */
public final class SampleValidator {
  /** Default limit on a whole record: 65 MiB (one maximal tensor plus room for the rest). */
  public static final long DEFAULT_MAX_RECORD_BYTES = TensorCodec.DEFAULT_MAX_BYTES + (1L << 20);

  private final List<ModalitySpec> modalities;
  private final List<String> names;
  private final int numClasses;
  private final TensorCodec codec;
  private final long maxRecordBytes;
  private final AvroBytes<MultimodalSample> avro = AvroBytes.of(MultimodalSample.class);

  public SampleValidator(IgmConfig config) {
    this(config, TensorCodec.DEFAULT_MAX_BYTES, DEFAULT_MAX_RECORD_BYTES);
  }

  /**
   * @param config the model whose input contract is checked (modalities, shapes, class count)
   * @param maxTensorBytes largest accepted payload of one tensor
   * @param maxRecordBytes largest accepted record (checked before decoding, so a huge record is
   *     never parsed)
   */
  public SampleValidator(IgmConfig config, long maxTensorBytes, long maxRecordBytes) {
    this.modalities = config.modalities();
    this.names = modalities.stream().map(ModalitySpec::name).toList();
    this.numClasses = config.numClasses();
    this.codec = TensorCodec.withMaxBytes(maxTensorBytes);
    if (maxRecordBytes <= 0) {
      throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
    }
    this.maxRecordBytes = maxRecordBytes;
  }

  /** Decodes Avro bytes (as read from Kafka) and validates the sample. */
  public Validation decode(byte[] value) {
    if (value == null) {
      return Validation.rejected(
          RejectionKind.CORRUPT_RECORD, null, "the record has no value (null)");
    }
    if (value.length > maxRecordBytes) {
      return Validation.rejected(
          RejectionKind.OVERSIZE,
          null,
          "record of " + value.length + " bytes exceeds the limit of " + maxRecordBytes + " bytes");
    }
    MultimodalSample sample;
    try {
      sample = avro.decode(value);
    } catch (IOException e) {
      // AvroBytes words its own failures; a plain EOF (truncated record) comes without a message
      String m = e.getMessage();
      return Validation.rejected(
          RejectionKind.CORRUPT_RECORD,
          null,
          m != null && m.startsWith("corrupt Avro")
              ? m
              : "corrupt Avro MultimodalSample (" + value.length + " bytes): " + e);
    }
    return validate(sample);
  }

  /** Validates a decoded sample against the model's input contract. */
  public Validation validate(MultimodalSample sample) {
    String id = sample.getSampleId();
    Map<String, Tensor> given = sample.getModalities();
    for (String name : given.keySet()) {
      if (!names.contains(name)) {
        return Validation.rejected(
            RejectionKind.UNKNOWN_MODALITY,
            id,
            "unknown modality '" + name + "' (the model takes " + names + ")");
      }
    }
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      if (!given.containsKey(name)) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      return Validation.rejected(
          RejectionKind.MISSING_MODALITY,
          id,
          "missing modality "
              + missing
              + " (the model takes "
              + names
              + ", the record has "
              + given.keySet()
              + ")");
    }
    float[][] inputs = new float[modalities.size()][];
    for (int j = 0; j < modalities.size(); j++) {
      ModalitySpec spec = modalities.get(j);
      Tensor t = given.get(spec.name());
      if (t == null) {
        return Validation.rejected(
            RejectionKind.MISSING_MODALITY, id, "modality '" + spec.name() + "' is null");
      }
      try {
        DType dtype = codec.validate(t);
        if (dtype == DType.INT64) {
          return Validation.rejected(
              RejectionKind.WRONG_DTYPE,
              id,
              "modality '"
                  + spec.name()
                  + "' has dtype "
                  + dtype.wireName()
                  + "; the model takes float32, float16 or uint8");
        }
        if (!t.getShape().equals(spec.inputShape())) {
          return Validation.rejected(
              RejectionKind.WRONG_SHAPE,
              id,
              "modality '"
                  + spec.name()
                  + "' has shape "
                  + t.getShape()
                  + " but the model expects "
                  + spec.inputShape());
        }
        float[] v = codec.toFloatArray(t);
        for (int i = 0; i < v.length; i++) {
          if (!Float.isFinite(v[i])) {
            return Validation.rejected(
                RejectionKind.NON_FINITE,
                id,
                "modality '"
                    + spec.name()
                    + "': non-finite value "
                    + v[i]
                    + " at flat index "
                    + i
                    + " of shape "
                    + t.getShape());
          }
        }
        inputs[j] = v;
      } catch (TensorFormatException e) {
        return Validation.rejected(
            kindOf(e), id, "modality '" + spec.name() + "': " + e.getMessage());
      }
    }
    Integer label = sample.getLabel();
    if (label == null && sample.getSplit() == Split.TRAIN) {
      return Validation.rejected(
          RejectionKind.MISSING_LABEL,
          id,
          "a TRAIN sample needs a label in [0, " + numClasses + ")");
    }
    if (label != null && (label < 0 || label >= numClasses)) {
      return Validation.rejected(
          RejectionKind.LABEL_OUT_OF_RANGE,
          id,
          "label "
              + label
              + " is outside [0, "
              + numClasses
              + ") (the model has "
              + numClasses
              + " classes)");
    }
    long time = sample.getEventTime() == null ? 0 : sample.getEventTime().toEpochMilli();
    return Validation.valid(new ValidSample(id, sample.getSplit(), label, time, inputs));
  }

  private static RejectionKind kindOf(TensorFormatException e) {
    switch (e.kind()) {
      case OVERSIZE:
        return RejectionKind.OVERSIZE;
      case UNKNOWN_DTYPE:
      case WRONG_DTYPE:
        return RejectionKind.WRONG_DTYPE;
      case NON_FINITE:
        return RejectionKind.NON_FINITE;
      case SHAPE_MISMATCH:
      case NEGATIVE_DIM:
      default:
        return RejectionKind.WRONG_SHAPE;
    }
  }
}
