package dev.igm.data.layout;

/**
 * {@code np.log(np.abs(librosa.stft(y, n_fft, hop_length)) + 1e-7)} as the reference computes its
 * audio input: periodic Hann window of length n_fft, {@code center=True} with zero padding of
 * n_fft/2 on both sides (librosa ≥ 0.10's default {@code pad_mode="constant"}), frames = 1 +
 * len/hop. The result is row-major {@code [1 + n_fft/2, frames]} (frequency rows, time columns),
 * librosa's layout.
 */
public final class LogSpectrogram {
  private final int nFft;
  private final int hop;
  private final double[] window;
  private final Fft fft;

  public LogSpectrogram(int nFft, int hop) {
    if (Integer.bitCount(nFft) != 1 || hop < 1) {
      throw new IllegalArgumentException(
          "n_fft must be a power of two and hop >= 1: " + nFft + ", " + hop);
    }
    this.nFft = nFft;
    this.hop = hop;
    this.window = new double[nFft];
    for (int i = 0; i < nFft; i++) {
      window[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / nFft);
    }
    this.fft = new Fft(nFft);
  }

  public int bins() {
    return nFft / 2 + 1;
  }

  public int frames(int samples) {
    return 1 + samples / hop;
  }

  /**
   * The log-magnitude spectrogram of {@code y}, shape {@code [bins(), frames(y.length)]},
   * row-major.
   */
  public float[] compute(float[] y) {
    int frames = frames(y.length);
    int bins = bins();
    int pad = nFft / 2;
    float[] out = new float[bins * frames];
    double[] re = new double[nFft];
    double[] im = new double[nFft];
    for (int t = 0; t < frames; t++) {
      int start = t * hop - pad;
      for (int i = 0; i < nFft; i++) {
        int j = start + i;
        re[i] = j >= 0 && j < y.length ? y[j] * window[i] : 0;
        im[i] = 0;
      }
      fft.transform(re, im);
      for (int f = 0; f < bins; f++) {
        out[f * frames + t] = (float) Math.log(Math.hypot(re[f], im[f]) + 1e-7);
      }
    }
    return out;
  }

  /** In-place iterative radix-2 complex FFT (forward, no scaling, numpy's sign convention). */
  static final class Fft {
    private final int n;
    private final int[] reversed;
    private final double[] cos;
    private final double[] sin;

    Fft(int n) {
      this.n = n;
      int bits = Integer.numberOfTrailingZeros(n);
      reversed = new int[n];
      for (int i = 0; i < n; i++) {
        reversed[i] = Integer.reverse(i) >>> (32 - bits);
      }
      cos = new double[n / 2];
      sin = new double[n / 2];
      for (int i = 0; i < n / 2; i++) {
        cos[i] = Math.cos(2 * Math.PI * i / n);
        sin[i] = -Math.sin(2 * Math.PI * i / n);
      }
    }

    void transform(double[] re, double[] im) {
      for (int i = 0; i < n; i++) {
        int j = reversed[i];
        if (j > i) {
          double t = re[i];
          re[i] = re[j];
          re[j] = t;
          t = im[i];
          im[i] = im[j];
          im[j] = t;
        }
      }
      for (int size = 2; size <= n; size <<= 1) {
        int half = size / 2;
        int step = n / size;
        for (int i = 0; i < n; i += size) {
          for (int k = 0; k < half; k++) {
            double wr = cos[k * step];
            double wi = sin[k * step];
            int a = i + k;
            int b = a + half;
            double xr = re[b] * wr - im[b] * wi;
            double xi = re[b] * wi + im[b] * wr;
            re[b] = re[a] - xr;
            im[b] = im[a] - xi;
            re[a] += xr;
            im[a] += xi;
          }
        }
      }
    }
  }
}
