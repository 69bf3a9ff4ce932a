package dev.igm.codec;

import java.util.Locale;

/** Element types a {@link dev.igm.avro.Tensor} may carry, named as numpy/PyTorch name them. */
public enum DType {
  FLOAT32("float32", 4),
  FLOAT16("float16", 2),
  UINT8("uint8", 1),
  INT64("int64", 8);

  private final String wireName;
  private final int itemSize;

  DType(String wireName, int itemSize) {
    this.wireName = wireName;
    this.itemSize = itemSize;
  }

  /** The name written into {@code Tensor.dtype}. */
  public String wireName() {
    return wireName;
  }

  /** Bytes per element. */
  public int itemSize() {
    return itemSize;
  }

  public boolean isFloatingPoint() {
    return this == FLOAT32 || this == FLOAT16;
  }

  /**
   * Parses a wire name.
   *
   * @throws TensorFormatException of kind {@link TensorFormatException.Kind#UNKNOWN_DTYPE}
   */
  public static DType fromWireName(String name) {
    if (name != null) {
      String n = name.toLowerCase(Locale.ROOT);
      for (DType t : values()) {
        if (t.wireName.equals(n)) {
          return t;
        }
      }
    }
    throw new TensorFormatException(
        TensorFormatException.Kind.UNKNOWN_DTYPE,
        "unknown dtype '" + name + "' (expected one of float32, float16, uint8, int64)");
  }
}
