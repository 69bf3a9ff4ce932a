package dev.igm.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.codec.AvroBytes;
import dev.igm.codec.TensorCodec;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.ModalitySpec;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One test per rejection kind, plus the accepted path; every reason names the modality and the
 * numbers.
 */
class SampleValidatorTest {
  private static final IgmConfig CONFIG =
      IgmConfig.builder()
          .method("igm")
          .addModality(ModalitySpec.features("shape", 3))
          .addModality(ModalitySpec.features("colour", 2))
          .numClasses(4)
          .build();
  private static final TensorCodec CODEC = TensorCodec.create();
  private final SampleValidator validator = new SampleValidator(CONFIG, 1024, 4096);
  private final AvroBytes<MultimodalSample> avro = AvroBytes.of(MultimodalSample.class);

  private static Map<String, Tensor> good() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put(
        "colour",
        CODEC.encodeFloat32(
            new float[] {0.5f, -1f}, 2)); // map order differs from model order on purpose
    m.put("shape", CODEC.encodeFloat32(new float[] {1f, 2f, 3f}, 3));
    return m;
  }

  private static MultimodalSample sample(Map<String, Tensor> mods, Split split, Integer label) {
    return MultimodalSample.newBuilder()
        .setSampleId("s1")
        .setSplit(split)
        .setLabel(label)
        .setEventTime(Instant.ofEpochMilli(42))
        .setModalities(mods)
        .build();
  }

  private Rejection rejected(Validation v) {
    assertThat(v).isInstanceOf(Validation.Rejected.class);
    return ((Validation.Rejected) v).rejection();
  }

  @Test
  void acceptsAGoodSampleInModelOrder() {
    Validation v = validator.decode(avro.encode(sample(good(), Split.TRAIN, 3)));
    assertThat(v).isInstanceOf(Validation.Valid.class);
    ValidSample s = ((Validation.Valid) v).sample();
    assertThat(s.inputs()[0]).containsExactly(1f, 2f, 3f);
    assertThat(s.inputs()[1]).containsExactly(0.5f, -1f);
    assertThat(s.toLabeled().label()).isEqualTo(3);
    assertThat(s.eventTime()).isEqualTo(42);
    assertThat(s.trains()).isTrue();
  }

  @Test
  void acceptsUnlabelledTestSamplesAndFloat16() {
    Map<String, Tensor> m = good();
    m.put("colour", CODEC.encodeFloat16(new float[] {0.5f, -1f}, 2));
    assertThat(validator.validate(sample(m, Split.TEST, null)))
        .isInstanceOf(Validation.Valid.class);
  }

  @Test
  void corruptAvro() {
    byte[] bytes = avro.encode(sample(good(), Split.TRAIN, 1));
    Rejection r = rejected(validator.decode(Arrays.copyOf(bytes, bytes.length - 5)));
    assertThat(r.kind()).isEqualTo(RejectionKind.CORRUPT_RECORD);
    assertThat(r.stage()).isEqualTo("decode");
    assertThat(r.reason()).contains("corrupt Avro MultimodalSample");
    assertThat(rejected(validator.decode(new byte[] {(byte) 0xff, 1, 2})).kind())
        .isEqualTo(RejectionKind.CORRUPT_RECORD);
    assertThat(rejected(validator.decode(null)).reason()).contains("no value");
  }

  @Test
  void oversizeRecordIsRejectedBeforeDecoding() {
    Rejection r = rejected(validator.decode(new byte[5000]));
    assertThat(r.kind()).isEqualTo(RejectionKind.OVERSIZE);
    assertThat(r.reason()).contains("5000 bytes").contains("4096");
  }

  @Test
  void oversizeTensor() {
    Map<String, Tensor> m = good();
    m.put("shape", CODEC.encodeFloat32(new float[300], 300));
    Rejection r = rejected(validator.validate(sample(m, Split.TRAIN, 1)));
    assertThat(r.kind()).isEqualTo(RejectionKind.OVERSIZE);
    assertThat(r.reason()).contains("modality 'shape'").contains("1200 bytes").contains("1024");
  }

  @Test
  void unknownModality() {
    Map<String, Tensor> m = good();
    m.put("depth", CODEC.encodeFloat32(new float[] {1f}, 1));
    Rejection r = rejected(validator.validate(sample(m, Split.TRAIN, 1)));
    assertThat(r.kind()).isEqualTo(RejectionKind.UNKNOWN_MODALITY);
    assertThat(r.reason()).contains("'depth'").contains("[shape, colour]");
    assertThat(r.describe()).startsWith("UNKNOWN_MODALITY (sample s1): ");
  }

  @Test
  void missingModality() {
    Map<String, Tensor> m = good();
    m.remove("colour");
    Rejection r = rejected(validator.validate(sample(m, Split.TRAIN, 1)));
    assertThat(r.kind()).isEqualTo(RejectionKind.MISSING_MODALITY);
    assertThat(r.reason()).contains("[colour]");
  }

  @Test
  void wrongShapeNamesExpectedAndActual() {
    Map<String, Tensor> m = good();
    m.put("shape", CODEC.encodeFloat32(new float[] {1f, 2f, 3f, 4f}, 2, 2));
    Rejection r = rejected(validator.validate(sample(m, Split.TRAIN, 1)));
    assertThat(r.kind()).isEqualTo(RejectionKind.WRONG_SHAPE);
    assertThat(r.reason()).isEqualTo("modality 'shape' has shape [2, 2] but the model expects [3]");
  }

  @Test
  void bytesThatDoNotMatchTheShapeAreAShapeProblem() {
    Map<String, Tensor> m = good();
    m.put(
        "shape",
        Tensor.newBuilder()
            .setShape(List.of(3))
            .setDtype("float32")
            .setData(ByteBuffer.wrap(new byte[8]))
            .build());
    Rejection r = rejected(validator.validate(sample(m, Split.TRAIN, 1)));
    assertThat(r.kind()).isEqualTo(RejectionKind.WRONG_SHAPE);
    assertThat(r.reason()).contains("needs 12 bytes").contains("carries 8 bytes");
  }

  @Test
  void wrongDtype() {
    Map<String, Tensor> m = good();
    m.put("colour", CODEC.encodeInt64(new long[] {1, 2}, 2));
    Rejection r = rejected(validator.validate(sample(m, Split.TRAIN, 1)));
    assertThat(r.kind()).isEqualTo(RejectionKind.WRONG_DTYPE);
    assertThat(r.reason()).contains("'colour'").contains("int64");
    m.put(
        "colour",
        Tensor.newBuilder()
            .setShape(List.of(2))
            .setDtype("complex64")
            .setData(ByteBuffer.wrap(new byte[16]))
            .build());
    assertThat(rejected(validator.validate(sample(m, Split.TRAIN, 1))).reason())
        .contains("unknown dtype 'complex64'");
  }

  @Test
  void nonFiniteNamesTheIndex() {
    Map<String, Tensor> m = good();
    m.put("shape", CODEC.encodeFloat32(new float[] {1f, Float.NaN, 3f}, 3));
    Rejection r = rejected(validator.validate(sample(m, Split.TRAIN, 1)));
    assertThat(r.kind()).isEqualTo(RejectionKind.NON_FINITE);
    assertThat(r.reason()).contains("NaN at flat index 1");
    m.put("shape", CODEC.encodeFloat32(new float[] {1f, 2f, Float.NEGATIVE_INFINITY}, 3));
    assertThat(rejected(validator.validate(sample(m, Split.VALID, 1))).reason())
        .contains("-Infinity at flat index 2");
  }

  @Test
  void labelOutOfRangeAndMissing() {
    Rejection r = rejected(validator.validate(sample(good(), Split.TRAIN, 4)));
    assertThat(r.kind()).isEqualTo(RejectionKind.LABEL_OUT_OF_RANGE);
    assertThat(r.reason()).contains("label 4 is outside [0, 4)");
    assertThat(rejected(validator.validate(sample(good(), Split.TEST, -1))).kind())
        .isEqualTo(RejectionKind.LABEL_OUT_OF_RANGE);
    Rejection missing = rejected(validator.validate(sample(good(), Split.TRAIN, null)));
    assertThat(missing.kind()).isEqualTo(RejectionKind.MISSING_LABEL);
  }
}
