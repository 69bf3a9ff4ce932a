package dev.igm.core;

import java.util.Arrays;

/**
 * Accuracy, macro-F1 and MAP as scikit-learn computes them (docs/ALGORITHM.md, rule 11).
 *
 * <ul>
 *   <li>argmax ties go to the lowest class index (numpy's argmax);
 *   <li>macro-F1 averages over the union of true and predicted labels ({@code
 *       f1_score(average='macro')}); a label with no true positive has F1 0;
 *   <li>MAP averages over all c classes the one-vs-rest {@code average_precision_score} {@code AP =
 *       Σ (R_n − R_{n−1}) P_n} over distinct score thresholds (tied scores form one threshold); a
 *       class without positives has AP 0.
 * </ul>
 *
 * Empty inputs give NaN, as scikit-learn does (with a warning). So does any non-finite score (NaN
 * or ±Inf: a diverged model), where scikit-learn refuses the input: a figure computed from such
 * scores would be an artefact of how NaN compares, not a property of the model. {@link
 * #nonFiniteRows} counts the rows concerned. Every loop here terminates on any input.
 */
public final class ClassificationMetrics {

  private ClassificationMetrics() {}

  /** Index of the largest score in row {@code row} of a row-major n×c array; ties: lowest index. */
  public static int argmax(float[] scores, int classes, int row) {
    int off = row * classes;
    int best = 0;
    float bestScore = scores[off];
    for (int j = 1; j < classes; j++) {
      // strict '>' keeps the first of equal maxima (a NaN never wins; the metrics above argmax are
      // NaN then)
      if (scores[off + j] > bestScore) {
        best = j;
        bestScore = scores[off + j];
      }
    }
    return best;
  }

  /** Predicted class of every row of a row-major n×c score array. */
  public static int[] predict(float[] scores, int classes) {
    checkShape(scores.length, classes);
    int n = scores.length / classes;
    int[] predicted = new int[n];
    for (int r = 0; r < n; r++) {
      predicted[r] = argmax(scores, classes, r);
    }
    return predicted;
  }

  public static int[] predict(float[][] scores) {
    int[] predicted = new int[scores.length];
    for (int r = 0; r < scores.length; r++) {
      predicted[r] = argmax(scores[r], scores[r].length, 0);
    }
    return predicted;
  }

  public static double accuracy(int[] labels, int[] predicted) {
    checkSameLength(labels.length, predicted.length);
    if (labels.length == 0) {
      return Double.NaN;
    }
    int hits = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] == predicted[i]) {
        hits++;
      }
    }
    return (double) hits / labels.length;
  }

  /** Accuracy of the argmax predictions; NaN when a score is not finite. */
  public static double accuracy(int[] labels, float[] scores, int classes) {
    checkShape(scores.length, classes);
    checkSameLength(labels.length, scores.length / classes);
    return allFinite(scores) ? accuracy(labels, predict(scores, classes)) : Double.NaN;
  }

  /** Whether every score is finite (no NaN, no ±Inf). */
  public static boolean allFinite(float[] scores) {
    for (float s : scores) {
      if (!Float.isFinite(s)) {
        return false;
      }
    }
    return true;
  }

  /** Number of rows of a row-major n×c score array that hold at least one non-finite score. */
  public static int nonFiniteRows(float[] scores, int classes) {
    checkShape(scores.length, classes);
    int rows = 0;
    for (int off = 0; off < scores.length; off += classes) {
      for (int j = 0; j < classes; j++) {
        if (!Float.isFinite(scores[off + j])) {
          rows++;
          break;
        }
      }
    }
    return rows;
  }

  /**
   * Macro-F1 over the union of true and predicted labels; F1 = 2tp/(2tp+fp+fn), 0 when that is 0/0.
   */
  public static double macroF1(int[] labels, int[] predicted) {
    checkSameLength(labels.length, predicted.length);
    if (labels.length == 0) {
      return Double.NaN;
    }
    int max = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || predicted[i] < 0) {
        throw new IllegalArgumentException("negative label at " + i);
      }
      max = Math.max(max, Math.max(labels[i], predicted[i]));
    }
    long[] tp = new long[max + 1];
    long[] trueCount = new long[max + 1];
    long[] predCount = new long[max + 1];
    for (int i = 0; i < labels.length; i++) {
      trueCount[labels[i]]++;
      predCount[predicted[i]]++;
      if (labels[i] == predicted[i]) {
        tp[labels[i]]++;
      }
    }
    double sum = 0.0;
    int present = 0;
    for (int c = 0; c <= max; c++) {
      if (trueCount[c] == 0 && predCount[c] == 0) {
        continue; // not in the union of labels
      }
      present++;
      // fp + fn + 2tp = predCount + trueCount; never 0 for a present label
      sum += 2.0 * tp[c] / (trueCount[c] + predCount[c]);
    }
    return sum / present;
  }

  /** Macro-F1 of the argmax predictions; NaN when a score is not finite. */
  public static double macroF1(int[] labels, float[] scores, int classes) {
    checkShape(scores.length, classes);
    checkSameLength(labels.length, scores.length / classes);
    return allFinite(scores) ? macroF1(labels, predict(scores, classes)) : Double.NaN;
  }

  /**
   * One-vs-rest average precision of class {@code cls} from a row-major n×c score array, as {@code
   * average_precision_score(labels == cls, scores[:, cls])}; 0 when the class has no positives.
   */
  public static double averagePrecision(int[] labels, float[] scores, int classes, int cls) {
    checkShape(scores.length, classes);
    int n = scores.length / classes;
    checkSameLength(labels.length, n);
    float[] column = new float[n];
    for (int i = 0; i < n; i++) {
      column[i] = scores[i * classes + cls];
    }
    return averagePrecision(labels, column, cls);
  }

  /**
   * AP of {@code positive} against all other labels, for one score per sample; NaN when a score is
   * not finite.
   */
  public static double averagePrecision(int[] labels, float[] score, int positive) {
    checkSameLength(labels.length, score.length);
    if (!allFinite(score)) {
      return Double.NaN;
    }
    int n = labels.length;
    long positives = 0;
    for (int label : labels) {
      if (label == positive) {
        positives++;
      }
    }
    if (positives == 0) {
      return 0.0;
    }
    // Sort by descending score; equal scores form one threshold, so their order does not matter.
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(score[b], score[a]));
    double ap = 0.0;
    double previousRecall = 0.0;
    long tp = 0;
    long seen = 0;
    int i = 0;
    while (i < n) {
      float threshold = score[order[i]];
      // every pass consumes at least the row that set the threshold, so the loop ends whatever the
      // scores are;
      // '==' rather than Float.compare so that -0.0 and 0.0 share a threshold, as in numpy
      do {
        if (labels[order[i]] == positive) {
          tp++;
        }
        seen++;
        i++;
      } while (i < n && score[order[i]] == threshold);
      double recall = (double) tp / positives;
      double precision = (double) tp / seen;
      ap += (recall - previousRecall) * precision;
      previousRecall = recall;
    }
    return ap;
  }

  /**
   * MAP: mean over all {@code classes} of the one-vs-rest AP (classes without positives count as
   * 0); NaN when a score is not finite.
   */
  public static double meanAveragePrecision(int[] labels, float[] scores, int classes) {
    checkShape(scores.length, classes);
    if (labels.length == 0 || !allFinite(scores)) {
      return Double.NaN;
    }
    double sum = 0.0;
    for (int c = 0; c < classes; c++) {
      sum += averagePrecision(labels, scores, classes, c);
    }
    return sum / classes;
  }

  public static double meanAveragePrecision(int[] labels, float[][] scores) {
    checkSameLength(labels.length, scores.length);
    if (scores.length == 0) {
      return Double.NaN;
    }
    return meanAveragePrecision(labels, flatten(scores), scores[0].length);
  }

  public static double accuracy(int[] labels, float[][] scores) {
    checkSameLength(labels.length, scores.length);
    return scores.length == 0 ? Double.NaN : accuracy(labels, flatten(scores), scores[0].length);
  }

  public static double macroF1(int[] labels, float[][] scores) {
    checkSameLength(labels.length, scores.length);
    return scores.length == 0 ? Double.NaN : macroF1(labels, flatten(scores), scores[0].length);
  }

  private static float[] flatten(float[][] scores) {
    int c = scores[0].length;
    float[] flat = new float[scores.length * c];
    for (int r = 0; r < scores.length; r++) {
      if (scores[r].length != c) {
        throw new IllegalArgumentException(
            "row " + r + " has " + scores[r].length + " scores, not " + c);
      }
      System.arraycopy(scores[r], 0, flat, r * c, c);
    }
    return flat;
  }

  private static void checkShape(int length, int classes) {
    if (classes < 1 || length % classes != 0) {
      throw new IllegalArgumentException(length + " scores do not form rows of " + classes);
    }
  }

  private static void checkSameLength(int a, int b) {
    if (a != b) {
      throw new IllegalArgumentException("length mismatch: " + a + " vs " + b);
    }
  }
}
