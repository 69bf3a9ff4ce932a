package dev.igm.avbench;

import dev.igm.core.model.Rng;

/**
 * A spoken word placed at a random time in a clip of noise at a given speech-to-noise ratio. The
 * noise is a random mix of white noise and low-passed ("brown-ish") noise, so its spectrum tilts
 * differently from clip to clip; the ratio is measured between the mean power of the word (leading
 * and trailing silence trimmed) and the noise's.
 */
final class NoisySpeech {
  private NoisySpeech() {}

  /** Samples of the word trimmed to where its magnitude first and last exceeds 2% of its peak. */
  static float[] trim(float[] speech) {
    float peak = 0;
    for (float v : speech) {
      peak = Math.max(peak, Math.abs(v));
    }
    if (peak == 0) {
      throw new IllegalStateException("espeak-ng produced silence");
    }
    int first = 0;
    while (Math.abs(speech[first]) < 0.02f * peak) {
      first++;
    }
    int last = speech.length - 1;
    while (Math.abs(speech[last]) < 0.02f * peak) {
      last--;
    }
    return java.util.Arrays.copyOfRange(speech, first, last + 1);
  }

  /**
   * @param word trimmed speech
   * @param length clip length in samples (a longer word is cut)
   * @param snrDb speech-to-noise ratio
   * @param rng offset, noise colour, noise samples and loudness
   */
  static float[] mix(float[] word, int length, double snrDb, Rng rng) {
    return place(word, length, snrDb, rng).clip();
  }

  /** A mixed clip, where its word starts and the gain applied to word and noise alike. */
  record Mixed(float[] clip, int offset, double gain) {}

  static Mixed place(float[] word, int length, double snrDb, Rng rng) {
    int n = Math.min(word.length, length);
    int offset = rng.nextInt(length - n + 1);
    double tilt = rng.nextDouble(); // share of low-passed noise power
    double gain = 0.2 + 0.6 * rng.nextDouble(); // peak level of the clip
    double[] white = new double[length];
    double[] low = new double[length];
    double state = 0;
    double whitePower = 0;
    double lowPower = 0;
    for (int i = 0; i < length; i++) {
      white[i] = rng.nextGaussian();
      state = 0.97 * state + rng.nextGaussian();
      low[i] = state;
      whitePower += white[i] * white[i];
      lowPower += low[i] * low[i];
    }
    double speechPower = 0;
    for (int i = 0; i < n; i++) {
      speechPower += (double) word[i] * word[i];
    }
    speechPower /= n;
    double noisePower = speechPower / Math.pow(10, snrDb / 10);
    double a = Math.sqrt((1 - tilt) * noisePower / (whitePower / length));
    double b = Math.sqrt(tilt * noisePower / (lowPower / length));
    double[] y = new double[length];
    double peak = 0;
    for (int i = 0; i < length; i++) {
      y[i] = a * white[i] + b * low[i] + (i >= offset && i < offset + n ? word[i - offset] : 0);
      peak = Math.max(peak, Math.abs(y[i]));
    }
    float[] out = new float[length];
    for (int i = 0; i < length; i++) {
      out[i] = (float) (y[i] * gain / peak);
    }
    return new Mixed(out, offset, gain / peak);
  }
}
