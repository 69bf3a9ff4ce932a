package dev.igm.data.layout;

/**
 * OpenCV's {@code cv2.resize(..., interpolation=INTER_LINEAR)} (the default) of one plane to a
 * square, fused with a square crop of the result: only the cropped pixels are computed. Unlike
 * PIL's resampling in {@link ImageTensor}, this is plain 2×2 bilinear interpolation without
 * antialiasing: source coordinate {@code (dst + 0.5) · scale − 0.5}, clamped at the borders. OpenCV
 * computes 8-bit images with 11-bit fixed-point weights; floats here, so after rounding to 8 bits a
 * value may differ from OpenCV's by one level. Resizing to the source size is the identity.
 */
final class CvLinearResize {
  private CvLinearResize() {}

  /**
   * @param src {@code width × height}, row-major
   * @param side the side of the resized square
   * @param offset first row and column of the crop in the resized square
   * @param crop side of the crop
   * @return {@code crop × crop}, row-major
   */
  static float[] resizeCrop(float[] src, int width, int height, int side, int offset, int crop) {
    int[] x0 = new int[crop];
    int[] x1 = new int[crop];
    float[] fx = new float[crop];
    taps(width, side, offset, x0, x1, fx);
    int[] y0 = new int[crop];
    int[] y1 = new int[crop];
    float[] fy = new float[crop];
    taps(height, side, offset, y0, y1, fy);
    float[] out = new float[crop * crop];
    for (int y = 0; y < crop; y++) {
      int r0 = y0[y] * width;
      int r1 = y1[y] * width;
      for (int x = 0; x < crop; x++) {
        float top = src[r0 + x0[x]] * (1 - fx[x]) + src[r0 + x1[x]] * fx[x];
        float bottom = src[r1 + x0[x]] * (1 - fx[x]) + src[r1 + x1[x]] * fx[x];
        out[y * crop + x] = top * (1 - fy[y]) + bottom * fy[y];
      }
    }
    return out;
  }

  /**
   * The two source indices and the weight of the second, for destination indices {@code offset ..}.
   */
  private static void taps(int in, int out, int offset, int[] i0, int[] i1, float[] frac) {
    double scale = (double) in / out;
    for (int d = 0; d < i0.length; d++) {
      double s = (d + offset + 0.5) * scale - 0.5;
      int i = (int) Math.floor(s);
      float f = (float) (s - i);
      if (i < 0) {
        i = 0;
        f = 0;
      }
      if (i >= in - 1) {
        i = in - 1;
        f = 0;
      }
      i0[d] = i;
      i1[d] = Math.min(i + 1, in - 1);
      frac[d] = f;
    }
  }
}
