package dev.igm.avbench;

import dev.igm.core.model.Rng;
import dev.igm.data.layout.SpectrogramPool;
import java.awt.image.BufferedImage;

/**
 * The frames of one clip: a Fashion-MNIST item drawn in colour on a coloured background, degraded.
 * Per clip: the item is reduced to a low resolution ({@link Difficulty#resolutionLow()}..high px,
 * area averaging: lower is blurrier), its colour and the background's (one dark, one light, random
 * hues), and a pixel-noise level. Per frame: its own small scale/rotation/shift jitter, an
 * occluding rectangle of random colour and size, fresh noise. Several frames of a clip therefore
 * hide different parts of the item: together they show more than one does.
 */
final class ClipFrames {
  private final float[] item;
  private final int resolution;
  private final double[] fg;
  private final double[] bg;
  private final double noise;
  private final Difficulty difficulty;

  /** Draws the clip's style from {@code rng}. */
  ClipFrames(byte[] fashionItem, Difficulty difficulty, Rng rng) {
    this.difficulty = difficulty;
    float[] full = new float[FashionMnist.SIDE * FashionMnist.SIDE];
    for (int i = 0; i < full.length; i++) {
      full[i] = (fashionItem[i] & 0xff) / 255f;
    }
    this.resolution =
        difficulty.resolutionLow()
            + rng.nextInt(difficulty.resolutionHigh() - difficulty.resolutionLow() + 1);
    this.item =
        SpectrogramPool.pool(full, FashionMnist.SIDE, FashionMnist.SIDE, resolution, resolution);
    boolean darkBackground = rng.nextDouble() < 0.5;
    this.bg = colour(rng, darkBackground ? 0.0 : 0.6, darkBackground ? 0.4 : 1.0);
    this.fg = colour(rng, darkBackground ? 0.6 : 0.0, darkBackground ? 1.0 : 0.4);
    this.noise = difficulty.pixelNoise() * rng.nextDouble();
  }

  int resolution() {
    return resolution;
  }

  double noise() {
    return noise;
  }

  /** A colour whose channels lie in [lo, hi]. */
  private static double[] colour(Rng rng, double lo, double hi) {
    return new double[] {
      lo + (hi - lo) * rng.nextDouble(),
      lo + (hi - lo) * rng.nextDouble(),
      lo + (hi - lo) * rng.nextDouble()
    };
  }

  /** One frame, drawn with its own jitter, occluder and noise from {@code rng}. */
  BufferedImage frame(Rng rng) {
    int size = difficulty.frameSize();
    double scale = size * (0.8 + 0.25 * rng.nextDouble()); // the item's side on the frame
    double angle = Math.toRadians(-10 + 20 * rng.nextDouble());
    double cx = size / 2.0 + size * (-0.08 + 0.16 * rng.nextDouble());
    double cy = size / 2.0 + size * (-0.08 + 0.16 * rng.nextDouble());
    double cos = Math.cos(angle);
    double sin = Math.sin(angle);
    double occW =
        size
            * (difficulty.occlusionLow()
                + (difficulty.occlusionHigh() - difficulty.occlusionLow()) * rng.nextDouble());
    double occH =
        size
            * (difficulty.occlusionLow()
                + (difficulty.occlusionHigh() - difficulty.occlusionLow()) * rng.nextDouble());
    double ox = (size - occW) * rng.nextDouble();
    double oy = (size - occH) * rng.nextDouble();
    double[] occColour = colour(rng, 0, 1);
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double px = x + 0.5 - cx;
        double py = y + 0.5 - cy;
        // frame → item coordinates (inverse rotation), in units of the low-resolution item's pixels
        double u = (cos * px + sin * py) / scale * resolution + resolution / 2.0 - 0.5;
        double v = (-sin * px + cos * py) / scale * resolution + resolution / 2.0 - 0.5;
        double ink = sample(u, v);
        boolean occluded =
            x + 0.5 >= ox && x + 0.5 < ox + occW && y + 0.5 >= oy && y + 0.5 < oy + occH;
        int rgb = 0;
        for (int c = 0; c < 3; c++) {
          double value = occluded ? occColour[c] : bg[c] + (fg[c] - bg[c]) * ink;
          value += noise * rng.nextGaussian();
          rgb = (rgb << 8) | (int) Math.round(255 * Math.max(0, Math.min(1, value)));
        }
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }

  /** Bilinear sample of the low-resolution item; 0 (background) outside it. */
  private double sample(double u, double v) {
    int u0 = (int) Math.floor(u);
    int v0 = (int) Math.floor(v);
    double fu = u - u0;
    double fv = v - v0;
    return (1 - fv) * ((1 - fu) * at(u0, v0) + fu * at(u0 + 1, v0))
        + fv * ((1 - fu) * at(u0, v0 + 1) + fu * at(u0 + 1, v0 + 1));
  }

  private double at(int u, int v) {
    return u < 0 || v < 0 || u >= resolution || v >= resolution ? 0 : item[v * resolution + u];
  }
}
