package dev.igm.data.layout;

import dev.igm.data.DatasetFormatException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * torchvision's evaluation transform {@code Resize((size, size)) → ToTensor() → Normalize(mean,
 * std)} on one image file: RGB, channel-first {@code [3, size, size]} float32, row-major.
 *
 * <p>The resize is PIL's separable convolution resampling (the filter widened by the downscale
 * factor, i.e. antialiased, horizontal pass first, each pass clipped to 0..255 as PIL's 8-bit
 * passes clip). PIL rounds to 8 bits between and after the passes; this class keeps floats, so
 * values differ from PIL's by at most about 1/255 before normalisation.
 */
public final class ImageTensor {
  /** PIL's reconstruction filters. */
  public enum Filter {
    /** torchvision's default for Resize (CREMA-D, Kinetics-Sounds). */
    BILINEAR(1.0),
    /** {@code Image.BICUBIC} (Twitter2015, Sarcasm), a = −0.5. */
    BICUBIC(2.0);

    final double support;

    Filter(double support) {
      this.support = support;
    }

    double weight(double x) {
      x = Math.abs(x);
      if (this == BILINEAR) {
        return x < 1 ? 1 - x : 0;
      }
      double a = -0.5;
      if (x < 1) {
        return ((a + 2) * x - (a + 3)) * x * x + 1;
      }
      return x < 2 ? (((x - 5) * x + 8) * x - 4) * a : 0;
    }
  }

  /** ImageNet statistics (CREMA-D, Kinetics-Sounds). */
  public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};

  public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

  /** CLIP statistics ({@code datasets/__init__.py}: Twitter2015, Sarcasm). */
  public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};

  public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

  private final int size;
  private final Filter filter;
  private final float[] mean;
  private final float[] std;

  public ImageTensor(int size, Filter filter, float[] mean, float[] std) {
    if (size < 1) {
      throw new IllegalArgumentException("image size must be >= 1, got " + size);
    }
    this.size = size;
    this.filter = filter;
    this.mean = mean.clone();
    this.std = std.clone();
  }

  public int size() {
    return size;
  }

  /**
   * Reads, resizes and normalises {@code file}; throws {@link DatasetFormatException} naming the
   * file.
   */
  public float[] load(Path file) {
    BufferedImage img;
    try {
      img = ImageIO.read(file.toFile());
    } catch (IOException | RuntimeException e) {
      throw new DatasetFormatException(file + ": cannot decode image (" + e.getMessage() + ")", e);
    }
    if (img == null) {
      throw new DatasetFormatException(
          file + ": not an image format Java can read (expected JPEG, PNG, BMP or GIF)");
    }
    return fromImage(img);
  }

  /** The tensor of a decoded image. */
  public float[] fromImage(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    float[][] planes = new float[3][w * h];
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    for (int i = 0; i < argb.length; i++) {
      planes[0][i] = (argb[i] >> 16) & 0xff;
      planes[1][i] = (argb[i] >> 8) & 0xff;
      planes[2][i] = argb[i] & 0xff;
    }
    float[] out = new float[3 * size * size];
    for (int c = 0; c < 3; c++) {
      float[] resized = resize(planes[c], w, h);
      int base = c * size * size;
      for (int i = 0; i < size * size; i++) {
        out[base + i] = (resized[i] / 255f - mean[c]) / std[c];
      }
    }
    return out;
  }

  private float[] resize(float[] plane, int w, int h) {
    float[] horizontal = w == size ? plane : pass(plane, w, h, true);
    return h == size ? horizontal : pass(horizontal, size, h, false);
  }

  /** One PIL resampling pass along x ({@code alongX}) or y; the other dimension is kept. */
  private float[] pass(float[] in, int w, int h, boolean alongX) {
    int inSize = alongX ? w : h;
    int outW = alongX ? size : w;
    int outH = alongX ? h : size;
    double scale = (double) inSize / size;
    double filterScale = Math.max(scale, 1.0);
    double support = filter.support * filterScale;
    float[] out = new float[outW * outH];
    double[] k = new double[(int) Math.ceil(support) * 2 + 2];
    for (int o = 0; o < size; o++) {
      double center = (o + 0.5) * scale;
      int min = Math.max((int) (center - support + 0.5), 0);
      int max = Math.min((int) (center + support + 0.5), inSize) - min;
      double total = 0;
      for (int x = 0; x < max; x++) {
        k[x] = filter.weight((x + min - center + 0.5) / filterScale);
        total += k[x];
      }
      for (int x = 0; x < max; x++) {
        k[x] = total == 0 ? 0 : k[x] / total;
      }
      int lines = alongX ? h : w;
      for (int line = 0; line < lines; line++) {
        double acc = 0;
        for (int x = 0; x < max; x++) {
          int src = alongX ? line * w + (min + x) : (min + x) * w + line;
          acc += in[src] * k[x];
        }
        int dst = alongX ? line * outW + o : o * outW + line;
        out[dst] = (float) Math.min(255, Math.max(0, acc));
      }
    }
    return out;
  }
}
