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
 * Acc / macro-F1 / MAP for each modality alone and fused, as scikit-learn computes them (docs/ALGORITHM.md, "Evaluation").
 * Keys: {@code <modality>.acc|f1|map}, {@code fused.acc|f1|map}; for {@code joint} also {@code mean-softmax.*}.
 */
public final class Evaluation {
  private Evaluation() {}

  /** Scores {@code rows} with the trainer's current model (in chunks, without training). */
  public static Map<String, Double> evaluate(IgmTrainer trainer, List<MultiViewRow> rows) {
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
    for (int j = 0; j < config.modalityCount(); j++) {
      put(out, config.modalities().get(j).name(), labels, perModality[j], c);
    }
    put(out, "fused", labels, fused, c);
    if (config.method().fusesSummedLogits()) {
      put(out, "mean-softmax", labels, meanSoftmax, c);
    }
    return out;
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

  private static void put(Map<String, Double> out, String prefix, int[] labels, float[] scores, int c) {
    out.put(prefix + ".acc", ClassificationMetrics.accuracy(labels, scores, c));
    out.put(prefix + ".f1", ClassificationMetrics.macroF1(labels, scores, c));
    out.put(prefix + ".map", ClassificationMetrics.meanAveragePrecision(labels, scores, c));
  }
}
