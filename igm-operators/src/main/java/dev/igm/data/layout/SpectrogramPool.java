package dev.igm.data.layout;

/**
 * Reduces a spectrogram by average pooling onto a coarser grid, exactly as PyTorch's {@code
 * F.adaptive_avg_pool2d(x[None], (H, W))[0]}: output row {@code i} of {@code H} averages the input
 * rows {@code floor(i·rows/H) .. ceil((i+1)·rows/H) − 1}, output column {@code j} of {@code W} the
 * input columns {@code floor(j·cols/W) .. ceil((j+1)·cols/W) − 1}, every cell of that rectangle
 * with the same weight (neighbouring rectangles overlap by a row or column where the sizes do not
 * divide). Applied to the log-magnitude STFT, each output value is the mean log-magnitude of a band
 * of ~rows/H linear-frequency bins over ~cols/W frames: at 64 × 64 from CREMA-D's 257 × 188, bands
 * of 4–5 bins (~190 Hz at 22,050 Hz) over 3–4 frames (~50 ms). Only reduces: a size larger than the
 * input is refused. Sums in double, stored as float.
 */
public final class SpectrogramPool {
  private SpectrogramPool() {}

  /**
   * @param src {@code rows × cols}, row-major
   * @return {@code height × width}, row-major
   */
  public static float[] pool(float[] src, int rows, int cols, int height, int width) {
    if (src.length != rows * cols) {
      throw new IllegalArgumentException(
          "spectrogram of " + src.length + " values is not " + rows + "x" + cols);
    }
    if (height > rows || width > cols) {
      throw new IllegalArgumentException(
          "spectrogram size "
              + height
              + "x"
              + width
              + " exceeds the spectrogram's "
              + rows
              + "x"
              + cols
              + " (frequency bins x frames): it can only be reduced");
    }
    float[] out = new float[height * width];
    for (int i = 0; i < height; i++) {
      int r0 = start(i, rows, height);
      int r1 = end(i, rows, height);
      for (int j = 0; j < width; j++) {
        int c0 = start(j, cols, width);
        int c1 = end(j, cols, width);
        double sum = 0;
        for (int r = r0; r < r1; r++) {
          for (int c = c0; c < c1; c++) {
            sum += src[r * cols + c];
          }
        }
        out[i * width + j] = (float) (sum / ((r1 - r0) * (c1 - c0)));
      }
    }
    return out;
  }

  /** First input index of output bin {@code i}: {@code floor(i·in/out)}. */
  static int start(int i, int in, int out) {
    return (int) ((long) i * in / out);
  }

  /** One past the last input index of output bin {@code i}: {@code ceil((i+1)·in/out)}. */
  static int end(int i, int in, int out) {
    return (int) (((long) (i + 1) * in + out - 1) / out);
  }
}
