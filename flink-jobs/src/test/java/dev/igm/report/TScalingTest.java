package dev.igm.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The T scaling drawn next to each spectrum follows Eq. 4 and rule 4 of docs/ALGORITHM.md. */
class TScalingTest {
  @Test
  void largestEigenvalueIsDampedToExpMinusTauAndSmallestKeepsOne() {
    double[] s = TScaling.of(new double[] {0.0, 1.0, 4.0}, 0.4);
    assertThat(s[0]).isEqualTo(1.0);
    assertThat(s[1]).isCloseTo(Math.exp(-0.4 * 0.25), within(1e-15));
    assertThat(s[2]).isCloseTo(Math.exp(-0.4), within(1e-15));
  }

  @Test
  void degenerateSpectraGiveTheIdentity() {
    assertThat(TScaling.of(new double[] {2.0, 2.0, 2.0 + 1e-12}, 0.4)).containsOnly(1.0);
    assertThat(TScaling.of(new double[] {1.0, Double.NaN}, 0.4)).containsOnly(1.0);
    assertThat(TScaling.of(new double[0], 0.4)).isEmpty();
  }
}
