package dev.igm.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.igm.avro.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TensorCodecTest {
  private final TensorCodec codec = TensorCodec.create();

  @Test
  void float32RoundTripIsBitExactAndLittleEndian() {
    float[] v = {0f, -0f, 1.5f, Float.MIN_VALUE, Float.MAX_VALUE, -3.25e-20f};
    Tensor t = codec.encodeFloat32(v, 2, 3);
    assertThat(t.getDtype()).isEqualTo("float32");
    assertThat(t.getShape()).containsExactly(2, 3);
    ByteBuffer b = t.getData().duplicate();
    assertThat(b.remaining()).isEqualTo(24);
    // 1.5f = 0x3FC00000, little-endian bytes 00 00 C0 3F at offset 8
    assertThat(new byte[] {b.get(8), b.get(9), b.get(10), b.get(11)})
        .containsExactly(0, 0, (byte) 0xC0, 0x3F);
    float[] back = codec.toFloatArray(t);
    for (int i = 0; i < v.length; i++) {
      assertThat(Float.floatToRawIntBits(back[i])).isEqualTo(Float.floatToRawIntBits(v[i]));
    }
  }

  @Test
  void float16RoundTripMatchesIeeeHalf() {
    // values exactly representable in binary16, incl. subnormal 2^-24, max 65504, -0
    float[] v = {0f, -0f, 1f, -2.5f, 65504f, 0x1p-24f, 0x1p-14f, 0.333251953125f};
    Tensor t = codec.encodeFloat16(v, 8);
    assertThat(t.getData().remaining()).isEqualTo(16);
    assertThat(codec.toFloatArray(t)).containsExactly(v);
    // 1.0 in half = 0x3C00
    assertThat(codec.toFloat16Bits(t)[2]).isEqualTo((short) 0x3C00);
    // rounding: 1 + 2^-11 is a tie between 1 and 1+2^-10 -> even (1.0); overflow -> Inf
    float[] r =
        codec.toFloatArray(codec.encodeFloat16(new float[] {1f + 0x1p-11f, 70000f, Float.NaN}, 3));
    assertThat(r[0]).isEqualTo(1f);
    assertThat(r[1]).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(r[2]).isNaN();
    short[] bits = {0x7bff, (short) 0x8001, 0x0400};
    assertThat(codec.toFloat16Bits(codec.encodeFloat16Bits(bits, 3))).containsExactly(bits);
  }

  @Test
  void uint8AndInt64RoundTrip() {
    byte[] u = {0, 1, (byte) 127, (byte) 128, (byte) 255};
    Tensor tu = codec.encodeUint8(u, 5);
    assertThat(codec.toUint8Array(tu)).containsExactly(u);
    assertThat(codec.toFloatArray(tu)).containsExactly(0f, 1f, 127f, 128f, 255f);

    long[] l = {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE, 0x0102030405060708L};
    Tensor tl = codec.encodeInt64(l, 3, 2);
    assertThat(codec.toLongArray(tl)).containsExactly(l);
    assertThat(tl.getData().get(5 * 8)).isEqualTo((byte) 0x08); // least significant byte first
  }

  @Test
  void scalarAndEmptyTensors() {
    assertThat(codec.toFloatArray(codec.encodeFloat32(new float[] {7f}))).containsExactly(7f);
    Tensor empty = codec.encodeFloat32(new float[0], 0, 4);
    assertThat(codec.toFloatArray(empty)).isEmpty();
    assertThat(codec.shape(empty)).containsExactly(0, 4);
  }

  @Test
  void ndArrayRoundTripForEveryDtype() {
    try (NDManager m = NDManager.newBaseManager()) {
      SplittableRandom rnd = new SplittableRandom(7);
      float[] f = new float[12];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) rnd.nextGaussian();
      }
      NDArray a = m.create(f, new Shape(3, 4));
      Tensor t = codec.encode(a);
      assertThat(t.getShape()).containsExactly(3, 4);
      assertThat(codec.toFloatArray(t)).containsExactly(f);
      NDArray back = codec.toNDArray(m, t);
      assertThat(back.getShape()).isEqualTo(new Shape(3, 4));
      assertThat(back.toFloatArray()).containsExactly(f);

      long[] l = {5, -6, 7};
      NDArray li = codec.toNDArray(m, codec.encodeInt64(l, 3));
      assertThat(li.getDataType()).isEqualTo(DataType.INT64);
      assertThat(li.toLongArray()).containsExactly(l);
      assertThat(codec.toLongArray(codec.encode(li))).containsExactly(l);

      byte[] u = {1, (byte) 200};
      NDArray ui = codec.toNDArray(m, codec.encodeUint8(u, 2));
      assertThat(ui.getDataType()).isEqualTo(DataType.UINT8);
      assertThat(codec.toUint8Array(codec.encode(ui))).containsExactly(u);

      float[] h = {1f, -0.5f, 1024f};
      NDArray hi = codec.toNDArray(m, codec.encodeFloat16(h, 3));
      assertThat(hi.getDataType()).isEqualTo(DataType.FLOAT16);
      assertThat(hi.toType(DataType.FLOAT32, false).toFloatArray()).containsExactly(h);
      assertThat(codec.toFloatArray(codec.encode(hi))).containsExactly(h);
    }
  }

  @Test
  void rejectsShapeByteLengthMismatch() {
    Tensor bad = raw(List.of(2, 3), "float32", 20);
    assertThatThrownBy(() -> codec.toFloatArray(bad))
        .isInstanceOf(TensorFormatException.class)
        .hasMessageContaining("shape [2, 3]")
        .hasMessageContaining("needs 24 bytes")
        .hasMessageContaining("carries 20 bytes")
        .satisfies(
            e ->
                assertThat(((TensorFormatException) e).kind())
                    .isEqualTo(TensorFormatException.Kind.SHAPE_MISMATCH));
    assertThatThrownBy(() -> codec.encodeFloat32(new float[5], 2, 3))
        .hasMessageContaining("holds 6 elements but 5 were given");
  }

  @Test
  void rejectsNegativeDimension() {
    assertThatThrownBy(() -> codec.validate(raw(List.of(4, -2), "float32", 0)))
        .isInstanceOf(TensorFormatException.class)
        .hasMessageContaining("negative dimension -2 at axis 1")
        .satisfies(
            e ->
                assertThat(((TensorFormatException) e).kind())
                    .isEqualTo(TensorFormatException.Kind.NEGATIVE_DIM));
  }

  @Test
  void rejectsUnknownDtype() {
    assertThatThrownBy(() -> codec.validate(raw(List.of(2), "bfloat16", 4)))
        .isInstanceOf(TensorFormatException.class)
        .hasMessageContaining("unknown dtype 'bfloat16'")
        .satisfies(
            e ->
                assertThat(((TensorFormatException) e).kind())
                    .isEqualTo(TensorFormatException.Kind.UNKNOWN_DTYPE));
  }

  @Test
  void rejectsOversizeTensorsBeforeAllocating() {
    TensorCodec small = TensorCodec.withMaxBytes(1024);
    // claims 2^31 elements with only 4 bytes of data: must be OVERSIZE, not an overflow or an
    // allocation
    assertThatThrownBy(() -> small.validate(raw(List.of(65536, 32768), "float32", 4)))
        .isInstanceOf(TensorFormatException.class)
        .hasMessageContaining("over the limit of 1024 bytes")
        .satisfies(
            e ->
                assertThat(((TensorFormatException) e).kind())
                    .isEqualTo(TensorFormatException.Kind.OVERSIZE));
    assertThatThrownBy(() -> small.encodeFloat32(new float[300], 300))
        .hasMessageContaining("1200 bytes exceeds the limit of 1024 bytes");
    assertThat(small.toFloatArray(small.encodeFloat32(new float[256], 256))).hasSize(256);
  }

  @Test
  void rejectsNonFiniteValuesWithTheirIndex() {
    Tensor t = codec.encodeFloat32(new float[] {1f, 2f, Float.NaN}, 3);
    assertThatThrownBy(() -> codec.checkFinite(t))
        .hasMessageContaining("non-finite value NaN at flat index 2");
    codec.checkFinite(codec.encodeFloat32(new float[] {1f, -1f}, 2));
  }

  @Test
  void rejectsDecodingAsTheWrongType() {
    Tensor t = codec.encodeInt64(new long[] {1}, 1);
    assertThatThrownBy(() -> codec.toFloatArray(t))
        .hasMessageContaining("cannot decode a int64 tensor as a float array");
  }

  private static Tensor raw(List<Integer> shape, String dtype, int bytes) {
    return Tensor.newBuilder()
        .setShape(shape)
        .setDtype(dtype)
        .setData(ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN))
        .build();
  }
}
