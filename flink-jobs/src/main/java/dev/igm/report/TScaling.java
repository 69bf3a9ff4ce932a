package dev.igm.report;

import java.util.Arrays;

/**
 * The scaling that a covariance spectrum gives the flat modification matrix (Eq. 4 in
 * docs/ALGORITHM.md): {@code s_i = exp(−τ (λ_i − λmin)/(λmax − λmin))}, and 1 everywhere for a
 * degenerate spectrum (rule 4: T = I). The report recomputes it because the metrics carry only the
 * eigenvalues, not T.
 */
public final class TScaling {
  /** Rule 4's relative floor on λmax − λmin, as the trainer applies it. */
  static final double RELATIVE_SPREAD_FLOOR = 1e-10;

  private TScaling() {}

  /** s_i for each λ_i, in the order given. */
  public static double[] of(double[] eigenvalues, double tau) {
    double[] s = new double[eigenvalues.length];
    Arrays.fill(s, 1.0);
    if (eigenvalues.length == 0) {
      return s;
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : eigenvalues) {
      if (!Double.isFinite(v)) {
        return s;
      }
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    double spread = max - min;
    if (!(spread > RELATIVE_SPREAD_FLOOR * Math.max(Math.abs(max), Math.abs(min)))) {
      return s;
    }
    for (int i = 0; i < s.length; i++) {
      s[i] = Math.exp(-tau * (eigenvalues[i] - min) / spread);
    }
    return s;
  }
}
