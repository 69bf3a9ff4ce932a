package dev.igm.core.serve;

import java.util.ArrayList;
import java.util.List;

/**
 * Samples waiting to be scored together, in arrival order, with the time the oldest arrived. The
 * caller scores the batch when {@link #add} says it is full, when it is {@link #due} (see {@link
 * BatchingPolicy}) and whenever it must not wait (input idle, a new model version, a checkpoint,
 * end of input).
 *
 * @param <T> what is batched (the serving job batches raw Kafka records with their stream
 *     timestamps)
 */
public final class MicroBatch<T> {
  private final BatchingPolicy policy;
  private final ArrayList<T> items;
  private long firstArrival;

  public MicroBatch(BatchingPolicy policy) {
    this.policy = policy;
    this.items = new ArrayList<>(Math.min(policy.maxRecords(), 4096));
  }

  public BatchingPolicy policy() {
    return policy;
  }

  /** Appends {@code item}, arrived at {@code now} (ms); true when the batch is now full. */
  public boolean add(T item, long now) {
    if (items.isEmpty()) {
      firstArrival = now;
    }
    items.add(item);
    return items.size() >= policy.maxRecords();
  }

  public boolean isEmpty() {
    return items.isEmpty();
  }

  public int size() {
    return items.size();
  }

  /**
   * When the oldest sample will have waited the policy's delay; {@link Long#MAX_VALUE} when empty.
   */
  public long deadline() {
    return items.isEmpty() ? Long.MAX_VALUE : firstArrival + policy.maxDelayMillis();
  }

  /** Whether the oldest sample has waited the policy's delay at {@code now}. */
  public boolean due(long now) {
    return !items.isEmpty() && now >= deadline();
  }

  /** Removes and returns the batch, oldest first. */
  public List<T> drain() {
    List<T> out = new ArrayList<>(items);
    items.clear();
    return out;
  }

  /** A copy of the batch, oldest first (for checkpoints). */
  public List<T> contents() {
    return new ArrayList<>(items);
  }
}
