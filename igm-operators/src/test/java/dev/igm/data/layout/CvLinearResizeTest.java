package dev.igm.data.layout;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** OpenCV's INTER_LINEAR sampling: half-pixel centres, clamped borders, no antialiasing. */
class CvLinearResizeTest {
  @Test
  void upscaleInterpolatesBetweenHalfPixelCentres() {
    // a 2 × 2 plane [0 100; 0 100] to 4 × 4: columns at source x = −0.25 (clamped), 0.25, 0.75,
    // 1.25 (clamped)
    float[] out = CvLinearResize.resizeCrop(new float[] {0, 100, 0, 100}, 2, 2, 4, 0, 4);
    assertThat(java.util.Arrays.copyOf(out, 4)).containsExactly(0f, 25f, 75f, 100f);
  }

  @Test
  void downscaleTakesTwoTapsWithoutAntialiasing() {
    float[] src = new float[16];
    for (int i = 0; i < 16; i++) {
      src[i] = 10 * (i % 4);
    }
    // source x = 0.5 and 2.5: the means of columns 0, 1 and 2, 3 (PIL would average all four
    // columns per output)
    assertThat(CvLinearResize.resizeCrop(src, 4, 4, 2, 0, 2)).containsExactly(5f, 25f, 5f, 25f);
  }

  @Test
  void sameSizeIsTheIdentityAndCropsFromTheOffset() {
    float[] src = new float[9];
    for (int i = 0; i < 9; i++) {
      src[i] = i * 1.7f;
    }
    assertThat(CvLinearResize.resizeCrop(src, 3, 3, 3, 0, 3)).containsExactly(src);
    assertThat(CvLinearResize.resizeCrop(src, 3, 3, 3, 1, 2))
        .containsExactly(src[4], src[5], src[7], src[8]);
  }
}
