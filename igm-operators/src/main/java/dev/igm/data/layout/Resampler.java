package dev.igm.data.layout;

/**
 * Band-limited resampling (Hann-windowed sinc, 32 zero crossings, cut-off at the lower Nyquist
 * frequency). It stands in for librosa's default {@code soxr_hq}: both are linear-phase low-pass
 * interpolators, so spectrograms agree closely (not bit for bit). The output length is {@code
 * ceil(n·to/from)}, as {@code librosa.resample} fixes it.
 */
public final class Resampler {
  private static final int ZERO_CROSSINGS = 32;

  private Resampler() {}

  public static float[] resample(float[] x, int from, int to) {
    if (from <= 0 || to <= 0) {
      throw new IllegalArgumentException("sample rates must be positive: " + from + " → " + to);
    }
    if (from == to) {
      return x.clone();
    }
    double ratio = (double) to / from;
    int n = (int) Math.ceil(x.length * ratio);
    double cutoff = Math.min(1.0, ratio); // relative to the input Nyquist frequency
    double halfWidth = ZERO_CROSSINGS / cutoff; // in input samples
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      double t = i / ratio;
      int lo = (int) Math.ceil(t - halfWidth);
      int hi = (int) Math.floor(t + halfWidth);
      double acc = 0;
      for (int k = Math.max(lo, 0); k <= Math.min(hi, x.length - 1); k++) {
        double d = t - k;
        double arg = Math.PI * cutoff * d;
        double sinc = arg == 0 ? 1 : Math.sin(arg) / arg;
        double window = 0.5 + 0.5 * Math.cos(Math.PI * d / halfWidth);
        acc += x[k] * cutoff * sinc * window;
      }
      y[i] = (float) acc;
    }
    return y;
  }
}
