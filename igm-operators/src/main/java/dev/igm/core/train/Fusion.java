package dev.igm.core.train;

import java.util.List;

/**
 * How per-modality probabilities become the fused prediction (rule 12), written once for {@link
 * IgmTrainer#score} and the prequential path: the (weighted) mean of the per-modality softmaxes for
 * the alternating methods, the softmax of the summed logits for {@code joint} (its own training
 * objective), and the trained modality's own softmax for {@code unimodal-<name>}. The mean of the
 * softmaxes is reported beside every fusion. See docs/ALGORITHM.md, rule 12.
 *
 * <p>Bits: the mean is computed here in Java exactly as the engine would compute it on the
 * probability tensors — each product {@code p·w} and each partial sum rounded to float32 (float64
 * for a float64 trainer), in modality order.
 */
public final class Fusion {
  enum Rule {
    MEAN_SOFTMAX,
    SUMMED_LOGITS,
    ONE_MODALITY
  }

  private final Rule rule;
  private final List<Double> weights;
  private final int modality;

  /**
   * @param weights fusion weights, one per modality; empty = equal weights
   * @param modality the one modality of {@link Rule#ONE_MODALITY}, else ignored
   */
  Fusion(Rule rule, List<Double> weights, int modality) {
    this.rule = rule;
    this.weights = List.copyOf(weights);
    this.modality = modality;
  }

  /** The fusion a model of {@code config} is scored by, in training and in serving alike. */
  public static Fusion of(dev.igm.core.config.IgmConfig config) {
    return MethodParts.fusion(config);
  }

  /** An empty sheet for {@code n} samples of {@code config}'s model (float32 logits). */
  public static ScoreSheet sheet(dev.igm.core.config.IgmConfig config, int n) {
    return new ScoreSheet(n, config.numClasses(), config.modalityCount(), false);
  }

  /** Whether the sheet must carry the softmax of the summed logits. */
  public boolean needsLogitSum() {
    return rule == Rule.SUMMED_LOGITS;
  }

  public Scores fuse(ScoreSheet sheet) {
    int m = sheet.modalities();
    for (int j = 0; j < m; j++) {
      if (!sheet.has(j)) {
        throw new IllegalStateException("no scores for modality " + j);
      }
    }
    float[] meanSoftmax = new float[sheet.n() * sheet.classes()];
    if (sheet.wideProbabilities(0) != null) {
      double[] sum = new double[meanSoftmax.length];
      for (int j = 0; j < m; j++) {
        double w = weights.isEmpty() ? 1.0 / m : weights.get(j);
        double[] p = sheet.wideProbabilities(j);
        for (int i = 0; i < sum.length; i++) {
          double weighted = p[i] * w;
          sum[i] = j == 0 ? weighted : sum[i] + weighted;
        }
      }
      for (int i = 0; i < sum.length; i++) {
        meanSoftmax[i] = (float) sum[i];
      }
    } else {
      for (int j = 0; j < m; j++) {
        float w = (float) (weights.isEmpty() ? 1.0 / m : weights.get(j));
        float[] p = sheet.probabilities(j);
        for (int i = 0; i < meanSoftmax.length; i++) {
          float weighted = p[i] * w;
          meanSoftmax[i] = j == 0 ? weighted : meanSoftmax[i] + weighted;
        }
      }
    }
    float[] fused =
        switch (rule) {
          case MEAN_SOFTMAX -> meanSoftmax;
          case ONE_MODALITY -> sheet.probabilities(modality).clone();
          case SUMMED_LOGITS -> {
            if (sheet.logitSumSoftmax() == null) {
              throw new IllegalStateException("no softmax of the summed logits");
            }
            yield sheet.logitSumSoftmax();
          }
        };
    return new Scores(sheet.n(), sheet.classes(), sheet.allProbabilities(), fused, meanSoftmax);
  }
}
