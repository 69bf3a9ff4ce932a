package dev.igm.core.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What every encoder here keeps the same way: its parameters and buffers as named arrays in a fixed
 * order, added once while it is built ({@link #addParameter}, {@link #addBuffer}) and exposed
 * read-only.
 */
abstract class AbstractEncoder implements Encoder {
  private final List<String> parameterNames = new ArrayList<>();
  private final List<NDArray> parameters = new ArrayList<>();
  private final List<String> bufferNames = new ArrayList<>();
  private final List<NDArray> buffers = new ArrayList<>();

  /** Appends a parameter; returns its index in {@link #parameters()}. */
  protected final int addParameter(String name, NDArray array) {
    parameterNames.add(name);
    parameters.add(array);
    return parameters.size() - 1;
  }

  /** Appends a buffer; returns its index in {@link #buffers()}. */
  protected final int addBuffer(String name, NDArray array) {
    bufferNames.add(name);
    buffers.add(array);
    return buffers.size() - 1;
  }

  @Override
  public final List<String> parameterNames() {
    return Collections.unmodifiableList(parameterNames);
  }

  @Override
  public final List<NDArray> parameters() {
    return Collections.unmodifiableList(parameters);
  }

  @Override
  public final List<String> bufferNames() {
    return Collections.unmodifiableList(bufferNames);
  }

  @Override
  public final List<NDArray> buffers() {
    return Collections.unmodifiableList(buffers);
  }
}
