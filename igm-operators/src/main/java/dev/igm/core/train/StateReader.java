package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.Map;

/**
 * What the parts of a trainer import their state from: the snapshot's tensors by name and its typed
 * metadata.
 */
final class StateReader {
  private final Map<String, NDArray> tensors;
  private final SnapshotMetadata metadata;

  StateReader(Map<String, NDArray> tensors, SnapshotMetadata metadata) {
    this.tensors = tensors;
    this.metadata = metadata;
  }

  SnapshotMetadata metadata() {
    return metadata;
  }

  /** The tensor, or null when the snapshot has none of that name. */
  NDArray optional(String name) {
    return tensors.get(name);
  }

  NDArray require(String name) {
    NDArray a = tensors.get(name);
    if (a == null) {
      throw new IllegalArgumentException("snapshot has no tensor '" + name + "'");
    }
    return a;
  }

  /**
   * Copies the named tensor's values into {@code dst} in place: dst may be a TorchScript module's
   * own parameter, which must keep its identity, and must not end up sharing memory with the
   * decoded tensor, which dies with its manager.
   */
  void copyInto(String name, NDArray dst) {
    NDArray src = require(name);
    if (!src.getShape().equals(dst.getShape())) {
      throw new IllegalArgumentException(
          "tensor "
              + name
              + " has shape "
              + src.getShape()
              + ", the model needs "
              + dst.getShape());
    }
    dst.set(new NDIndex("..."), src.toType(dst.getDataType(), false));
  }
}
