package dev.igm.data.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link SpectrogramPool} against PyTorch's adaptive_avg_pool2d bins, worked by hand. */
class SpectrogramPoolTest {

  @Test
  void binsOverlapWhereSizesDoNotDivideAsAdaptiveAveragePooling() {
    // 5 rows x 3 cols, value = 10·row + col; to 2 x 2: rows {0,1,2} and {2,3,4}, cols {0,1} and
    // {1,2}
    float[] src = new float[15];
    for (int r = 0; r < 5; r++) {
      for (int c = 0; c < 3; c++) {
        src[r * 3 + c] = 10 * r + c;
      }
    }
    assertThat(SpectrogramPool.pool(src, 5, 3, 2, 2)).containsExactly(10.5f, 11.5f, 30.5f, 31.5f);
    // torch.nn.functional.adaptive_avg_pool2d(torch.arange(15.).view(1,5,3) ... same bins:
    // divisible sizes are plain blocks
    assertThat(SpectrogramPool.pool(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4, 1, 2))
        .containsExactly(3.5f, 5.5f);
    assertThat(SpectrogramPool.pool(src, 5, 3, 5, 3))
        .as("same size is the identity")
        .containsExactly(src);
  }

  @Test
  void binEdgesAreFloorAndCeil() {
    // 257 bins to 64 rows: 4 or 5 bins each, first row 0..4, last row 252..256
    assertThat(SpectrogramPool.start(0, 257, 64)).isZero();
    assertThat(SpectrogramPool.end(0, 257, 64)).isEqualTo(5);
    assertThat(SpectrogramPool.start(63, 257, 64)).isEqualTo(252);
    assertThat(SpectrogramPool.end(63, 257, 64)).isEqualTo(257);
    assertThat(SpectrogramPool.start(1, 188, 64)).isEqualTo(2);
    assertThat(SpectrogramPool.end(1, 188, 64)).isEqualTo(6);
  }

  @Test
  void growingOrMismatchedInputsAreRefused() {
    assertThatThrownBy(() -> SpectrogramPool.pool(new float[6], 2, 3, 3, 3))
        .hasMessageContaining("can only be reduced");
    assertThatThrownBy(() -> SpectrogramPool.pool(new float[5], 2, 3, 1, 1))
        .hasMessageContaining("is not 2x3");
  }
}
