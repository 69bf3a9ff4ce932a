package dev.igm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MlaProjectorTest {

  private static final double EPS = 1e-12;

  @Test
  void startsAsIdentity() {
    assertThat(new MlaProjector(2).matrix()).containsExactly(1, 0, 0, 1);
  }

  @Test
  void twoStepsMatchHandComputation() {
    MlaProjector p = new MlaProjector(2);
    // Step 1, r = (1,0), α = 1: k = P rᵀ = (1,0), r·k = 1, P − k kᵀ/(1+1) = [[0.5,0],[0,1]],
    // ‖·‖_F = √1.25 → P = diag(1/√5, 2/√5) = diag(0.4472135955, 0.894427191)
    p.update(new double[] {1, 0}, 1.0);
    assertThat(p.matrix())
        .containsExactly(new double[] {1 / Math.sqrt(5), 0, 0, 2 / Math.sqrt(5)}, within(EPS));

    // Step 2, r = (1,1), α = 0.1: k = (1/√5, 2/√5), r·k = 3/√5, denominator 0.1 + 3/√5 =
    // 1.4416407865,
    // k kᵀ = [[0.2,0.4],[0.4,0.8]] → P − k kᵀ/den = [[0.3084828, −0.2774617],[−0.2774617,
    // 0.3395039]],
    // ‖·‖_F = 0.6036510 → P = [[0.5110284115, −0.4596391881],[−0.4596391881, 0.5624176350]]
    p.update(new double[] {1, 1}, 0.1);
    assertThat(p.matrix())
        .containsExactly(
            new double[] {
              0.5110284115444214, -0.4596391880628538,
              -0.4596391880628538, 0.562417635025989
            },
            within(EPS));
  }

  @Test
  void restoreRoundTrips() {
    MlaProjector p = new MlaProjector(2);
    p.update(new double[] {1, 0}, 1.0);
    MlaProjector q = MlaProjector.restore(p.matrix(), 2);
    p.update(new double[] {1, 1}, 0.1);
    q.update(new double[] {1, 1}, 0.1);
    assertThat(q.matrix()).containsExactly(p.matrix());
  }

  @Test
  void alphaFollowsMla() {
    // 0.1^(1 + b/nb)
    assertThat(MlaProjector.alpha(0, 10)).isCloseTo(0.1, within(EPS));
    assertThat(MlaProjector.alpha(5, 10)).isCloseTo(0.0316227766016838, within(EPS));
    assertThat(MlaProjector.alpha(10, 10)).isCloseTo(0.01, within(EPS));
  }
}
