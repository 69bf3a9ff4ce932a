package dev.igm.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One numpy array as read from a {@code .npy} file: dtype, shape (C order) and the raw
 * little-endian data. Supported dtypes: {@code <f4 <f8 <i4 <i8 |u1} and little-endian unicode
 * strings {@code <U<n>}.
 */
public final class NpyArray {
  private final String descr;
  private final int[] shape;
  private final ByteBuffer data;
  private final int itemSize;

  NpyArray(String descr, int[] shape, byte[] data) {
    this.descr = descr;
    this.shape = shape.clone();
    this.itemSize = itemSize(descr);
    this.data = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Bytes per element of a supported dtype, or -1 when the dtype is not supported. */
  static int itemSize(String descr) {
    switch (descr) {
      case "<f4":
      case "<i4":
        return 4;
      case "<f8":
      case "<i8":
        return 8;
      case "|u1":
        return 1;
      default:
        if (descr.matches("<U[1-9][0-9]*")) {
          return 4 * Integer.parseInt(descr.substring(2));
        }
        return -1;
    }
  }

  /** The numpy dtype string, e.g. {@code <f4}. */
  public String dtype() {
    return descr;
  }

  public int[] shape() {
    return shape.clone();
  }

  /** Number of elements (product of the shape; 1 for a scalar). */
  public long size() {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  /** Length of the first axis (1 for a scalar). */
  public int rows() {
    return shape.length == 0 ? 1 : shape[0];
  }

  /** Elements per row: the product of all axes but the first. */
  public int rowWidth() {
    int w = 1;
    for (int i = 1; i < shape.length; i++) {
      w *= shape[i];
    }
    return w;
  }

  public boolean isFloat() {
    return descr.equals("<f4") || descr.equals("<f8");
  }

  public boolean isInteger() {
    return descr.equals("<i4") || descr.equals("<i8") || descr.equals("|u1");
  }

  public boolean isString() {
    return descr.startsWith("<U");
  }

  /** Element {@code i} (flat C-order index) of a numeric array, as a double. */
  public double getDouble(int i) {
    switch (descr) {
      case "<f4":
        return data.getFloat(i * 4);
      case "<f8":
        return data.getDouble(i * 8);
      case "<i4":
        return data.getInt(i * 4);
      case "<i8":
        return data.getLong(i * 8);
      case "|u1":
        return data.get(i) & 0xff;
      default:
        throw new IllegalStateException("dtype " + descr + " is not numeric");
    }
  }

  /** Element {@code i} of an integer array. */
  public long getLong(int i) {
    switch (descr) {
      case "<i4":
        return data.getInt(i * 4);
      case "<i8":
        return data.getLong(i * 8);
      case "|u1":
        return data.get(i) & 0xff;
      default:
        throw new IllegalStateException("dtype " + descr + " is not an integer type");
    }
  }

  /** Element {@code i} of a unicode array (trailing NULs removed). */
  public String getString(int i) {
    if (!isString()) {
      throw new IllegalStateException("dtype " + descr + " is not a string type");
    }
    byte[] b = new byte[itemSize];
    data.get(i * itemSize, b);
    int len = itemSize;
    while (len >= 4 && b[len - 1] == 0 && b[len - 2] == 0 && b[len - 3] == 0 && b[len - 4] == 0) {
      len -= 4;
    }
    return new String(b, 0, len, java.nio.charset.Charset.forName("UTF-32LE"));
  }

  /** Row {@code r} (all axes but the first, flattened) of a numeric array, as floats. */
  public float[] rowAsFloats(int r) {
    int w = rowWidth();
    float[] out = new float[w];
    int base = r * w;
    for (int i = 0; i < w; i++) {
      out[i] = (float) getDouble(base + i);
    }
    return out;
  }

  @Override
  public String toString() {
    return "NpyArray[" + descr + " " + Arrays.toString(shape) + "]";
  }
}
