package dev.igm.core.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples waiting for the first version of a model, per model, in arrival order. Bounded in total
 * so that a model that never arrives cannot exhaust memory: past the capacity a sample is not held
 * (the caller dead-letters it).
 *
 * @param <T> what is held (the serving job holds the raw Kafka record, so a checkpoint can store it
 *     as bytes)
 */
public final class HoldBuffer<T> {
  private final int capacity;
  private final Map<String, ArrayDeque<T>> byModel = new LinkedHashMap<>();
  private int size;

  public HoldBuffer(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("hold capacity must be >= 0, got " + capacity);
    }
    this.capacity = capacity;
  }

  /** Holds {@code item} for {@code modelId}; false when the buffer is full. */
  public boolean hold(String modelId, T item) {
    if (size >= capacity) {
      return false;
    }
    byModel.computeIfAbsent(modelId, k -> new ArrayDeque<>()).add(item);
    size++;
    return true;
  }

  /** Removes and returns what was held for {@code modelId}, oldest first. */
  public List<T> release(String modelId) {
    ArrayDeque<T> q = byModel.remove(modelId);
    if (q == null) {
      return List.of();
    }
    size -= q.size();
    return new ArrayList<>(q);
  }

  public int size() {
    return size;
  }

  public int capacity() {
    return capacity;
  }

  /** A copy of the contents, per model in arrival order (for checkpoints). */
  public Map<String, List<T>> contents() {
    Map<String, List<T>> out = new LinkedHashMap<>();
    byModel.forEach((k, v) -> out.put(k, new ArrayList<>(v)));
    return out;
  }

  public void clear() {
    byModel.clear();
    size = 0;
  }
}
