package dev.igm.core.fit;

import dev.igm.core.ClassificationMetrics;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.Scores;
import dev.igm.data.MultiViewRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Acc / macro-F1 / MAP for each modality alone and fused, as scikit-learn computes them
 * (docs/ALGORITHM.md, "Evaluation"). Keys: {@code <modality>.acc|f1|map}, {@code fused.acc|f1|map};
 * for {@code joint} also {@code mean-softmax.*}. A group whose scores are not all finite (a
 * diverged model) gets NaN figures; {@link Report} counts those rows.
 */
public final class Evaluation {
  private Evaluation() {}

  /**
   * The figures of one split and how many of its rows the model could not score: rows with a
   * non-finite score in any group (a modality or the fusion).
   */
  public record Report(Map<String, Double> metrics, int rows, int nonFiniteRows) {
    /** A model that gives a non-finite score to any row has diverged: its figures say NaN. */
    public boolean diverged() {
      return nonFiniteRows > 0;
    }

    /** No rows, no figures. */
    public static Report empty() {
      return new Report(new LinkedHashMap<>(), 0, 0);
    }
  }

  /** The metric keys {@link #evaluate} reports for a model of {@code config}, in its order. */
  public static List<String> metricKeys(IgmConfig config) {
    List<String> groups = new ArrayList<>();
    config.modalities().forEach(m -> groups.add(m.name()));
    groups.add("fused");
    if (config.method().fusesSummedLogits()) {
      groups.add("mean-softmax");
    }
    List<String> keys = new ArrayList<>();
    for (String g : groups) {
      for (String m : List.of("acc", "f1", "map")) {
        keys.add(g + "." + m);
      }
    }
    return keys;
  }

  /** Scores {@code rows} with the trainer's current model (in chunks, without training). */
  public static Map<String, Double> evaluate(IgmTrainer trainer, List<MultiViewRow> rows) {
    return report(trainer, rows).metrics();
  }

  /** {@link #evaluate}, with the count of rows that got a non-finite score. */
  public static Report report(IgmTrainer trainer, List<MultiViewRow> rows) {
    IgmConfig config = trainer.config();
    int c = config.numClasses();
    int n = rows.size();
    int[] labels = new int[n];
    float[][] perModality = new float[config.modalityCount()][n * c];
    float[] fused = new float[n * c];
    float[] meanSoftmax = new float[n * c];
    int chunk = 512;
    for (int start = 0; start < n; start += chunk) {
      int end = Math.min(n, start + chunk);
      List<float[][]> inputs = new ArrayList<>();
      for (int s = start; s < end; s++) {
        inputs.add(inputsOf(config, rows.get(s)));
        labels[s] = rows.get(s).label();
      }
      Scores scores = trainer.score(inputs);
      for (int j = 0; j < config.modalityCount(); j++) {
        System.arraycopy(scores.perModality()[j], 0, perModality[j], start * c, (end - start) * c);
      }
      System.arraycopy(scores.fused(), 0, fused, start * c, (end - start) * c);
      System.arraycopy(scores.meanSoftmax(), 0, meanSoftmax, start * c, (end - start) * c);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    boolean[] bad = new boolean[n];
    for (int j = 0; j < config.modalityCount(); j++) {
      put(out, config.modalities().get(j).name(), labels, perModality[j], c);
      markNonFinite(bad, perModality[j], c);
    }
    put(out, "fused", labels, fused, c);
    markNonFinite(bad, fused, c);
    if (config.method().fusesSummedLogits()) {
      put(out, "mean-softmax", labels, meanSoftmax, c);
      markNonFinite(bad, meanSoftmax, c);
    }
    int nonFinite = 0;
    for (boolean b : bad) {
      nonFinite += b ? 1 : 0;
    }
    return new Report(out, n, nonFinite);
  }

  private static void markNonFinite(boolean[] bad, float[] scores, int c) {
    for (int i = 0; i < scores.length; i++) {
      if (!Float.isFinite(scores[i])) {
        bad[i / c] = true;
      }
    }
  }

  /** The row's views in the model's modality order. */
  public static float[][] inputsOf(IgmConfig config, MultiViewRow row) {
    float[][] in = new float[config.modalityCount()][];
    for (int j = 0; j < in.length; j++) {
      String m = config.modalities().get(j).name();
      in[j] = row.view(m);
      if (in[j] == null) {
        throw new IllegalArgumentException("row " + row.sampleId() + " has no view '" + m + "'");
      }
    }
    return in;
  }

  private static void put(
      Map<String, Double> out, String prefix, int[] labels, float[] scores, int c) {
    out.put(prefix + ".acc", ClassificationMetrics.accuracy(labels, scores, c));
    out.put(prefix + ".f1", ClassificationMetrics.macroF1(labels, scores, c));
    out.put(prefix + ".map", ClassificationMetrics.meanAveragePrecision(labels, scores, c));
  }
}
