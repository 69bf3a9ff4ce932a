package dev.igm.data;

/**
 * A small, fully specified pseudo-random generator (SplitMix64, Steele, Lea &amp; Flood 2014), so
 * that shuffles are the same on every JVM and easy to reproduce elsewhere:
 *
 * <pre>
 *   next():     state += 0x9E3779B97F4A7C15; return mix64(state)
 *   mix64(z):   z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >>> 27)) * 0x94D049BB133111EB; return z ^ (z >>> 31)
 *   nextInt(b): repeat u = next() >>> 1; r = u % b; until u - r + (b - 1) does not overflow (signed 64-bit); return r
 * </pre>
 */
public final class SplitMix64 {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  private long state;

  public SplitMix64(long seed) {
    this.state = seed;
  }

  public static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  public long nextLong() {
    state += GOLDEN_GAMMA;
    return mix64(state);
  }

  /** Uniform in [0, bound), unbiased (rejection of the incomplete top block). */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive: " + bound);
    }
    long m = bound - 1L;
    while (true) {
      long u = nextLong() >>> 1;
      long r = u % bound;
      if (u - r + m >= 0) {
        return (int) r;
      }
    }
  }

  /** Fisher–Yates in place: for i = n−1 down to 1, swap a[i] with a[nextInt(i + 1)]. */
  public void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
