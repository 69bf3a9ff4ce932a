package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the parts of a trainer export their state for a {@link TrainerSnapshot}: named tensors
 * (copies owned by the snapshot, in the order exported) and metadata entries (in the order first
 * written). Used inside the capture's {@code NDScope}.
 */
final class StateWriter {
  private final NDManager owner;
  private final List<NDArray> tensors = new ArrayList<>();
  private final Map<String, Object> metadata = new LinkedHashMap<>();

  StateWriter(NDManager owner) {
    this.owner = owner;
  }

  /** An engine-side copy of {@code a} under {@code name}. */
  void copy(String name, NDArray a) {
    NDArray d = a.duplicate();
    d.attach(owner);
    add(name, d);
  }

  void doubles(String name, double[] values, Shape shape) {
    add(name, owner.create(values, shape));
  }

  void floats(String name, float[] values, Shape shape) {
    add(name, owner.create(values, shape));
  }

  private void add(String name, NDArray a) {
    a.setName(name);
    tensors.add(a);
  }

  void put(String key, Object value) {
    metadata.put(key, value);
  }

  /** The metadata list under {@code key}, created empty at its place in the order on first use. */
  @SuppressWarnings("unchecked")
  <T> List<T> list(String key) {
    return (List<T>) metadata.computeIfAbsent(key, k -> new ArrayList<>());
  }

  /** The metadata map under {@code key}, created empty at its place in the order on first use. */
  @SuppressWarnings("unchecked")
  <T> Map<String, T> map(String key) {
    return (Map<String, T>) metadata.computeIfAbsent(key, k -> new LinkedHashMap<>());
  }

  NDList tensors() {
    return new NDList(tensors);
  }

  Map<String, Object> metadata() {
    return metadata;
  }
}
