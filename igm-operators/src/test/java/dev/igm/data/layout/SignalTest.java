package dev.igm.data.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The STFT against a direct DFT, resampling, and image resizing. */
class SignalTest {

  @Test
  void logSpectrogramMatchesADirectDft() {
    Random r = new Random(1);
    float[] y = new float[3000];
    for (int i = 0; i < y.length; i++) {
      y[i] = (float) r.nextGaussian() * 0.3f;
    }
    LogSpectrogram stft = new LogSpectrogram(512, 353);
    float[] s = stft.compute(y);
    int frames = stft.frames(y.length);
    assertThat(frames).isEqualTo(1 + 3000 / 353);
    for (int t : new int[] {0, 3, frames - 1}) {
      for (int f : new int[] {0, 1, 77, 256}) {
        double re = 0;
        double im = 0;
        for (int n = 0; n < 512; n++) {
          int j = t * 353 - 256 + n;
          double x =
              j >= 0 && j < y.length ? y[j] * (0.5 - 0.5 * Math.cos(2 * Math.PI * n / 512)) : 0;
          re += x * Math.cos(2 * Math.PI * f * n / 512);
          im -= x * Math.sin(2 * Math.PI * f * n / 512);
        }
        assertThat((double) s[f * frames + t])
            .as("bin %d frame %d", f, t)
            .isCloseTo(Math.log(Math.hypot(re, im) + 1e-7), within(1e-4));
      }
    }
  }

  @Test
  void resamplingKeepsASineAndFixesTheLength() {
    int from = 16_000;
    int to = 22_050;
    float[] x = new float[from];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(2 * Math.PI * 440 * i / from);
    }
    float[] y = Resampler.resample(x, from, to);
    assertThat(y).hasSize(to);
    for (int i = 2000; i < to - 2000; i += 37) {
      assertThat((double) y[i])
          .isCloseTo(Math.sin(2 * Math.PI * 440 * i / (double) to), within(2e-3));
    }
  }

  @Test
  void resizeKeepsFlatImagesAndAveragesWhenShrinking() {
    BufferedImage img = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 4; x++) {
      for (int yy = 0; yy < 2; yy++) {
        img.setRGB(x, yy, x % 2 == 0 ? 0xffffff : 0x000000); // vertical stripes
      }
    }
    float[] zero = {0, 0, 0};
    float[] one = {1, 1, 1};
    for (ImageTensor.Filter f : ImageTensor.Filter.values()) {
      float[] t = new ImageTensor(1, f, zero, one).fromImage(img);
      assertThat(t).hasSize(3);
      assertThat((double) t[0])
          .as(f.name())
          .isCloseTo(0.5, within(0.2)); // antialiased: the stripes average out
    }
    BufferedImage flat = new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 7; x++) {
      for (int yy = 0; yy < 5; yy++) {
        flat.setRGB(x, yy, 0x336699);
      }
    }
    float[] t = new ImageTensor(11, ImageTensor.Filter.BICUBIC, zero, one).fromImage(flat);
    for (int i = 0; i < 121; i++) {
      assertThat((double) t[i]).isCloseTo(0x33 / 255.0, within(1e-5));
      assertThat((double) t[242 + i]).isCloseTo(0x99 / 255.0, within(1e-5));
    }
  }
}
