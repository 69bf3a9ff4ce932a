package dev.igm.data;

/**
 * Deterministic epoch orders for offline training ({@code igm fit}) and replay: epoch {@code e} of
 * a run with seed {@code s} is the identity permutation of 0..n−1 shuffled by {@link
 * SplitMix64#shuffle} with a generator seeded with {@code mix64(s ^ mix64(e))}. Every epoch is
 * independent of the others, so epoch e can be computed on its own.
 */
public final class EpochOrder {
  private EpochOrder() {}

  /** The order of epoch {@code epoch} (0-based) over n samples. */
  public static int[] permutation(int n, long seed, long epoch) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    new SplitMix64(SplitMix64.mix64(seed ^ SplitMix64.mix64(epoch))).shuffle(order);
    return order;
  }

  /**
   * Epochs 0..epochs−1 concatenated: the global arrival order of rule 1 in docs/ALGORITHM.md
   * (mini-batches are consecutive runs of B entries of this order; a trailing partial batch is not
   * trained).
   */
  public static int[] concatenated(int n, int epochs, long seed) {
    long total = (long) n * epochs;
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          n + " samples × " + epochs + " epochs is too long for one array");
    }
    int[] all = new int[(int) total];
    for (int e = 0; e < epochs; e++) {
      System.arraycopy(permutation(n, seed, e), 0, all, e * n, n);
    }
    return all;
  }
}
