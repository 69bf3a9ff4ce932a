package dev.igm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {

  private static final double EPS = 1e-12;

  @Test
  void accuracyCountsHits() {
    // hits at 0 and 2 of 5
    assertThat(ClassificationMetrics.accuracy(new int[] {0, 1, 2, 2, 1}, new int[] {0, 2, 2, 1, 3}))
        .isCloseTo(0.4, within(EPS));
  }

  @Test
  void macroF1AveragesOverTheUnionOfTrueAndPredictedLabels() {
    int[] labels = {0, 1, 2, 2, 1};
    int[] predicted = {0, 2, 2, 1, 3};
    // F1 = 2tp/(#true + #predicted):
    //   0: tp 1, true 1, pred 1 → 1
    //   1: tp 0, true 2, pred 1 → 0
    //   2: tp 1, true 2, pred 2 → 0.5
    //   3: tp 0, true 0, pred 1 → 0   (only predicted: in the union, so it counts)
    // macro = 1.5 / 4 = 0.375 (over the true labels alone it would be 0.5)
    assertThat(ClassificationMetrics.macroF1(labels, predicted)).isCloseTo(0.375, within(EPS));
  }

  @Test
  void macroF1SkipsLabelsNeitherTrueNorPredicted() {
    // labels 1 and 2 appear nowhere: the union is {0, 3}, both perfect
    assertThat(ClassificationMetrics.macroF1(new int[] {0, 3}, new int[] {0, 3})).isEqualTo(1.0);
  }

  @Test
  void argmaxTiesGoToTheLowestIndex() {
    float[] scores = {
      0.2f, 0.5f, 0.5f,
      0.3f, 0.3f, 0.3f,
      0.1f, 0.2f, 0.7f
    };
    assertThat(ClassificationMetrics.predict(scores, 3)).containsExactly(1, 0, 2);
    assertThat(ClassificationMetrics.predict(new float[][] {{0.5f, 0.5f}, {0f, 1f}}))
        .containsExactly(0, 1);
  }

  @Test
  void averagePrecisionGroupsTiedScoresAtOneThreshold() {
    int[] labels = {1, 1, 0, 0, 1};
    float[] score = {0.9f, 0.8f, 0.8f, 0.3f, 0.3f};
    // 3 positives; thresholds in descending order, each taking all tied samples at once:
    //   0.9: {0}    tp 1, seen 1 → R 1/3, P 1   → (1/3)·1   = 1/3
    //   0.8: {1,2}  tp 2, seen 3 → R 2/3, P 2/3 → (1/3)·2/3 = 2/9
    //   0.3: {3,4}  tp 3, seen 5 → R 1,   P 3/5 → (1/3)·3/5 = 1/5
    // AP = 1/3 + 2/9 + 1/5 = 34/45 = 0.7555…  (taking ties one at a time in index order would give
    // 13/15)
    assertThat(ClassificationMetrics.averagePrecision(labels, score, 1))
        .isCloseTo(34.0 / 45, within(EPS));
  }

  @Test
  void classWithoutPositivesHasApZeroAndMapAveragesOverAllClasses() {
    int[] labels = {1, 1, 0, 0, 1};
    float[] scores = {
      // class 0  class 1  class 2
      0.05f, 0.9f, 0.05f,
      0.10f, 0.8f, 0.10f,
      0.15f, 0.8f, 0.05f,
      0.60f, 0.3f, 0.10f,
      0.60f, 0.3f, 0.10f
    };
    // class 0, positives {2,3}: 0.6 {3,4} tp 1 seen 2 → R 1/2, P 1/2 → 1/4;
    //                           0.15 {2} tp 2 seen 3 → R 1,   P 2/3 → 1/3;  AP0 = 7/12
    // class 1: AP1 = 34/45 (see the test above); class 2: no positives → AP2 = 0
    // MAP = (7/12 + 34/45 + 0)/3 = (105/180 + 136/180)/3 = 241/540 = 0.44629…
    assertThat(ClassificationMetrics.averagePrecision(labels, scores, 3, 0))
        .isCloseTo(7.0 / 12, within(EPS));
    assertThat(ClassificationMetrics.averagePrecision(labels, scores, 3, 2)).isZero();
    assertThat(ClassificationMetrics.meanAveragePrecision(labels, scores, 3))
        .isCloseTo(241.0 / 540, within(EPS));

    float[][] rows = new float[5][];
    for (int r = 0; r < 5; r++) {
      rows[r] = new float[] {scores[3 * r], scores[3 * r + 1], scores[3 * r + 2]};
    }
    assertThat(ClassificationMetrics.meanAveragePrecision(labels, rows))
        .isCloseTo(241.0 / 540, within(EPS));
  }

  @Test
  void perfectRankingHasApOne() {
    assertThat(
            ClassificationMetrics.averagePrecision(
                new int[] {0, 1, 1}, new float[] {0.1f, 0.9f, 0.8f}, 1))
        .isEqualTo(1.0);
  }

  @Test
  void emptyInputGivesNaN() {
    assertThat(ClassificationMetrics.accuracy(new int[0], new int[0])).isNaN();
    assertThat(ClassificationMetrics.macroF1(new int[0], new int[0])).isNaN();
    assertThat(ClassificationMetrics.meanAveragePrecision(new int[0], new float[0], 3)).isNaN();
  }

  @Test
  void nonFiniteRowsCountsTheRowsADivergedModelCannotBeScoredOn() {
    float[] scores = {
      0.2f, 0.8f, Float.NaN, 0.5f, 0.5f, 0.5f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY
    };
    assertThat(ClassificationMetrics.nonFiniteRows(scores, 2)).isEqualTo(2);
    assertThat(ClassificationMetrics.allFinite(scores)).isFalse();
    assertThat(ClassificationMetrics.allFinite(new float[] {0f, -0f, 1e30f})).isTrue();
  }
}
