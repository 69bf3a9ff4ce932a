package dev.igm.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.igm.avro.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Converts between {@link Tensor} records (little-endian, row-major bytes) and Java arrays or DJL
 * NDArrays.
 *
 * <p>Every decode validates first: the shape must be non-negative, its element count times the item
 * size must equal the byte length exactly, and the payload must not exceed the configured size
 * limit. Failures throw a {@link TensorFormatException} whose message names the problem and the
 * numbers involved.
 */
public final class TensorCodec {
  /** Default limit on one tensor's payload: 64 MiB. */
  public static final long DEFAULT_MAX_BYTES = 64L << 20;

  private final long maxBytes;

  private TensorCodec(long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  /** A codec with the default size limit. */
  public static TensorCodec create() {
    return new TensorCodec(DEFAULT_MAX_BYTES);
  }

  /** A codec that rejects tensors whose payload exceeds {@code maxBytes}. */
  public static TensorCodec withMaxBytes(long maxBytes) {
    return new TensorCodec(maxBytes);
  }

  public long maxBytes() {
    return maxBytes;
  }

  // ---------------------------------------------------------------- encode

  public Tensor encodeFloat32(float[] data, int... shape) {
    checkCount(data.length, shape);
    ByteBuffer b = allocate(data.length, DType.FLOAT32);
    b.asFloatBuffer().put(data);
    return build(shape, DType.FLOAT32, b);
  }

  /** Encodes as float16 (rounded to nearest even). */
  public Tensor encodeFloat16(float[] data, int... shape) {
    checkCount(data.length, shape);
    ByteBuffer b = allocate(data.length, DType.FLOAT16);
    for (float v : data) {
      b.putShort(Float16.fromFloat(v));
    }
    b.flip();
    return build(shape, DType.FLOAT16, b);
  }

  /** Encodes raw float16 bit patterns. */
  public Tensor encodeFloat16Bits(short[] bits, int... shape) {
    checkCount(bits.length, shape);
    ByteBuffer b = allocate(bits.length, DType.FLOAT16);
    b.asShortBuffer().put(bits);
    return build(shape, DType.FLOAT16, b);
  }

  /** Encodes unsigned bytes (values 0..255 as Java's signed bytes). */
  public Tensor encodeUint8(byte[] data, int... shape) {
    checkCount(data.length, shape);
    return build(shape, DType.UINT8, ByteBuffer.wrap(data.clone()));
  }

  public Tensor encodeInt64(long[] data, int... shape) {
    checkCount(data.length, shape);
    ByteBuffer b = allocate(data.length, DType.INT64);
    b.asLongBuffer().put(data);
    return build(shape, DType.INT64, b);
  }

  /** Encodes an NDArray of a supported type, keeping its dtype and shape. */
  public Tensor encode(NDArray array) {
    DType dtype = fromDjl(array.getDataType());
    long[] s = array.getShape().getShape();
    int[] shape = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      shape[i] = Math.toIntExact(s[i]);
    }
    ByteBuffer src = array.toByteBuffer().order(ByteOrder.nativeOrder());
    ByteBuffer out = allocate(array.size(), dtype);
    copyToLittleEndian(src, out, dtype);
    return build(shape, dtype, out);
  }

  // ---------------------------------------------------------------- decode

  /**
   * Checks a tensor's dtype, shape and byte length against each other and the size limit.
   *
   * @return the parsed dtype
   */
  public DType validate(Tensor tensor) {
    DType dtype = DType.fromWireName(tensor.getDtype());
    List<Integer> shape = tensor.getShape();
    long count = 1;
    for (int i = 0; i < shape.size(); i++) {
      int d = shape.get(i);
      if (d < 0) {
        throw new TensorFormatException(
            TensorFormatException.Kind.NEGATIVE_DIM,
            "negative dimension " + d + " at axis " + i + " of shape " + shape);
      }
      count = Math.multiplyExact(count, (long) d);
      if (count * dtype.itemSize() > maxBytes) {
        throw oversize(shape, dtype, count * dtype.itemSize());
      }
    }
    long expected = count * dtype.itemSize();
    int actual = tensor.getData().remaining();
    if (actual > maxBytes) {
      throw oversize(shape, dtype, actual);
    }
    if (expected != actual) {
      throw new TensorFormatException(
          TensorFormatException.Kind.SHAPE_MISMATCH,
          "shape "
              + shape
              + " with dtype "
              + dtype.wireName()
              + " needs "
              + expected
              + " bytes ("
              + count
              + " elements x "
              + dtype.itemSize()
              + ") but the tensor carries "
              + actual
              + " bytes");
    }
    return dtype;
  }

  /** The shape as a Java array (after validation). */
  public int[] shape(Tensor tensor) {
    validate(tensor);
    return tensor.getShape().stream().mapToInt(Integer::intValue).toArray();
  }

  /** Decodes any floating-point tensor (float32 or float16) to float32 values. */
  public float[] toFloatArray(Tensor tensor) {
    DType dtype = validate(tensor);
    ByteBuffer b = littleEndian(tensor);
    switch (dtype) {
      case FLOAT32:
        {
          float[] out = new float[b.remaining() / 4];
          b.asFloatBuffer().get(out);
          return out;
        }
      case FLOAT16:
        {
          float[] out = new float[b.remaining() / 2];
          for (int i = 0; i < out.length; i++) {
            out[i] = Float16.toFloat(b.getShort());
          }
          return out;
        }
      case UINT8:
        {
          float[] out = new float[b.remaining()];
          for (int i = 0; i < out.length; i++) {
            out[i] = b.get() & 0xff;
          }
          return out;
        }
      default:
        throw wrongDtype(dtype, "a float array");
    }
  }

  /** Decodes a float16 tensor to its raw bit patterns. */
  public short[] toFloat16Bits(Tensor tensor) {
    DType dtype = validate(tensor);
    if (dtype != DType.FLOAT16) {
      throw wrongDtype(dtype, "float16 bits");
    }
    short[] out = new short[tensor.getData().remaining() / 2];
    littleEndian(tensor).asShortBuffer().get(out);
    return out;
  }

  public byte[] toUint8Array(Tensor tensor) {
    DType dtype = validate(tensor);
    if (dtype != DType.UINT8) {
      throw wrongDtype(dtype, "a uint8 array");
    }
    byte[] out = new byte[tensor.getData().remaining()];
    littleEndian(tensor).get(out);
    return out;
  }

  public long[] toLongArray(Tensor tensor) {
    DType dtype = validate(tensor);
    if (dtype != DType.INT64) {
      throw wrongDtype(dtype, "an int64 array");
    }
    long[] out = new long[tensor.getData().remaining() / 8];
    littleEndian(tensor).asLongBuffer().get(out);
    return out;
  }

  /** Decodes to an NDArray of the same dtype and shape, owned by {@code manager}. */
  public NDArray toNDArray(NDManager manager, Tensor tensor) {
    DType dtype = validate(tensor);
    long[] shape = tensor.getShape().stream().mapToLong(Integer::longValue).toArray();
    ByteBuffer src = littleEndian(tensor);
    ByteBuffer direct = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.nativeOrder());
    copyFromLittleEndian(src, direct, dtype);
    return manager.create(direct, new Shape(shape), toDjl(dtype));
  }

  /**
   * Rejects NaN and infinities in a floating-point tensor.
   *
   * @throws TensorFormatException of kind {@link TensorFormatException.Kind#NON_FINITE}, naming the
   *     first bad index
   */
  public void checkFinite(Tensor tensor) {
    DType dtype = validate(tensor);
    if (!dtype.isFloatingPoint()) {
      return;
    }
    float[] v = toFloatArray(tensor);
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new TensorFormatException(
            TensorFormatException.Kind.NON_FINITE,
            "non-finite value " + v[i] + " at flat index " + i + " of shape " + tensor.getShape());
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  public static DataType toDjl(DType dtype) {
    switch (dtype) {
      case FLOAT32:
        return DataType.FLOAT32;
      case FLOAT16:
        return DataType.FLOAT16;
      case UINT8:
        return DataType.UINT8;
      case INT64:
        return DataType.INT64;
      default:
        throw new AssertionError(dtype);
    }
  }

  public static DType fromDjl(DataType type) {
    switch (type) {
      case FLOAT32:
        return DType.FLOAT32;
      case FLOAT16:
        return DType.FLOAT16;
      case UINT8:
        return DType.UINT8;
      case INT64:
        return DType.INT64;
      default:
        throw new TensorFormatException(
            TensorFormatException.Kind.UNKNOWN_DTYPE,
            "NDArray dtype "
                + type
                + " has no tensor encoding (supported: float32, float16, uint8, int64)");
    }
  }

  private void checkCount(int length, int[] shape) {
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        throw new TensorFormatException(
            TensorFormatException.Kind.NEGATIVE_DIM,
            "negative dimension "
                + shape[i]
                + " at axis "
                + i
                + " of shape "
                + Arrays.toString(shape));
      }
      count *= shape[i];
    }
    if (count != length) {
      throw new TensorFormatException(
          TensorFormatException.Kind.SHAPE_MISMATCH,
          "shape "
              + Arrays.toString(shape)
              + " holds "
              + count
              + " elements but "
              + length
              + " were given");
    }
  }

  private ByteBuffer allocate(long count, DType dtype) {
    long bytes = count * dtype.itemSize();
    if (bytes > maxBytes) {
      throw new TensorFormatException(
          TensorFormatException.Kind.OVERSIZE,
          "tensor of " + bytes + " bytes exceeds the limit of " + maxBytes + " bytes");
    }
    return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static Tensor build(int[] shape, DType dtype, ByteBuffer data) {
    List<Integer> s = new ArrayList<>(shape.length);
    for (int d : shape) {
      s.add(d);
    }
    ByteBuffer d = data.duplicate();
    d.position(0);
    return Tensor.newBuilder().setShape(s).setDtype(dtype.wireName()).setData(d).build();
  }

  private static ByteBuffer littleEndian(Tensor tensor) {
    return tensor.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void copyToLittleEndian(ByteBuffer nativeSrc, ByteBuffer leDst, DType dtype) {
    copy(nativeSrc, leDst, dtype);
  }

  private static void copyFromLittleEndian(ByteBuffer leSrc, ByteBuffer nativeDst, DType dtype) {
    copy(leSrc, nativeDst, dtype);
    nativeDst.rewind();
  }

  /** Element-wise copy between buffers of possibly different byte order. */
  private static void copy(ByteBuffer src, ByteBuffer dst, DType dtype) {
    ByteBuffer s = src.duplicate().order(src.order());
    if (s.order() == dst.order() || dtype.itemSize() == 1) {
      dst.put(s);
      return;
    }
    switch (dtype) {
      case FLOAT32:
        while (s.remaining() >= 4) {
          dst.putInt(s.getInt());
        }
        break;
      case FLOAT16:
        while (s.remaining() >= 2) {
          dst.putShort(s.getShort());
        }
        break;
      case INT64:
        while (s.remaining() >= 8) {
          dst.putLong(s.getLong());
        }
        break;
      default:
        throw new AssertionError(dtype);
    }
  }

  private TensorFormatException oversize(List<Integer> shape, DType dtype, long bytes) {
    return new TensorFormatException(
        TensorFormatException.Kind.OVERSIZE,
        "tensor of shape "
            + shape
            + " ("
            + dtype.wireName()
            + ") is "
            + bytes
            + " bytes, over the limit of "
            + maxBytes
            + " bytes");
  }

  private static TensorFormatException wrongDtype(DType dtype, String wanted) {
    return new TensorFormatException(
        TensorFormatException.Kind.WRONG_DTYPE,
        "cannot decode a " + dtype.wireName() + " tensor as " + wanted);
  }
}
