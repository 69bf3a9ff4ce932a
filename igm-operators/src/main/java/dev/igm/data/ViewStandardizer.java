package dev.igm.data;

import dev.igm.avro.Split;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-view, per-feature standardisation {@code (x − mean) / std}, with mean and population standard
 * deviation (ddof 0, as scikit-learn's StandardScaler) fitted on the TRAIN rows only, in float64,
 * and applied to every row. A feature with std 0 (or not finite) gets std 1.
 */
public final class ViewStandardizer {
  private final Map<String, double[]> means;
  private final Map<String, double[]> stds;

  private ViewStandardizer(Map<String, double[]> means, Map<String, double[]> stds) {
    this.means = means;
    this.stds = stds;
  }

  /** Fits on the TRAIN rows of {@code dataset}; throws if there are none. */
  public static ViewStandardizer fit(MultiViewDataset dataset) {
    List<MultiViewRow> train = dataset.rows(Split.TRAIN);
    if (train.isEmpty()) {
      throw new IllegalArgumentException(
          "dataset " + dataset.name() + " has no TRAIN rows to fit a standardisation on");
    }
    Map<String, double[]> means = new LinkedHashMap<>();
    Map<String, double[]> stds = new LinkedHashMap<>();
    for (String m : dataset.modalities()) {
      int w = dataset.viewWidth(m);
      double[] mean = new double[w];
      for (MultiViewRow r : train) {
        float[] v = r.view(m);
        for (int i = 0; i < w; i++) {
          mean[i] += v[i];
        }
      }
      for (int i = 0; i < w; i++) {
        mean[i] /= train.size();
      }
      double[] var = new double[w];
      for (MultiViewRow r : train) {
        float[] v = r.view(m);
        for (int i = 0; i < w; i++) {
          double d = v[i] - mean[i];
          var[i] += d * d;
        }
      }
      double[] std = new double[w];
      for (int i = 0; i < w; i++) {
        std[i] = Math.sqrt(var[i] / train.size());
        if (!(std[i] > 0) || !Double.isFinite(std[i])) {
          std[i] = 1;
        }
      }
      means.put(m, mean);
      stds.put(m, std);
    }
    return new ViewStandardizer(means, stds);
  }

  public double[] mean(String modality) {
    return lookup(means, modality).clone();
  }

  public double[] std(String modality) {
    return lookup(stds, modality).clone();
  }

  /** A new dataset with every row's views standardised (new arrays; the input is unchanged). */
  public MultiViewDataset apply(MultiViewDataset dataset) {
    return dataset.withRows(dataset.rows().stream().map(this::apply).toList());
  }

  public MultiViewRow apply(MultiViewRow row) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, float[]> e : row.views().entrySet()) {
      double[] mean = lookup(means, e.getKey());
      double[] std = stds.get(e.getKey());
      float[] v = e.getValue();
      if (v.length != mean.length) {
        throw new IllegalArgumentException(
            "modality '" + e.getKey() + "' has width " + v.length + ", fitted on " + mean.length);
      }
      float[] z = new float[v.length];
      for (int i = 0; i < v.length; i++) {
        z[i] = (float) ((v[i] - mean[i]) / std[i]);
      }
      out.put(e.getKey(), z);
    }
    return row.withViews(out);
  }

  private static double[] lookup(Map<String, double[]> map, String modality) {
    double[] a = map.get(modality);
    if (a == null) {
      throw new IllegalArgumentException(
          "no standardisation fitted for modality '" + modality + "' (have " + map.keySet() + ")");
    }
    return a;
  }
}
