package dev.igm.data;

import dev.igm.avro.Split;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Missing feature values: how tables spell them, and what to do with the NaN a reader keeps for
 * each one ({@link TableOptions#keepMissing()}): {@link #dropRows drop the rows} that have any, or
 * {@link Imputer fill each feature with its mean over the TRAIN rows}.
 */
public final class MissingValues {
  private MissingValues() {}

  /** What to do with missing feature values. */
  public enum Policy {
    /** Refuse the table, saying how many rows have missing values. */
    ERROR,
    /** Fill each missing value with its feature's mean over the TRAIN rows. */
    MEAN,
    /** Drop every row with a missing value. */
    DROP
  }

  /**
   * The spellings of a missing cell in a text table (compared ignoring case): empty, ?, NA, N/A,
   * NaN, null.
   */
  public static final Set<String> SPELLINGS = Set.of("", "?", "na", "n/a", "nan", "null");

  /** Whether a (trimmed) text cell means "no value". */
  public static boolean isMissing(String cell) {
    return cell.length() <= 4 && SPELLINGS.contains(cell.toLowerCase(Locale.ROOT));
  }

  /** The rows with no missing feature value, and how many rows of each split were dropped. */
  public record Dropped(MultiViewDataset dataset, Map<Split, Integer> dropped) {
    public int total() {
      return dropped.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /** Drops every row that has a NaN in any view. */
  public static Dropped dropRows(MultiViewDataset dataset) {
    Map<Split, Integer> dropped = new EnumMap<>(Split.class);
    for (Split s : Split.values()) {
      dropped.put(s, 0);
    }
    List<MultiViewRow> kept = new ArrayList<>();
    for (MultiViewRow r : dataset.rows()) {
      if (hasMissing(r)) {
        dropped.merge(r.split(), 1, Integer::sum);
      } else {
        kept.add(r);
      }
    }
    return new Dropped(dataset.withRows(kept), dropped);
  }

  /** Whether any feature of the row is NaN. */
  public static boolean hasMissing(MultiViewRow row) {
    for (float[] v : row.views().values()) {
      for (float f : v) {
        if (Float.isNaN(f)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Missing values per split: cells and rows. */
  public static Map<Split, int[]> count(MultiViewDataset dataset) {
    Map<Split, int[]> out = new EnumMap<>(Split.class);
    for (Split s : Split.values()) {
      out.put(s, new int[2]);
    }
    for (MultiViewRow r : dataset.rows()) {
      int cells = 0;
      for (float[] v : r.views().values()) {
        for (float f : v) {
          cells += Float.isNaN(f) ? 1 : 0;
        }
      }
      int[] c = out.get(r.split());
      c[0] += cells;
      c[1] += cells > 0 ? 1 : 0;
    }
    return out;
  }

  /**
   * Mean imputation fitted on the TRAIN rows only (in float64, over the values present), so that
   * VALID and TEST rows never lend their statistics to the model; applied to every row. The same
   * dataset and splits give the same means, so {@code igm fit} and {@code igm replay} fill in the
   * same numbers.
   */
  public static final class Imputer {
    private final Map<String, double[]> means;

    private Imputer(Map<String, double[]> means) {
      this.means = means;
    }

    /**
     * Fits on the TRAIN rows of {@code dataset}. A feature with no value in any TRAIN row cannot be
     * imputed: the error names it.
     */
    public static Imputer fit(MultiViewDataset dataset) {
      List<MultiViewRow> train = dataset.rows(Split.TRAIN);
      if (train.isEmpty()) {
        throw new IllegalArgumentException(
            "dataset " + dataset.name() + " has no TRAIN rows to fit the imputation on");
      }
      Map<String, double[]> means = new LinkedHashMap<>();
      for (String m : dataset.modalities()) {
        int w = dataset.viewWidth(m);
        double[] sum = new double[w];
        int[] n = new int[w];
        for (MultiViewRow r : train) {
          float[] v = r.view(m);
          for (int i = 0; i < w; i++) {
            if (!Float.isNaN(v[i])) {
              sum[i] += v[i];
              n[i]++;
            }
          }
        }
        double[] mean = new double[w];
        for (int i = 0; i < w; i++) {
          if (n[i] == 0) {
            throw new IllegalArgumentException(
                "view '"
                    + m
                    + "' feature "
                    + (i + 1)
                    + " has no value in any of the "
                    + train.size()
                    + " TRAIN rows, so it has no mean to fill in; drop the column from the view or the"
                    + " rows that miss it");
          }
          mean[i] = sum[i] / n[i];
        }
        means.put(m, mean);
      }
      return new Imputer(means);
    }

    /** The fitted means of one view (a copy). */
    public double[] mean(String modality) {
      double[] m = means.get(modality);
      if (m == null) {
        throw new IllegalArgumentException(
            "no imputation fitted for modality '" + modality + "' (have " + means.keySet() + ")");
      }
      return m.clone();
    }

    /**
     * A new dataset with every NaN replaced by its feature's TRAIN mean (rows without NaN are kept
     * as they are).
     */
    public MultiViewDataset apply(MultiViewDataset dataset) {
      return dataset.withRows(dataset.rows().stream().map(this::apply).toList());
    }

    public MultiViewRow apply(MultiViewRow row) {
      if (!hasMissing(row)) {
        return row;
      }
      Map<String, float[]> out = new LinkedHashMap<>();
      for (Map.Entry<String, float[]> e : row.views().entrySet()) {
        double[] mean = means.get(e.getKey());
        float[] v = e.getValue().clone();
        for (int i = 0; i < v.length; i++) {
          if (Float.isNaN(v[i])) {
            v[i] = (float) mean[i];
          }
        }
        out.put(e.getKey(), v);
      }
      return row.withViews(out);
    }
  }
}
