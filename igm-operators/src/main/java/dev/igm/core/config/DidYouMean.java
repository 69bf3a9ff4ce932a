package dev.igm.core.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The known names nearest to a mistyped one, for "did you mean ...?" in error messages (commands,
 * options, settings). Near means within an edit distance that grows with the name's length: 1 for
 * names of up to 5 characters, 2 beyond.
 */
public final class DidYouMean {
  private DidYouMean() {}

  /**
   * Up to two known names near {@code word} (transpositions count one), closest first, then
   * alphabetical.
   */
  public static List<String> nearest(String word, Collection<String> known) {
    return known.stream()
        .distinct()
        .filter(k -> distance(word, k) <= Math.max(1, Math.min(2, k.length() / 3)))
        .sorted(Comparator.comparingInt((String k) -> distance(word, k)).thenComparing(k -> k))
        .limit(2)
        .toList();
  }

  /**
   * {@code " (did you mean 'x'?)"}, {@code " (did you mean 'x' or 'y'?)"}, or empty when no known
   * name is near.
   */
  public static String hint(String word, Collection<String> known) {
    List<String> near = nearest(word, known);
    return near.isEmpty() ? "" : " (did you mean " + quoted(near) + "?)";
  }

  /** {@code 'x'} or {@code 'x' or 'y'}. */
  public static String quoted(List<String> names) {
    return String.join(" or ", names.stream().map(n -> "'" + n + "'").toList());
  }

  /**
   * Optimal string alignment distance: insertions, deletions, substitutions and adjacent
   * transpositions.
   */
  public static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
