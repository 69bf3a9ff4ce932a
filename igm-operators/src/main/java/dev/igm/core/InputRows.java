package dev.igm.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A reusable input matrix for batched inference: rows of {@code width} floats written straight into
 * native memory, handed to the engine as a {@code [n, width]} float32 array without a copy.
 *
 * <p>{@code NDManager.create(float[], shape)} allocates a direct buffer, copies the floats into it
 * and wraps it, per call; a scorer that calls it per batch and per modality pays that for every
 * batch. Here the direct buffer is allocated once (grown when a larger batch comes) and {@link
 * #array} wraps its first {@code n} rows in place (the engine reads the buffer's memory directly).
 * Write rows, take the array, run the forward pass, read the results out; only then write the next
 * batch: the array sees every later write to its rows.
 *
 * <p>Not thread-safe: one per scoring thread.
 */
public final class InputRows {
  private final int width;
  private ByteBuffer bytes;
  private FloatBuffer floats;
  private int capacity;

  /** Rows of {@code width} floats, room for {@code rows} of them to start with. */
  public InputRows(int width, int rows) {
    if (width < 1) {
      throw new IllegalArgumentException("row width must be >= 1, got " + width);
    }
    this.width = width;
    allocate(Math.max(1, rows));
  }

  public int width() {
    return width;
  }

  /** How many rows fit without growing. */
  public int capacity() {
    return capacity;
  }

  /** Makes room for {@code rows} rows (keeps nothing written so far when it has to grow). */
  public void ensureCapacity(int rows) {
    if (rows > capacity) {
      allocate(Math.max(rows, capacity + capacity / 2));
    }
  }

  /** Copies {@code values} (exactly {@link #width()} of them) into row {@code row}. */
  public void put(int row, float[] values) {
    if (values.length != width) {
      throw new IllegalArgumentException("a row has " + width + " values, got " + values.length);
    }
    floats.put(offset(row), values);
  }

  /** Sets value {@code i} of row {@code row}. */
  public void put(int row, int i, float value) {
    floats.put(offset(row) + i, value);
  }

  /**
   * Copies {@link #width()} floats from {@code source} (from its position on) into row {@code row}.
   */
  public void put(int row, FloatBuffer source) {
    floats.put(offset(row), source, source.position(), width);
  }

  /** Value {@code i} of row {@code row}. */
  public float get(int row, int i) {
    return floats.get(offset(row) + i);
  }

  /**
   * The first {@code n} rows as a {@code [n, width]} float32 array of {@code manager} that shares
   * this buffer's memory (no copy). Close it (or let its scope close it) before the rows are
   * rewritten for another batch.
   */
  public NDArray array(NDManager manager, int n) {
    if (n < 1 || n > capacity) {
      throw new IllegalArgumentException("rows 1.." + capacity + " are available, asked for " + n);
    }
    ByteBuffer view = bytes.slice(0, n * width * Float.BYTES).order(ByteOrder.nativeOrder());
    return manager.create(view, new Shape(n, width), DataType.FLOAT32);
  }

  private int offset(int row) {
    if (row < 0 || row >= capacity) {
      throw new IndexOutOfBoundsException("row " + row + " of " + capacity);
    }
    return row * width;
  }

  private void allocate(int rows) {
    long size = (long) rows * width * Float.BYTES;
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          rows + " rows of " + width + " floats do not fit one buffer");
    }
    bytes = ByteBuffer.allocateDirect((int) size).order(ByteOrder.nativeOrder());
    floats = bytes.asFloatBuffer();
    capacity = rows;
  }
}
