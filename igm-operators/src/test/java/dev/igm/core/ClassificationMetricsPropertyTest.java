package dev.igm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every metric terminates on any input (NaN, ±Inf, ties, constant scores, signed zeros) and says
 * NaN where a score is not finite; on finite scores AP agrees with a slow, independent
 * transcription of scikit-learn's definition.
 */
class ClassificationMetricsPropertyTest {

  private static final float[] SPECIAL = {
    Float.NaN,
    Float.POSITIVE_INFINITY,
    Float.NEGATIVE_INFINITY,
    0.0f,
    -0.0f,
    0.5f,
    1.0f,
    Float.MIN_VALUE,
    Float.MAX_VALUE
  };

  @Test
  void everyMetricTerminatesOnAnyInputAndNonFiniteScoresGiveNaN() {
    Random rng = new Random(20251204L);
    // one budget for all cases: a loop that never advances (the old AP on a NaN score) fails here
    // instead of hanging
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          for (int trial = 0; trial < 3000; trial++) {
            int classes = 1 + rng.nextInt(5);
            int n = rng.nextInt(40);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
              labels[i] = rng.nextInt(classes);
            }
            float[] scores = scores(rng, n * classes, trial % 5);
            boolean finite = true;
            for (int r = 0; r < n; r++) {
              boolean rowFinite = true;
              for (int j = 0; j < classes; j++) {
                rowFinite &= Float.isFinite(scores[r * classes + j]);
              }
              finite &= rowFinite;
            }
            String what = "trial " + trial + ": n=" + n + ", c=" + classes;
            double acc = ClassificationMetrics.accuracy(labels, scores, classes);
            double f1 = ClassificationMetrics.macroF1(labels, scores, classes);
            double map = ClassificationMetrics.meanAveragePrecision(labels, scores, classes);
            if (n == 0 || !finite) {
              assertThat(acc).as(what).isNaN();
              assertThat(f1).as(what).isNaN();
              assertThat(map).as(what).isNaN();
            } else {
              assertThat(acc).as(what).isBetween(0.0, 1.0);
              assertThat(f1).as(what).isBetween(0.0, 1.0);
              assertThat(map).as(what).isBetween(0.0, 1.0);
            }
            for (int c = 0; c < classes; c++) {
              double ap = ClassificationMetrics.averagePrecision(labels, scores, classes, c);
              float[] column = column(scores, classes, c);
              if (finite(column)) {
                assertThat(ap)
                    .as(what + ", class " + c)
                    .isCloseTo(referenceAp(labels, column, c), within(1e-12));
              } else {
                assertThat(ap).as(what + ", class " + c).isNaN();
              }
            }
          }
        });
  }

  @Test
  void aDivergedModelsScoresAreNaNNotAHang() {
    int[] labels = {0, 1, 2, 1};
    float[] scores = new float[12];
    java.util.Arrays.fill(scores, Float.NaN);
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          assertThat(ClassificationMetrics.averagePrecision(labels, scores, 3, 1)).isNaN();
          assertThat(ClassificationMetrics.meanAveragePrecision(labels, scores, 3)).isNaN();
          assertThat(ClassificationMetrics.accuracy(labels, scores, 3)).isNaN();
          assertThat(ClassificationMetrics.macroF1(labels, scores, 3)).isNaN();
        });
  }

  @Test
  void constantScoresFormOneThreshold() {
    int[] labels = {1, 0, 1, 0, 0};
    float[] score = {0.25f, 0.25f, 0.25f, -0.0f + 0.25f, 0.25f};
    // one threshold: recall 1 at precision 2/5
    assertThat(ClassificationMetrics.averagePrecision(labels, score, 1))
        .isCloseTo(0.4, within(1e-12));
    // -0.0 and 0.0 are one threshold too
    assertThat(
            ClassificationMetrics.averagePrecision(new int[] {1, 0}, new float[] {0.0f, -0.0f}, 1))
        .isCloseTo(0.5, within(1e-12));
  }

  /**
   * Scores of five kinds: continuous, few distinct values (ties), constant, with specials, and all
   * special.
   */
  private static float[] scores(Random rng, int size, int kind) {
    float[] s = new float[size];
    float constant = rng.nextFloat();
    for (int i = 0; i < size; i++) {
      s[i] =
          switch (kind) {
            case 0 -> rng.nextFloat();
            case 1 -> rng.nextInt(3) / 2f;
            case 2 -> constant;
            case 3 -> rng.nextInt(8) == 0 ? SPECIAL[rng.nextInt(SPECIAL.length)] : rng.nextFloat();
            default -> SPECIAL[rng.nextInt(SPECIAL.length)];
          };
    }
    return s;
  }

  private static float[] column(float[] scores, int classes, int c) {
    float[] col = new float[scores.length / classes];
    for (int i = 0; i < col.length; i++) {
      col[i] = scores[i * classes + c];
    }
    return col;
  }

  private static boolean finite(float[] values) {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  /**
   * scikit-learn's AP written out the slow way: for every distinct score t, from the highest down,
   * precision and recall of "score >= t"; AP = Σ (R_k − R_{k−1}) P_k; 0 without positives.
   */
  private static double referenceAp(int[] labels, float[] score, int positive) {
    long positives = java.util.Arrays.stream(labels).filter(l -> l == positive).count();
    if (positives == 0) {
      return 0.0;
    }
    TreeSet<Double> thresholds = new TreeSet<>();
    for (float s : score) {
      thresholds.add((double) s + 0.0); // + 0.0 folds -0.0 into 0.0
    }
    double ap = 0;
    double previousRecall = 0;
    for (double t : thresholds.descendingSet()) {
      long tp = 0;
      long predicted = 0;
      for (int i = 0; i < score.length; i++) {
        if (score[i] >= t) {
          predicted++;
          tp += labels[i] == positive ? 1 : 0;
        }
      }
      double recall = (double) tp / positives;
      ap += (recall - previousRecall) * ((double) tp / predicted);
      previousRecall = recall;
    }
    return ap;
  }
}
