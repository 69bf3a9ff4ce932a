package dev.igm.avbench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How hard the generated benchmark is: per clip, the audio's signal-to-noise ratio and the frames'
 * degradation are drawn independently from these ranges, so some clips are clear in one modality
 * and hopeless in the other — each modality then carries information the other lacks, and fusion
 * can beat both.
 *
 * @param snrLowDb lowest speech-to-noise ratio (dB, over the spoken word)
 * @param snrHighDb highest speech-to-noise ratio
 * @param resolutionLow smallest side (px) the 28 px item is reduced to before it is drawn (lower =
 *     blurrier)
 * @param resolutionHigh largest such side
 * @param occlusionLow smallest side of the occluding rectangle of each frame, as a fraction of the
 *     frame
 * @param occlusionHigh largest such side
 * @param pixelNoise largest standard deviation of the Gaussian pixel noise (fraction of the full
 *     range; per clip uniform in [0, this])
 * @param frames frames written per clip, each with its own jitter and occluder
 * @param frameSize side of the written JPEG frames (px)
 * @param clipSeconds length of each WAV
 */
public record Difficulty(
    double snrLowDb,
    double snrHighDb,
    int resolutionLow,
    int resolutionHigh,
    double occlusionLow,
    double occlusionHigh,
    double pixelNoise,
    int frames,
    int frameSize,
    double clipSeconds) {

  /**
   * The defaults of {@code igm make-av-dataset}, chosen from measured unimodal accuracies
   * (docs/AV_BENCHMARK.md).
   */
  public static final Difficulty DEFAULT = new Difficulty(-6, 12, 8, 14, 0.3, 0.5, 0.2, 2, 64, 3.0);

  public Difficulty {
    if (!(snrLowDb <= snrHighDb) || !Double.isFinite(snrLowDb) || !Double.isFinite(snrHighDb)) {
      throw new IllegalArgumentException(
          "SNR range must be finite with low <= high: " + snrLowDb + ":" + snrHighDb);
    }
    if (resolutionLow < 2 || resolutionLow > resolutionHigh || resolutionHigh > FashionMnist.SIDE) {
      throw new IllegalArgumentException(
          "item resolution must satisfy 2 <= low <= high <= 28: "
              + resolutionLow
              + ":"
              + resolutionHigh);
    }
    if (!(occlusionLow >= 0 && occlusionLow <= occlusionHigh && occlusionHigh <= 1)) {
      throw new IllegalArgumentException(
          "occlusion must satisfy 0 <= low <= high <= 1: " + occlusionLow + ":" + occlusionHigh);
    }
    if (!(pixelNoise >= 0 && pixelNoise <= 1)) {
      throw new IllegalArgumentException("pixel noise must be in [0, 1]: " + pixelNoise);
    }
    if (frames < 1 || frameSize < 8 || !(clipSeconds >= 1 && clipSeconds <= 10)) {
      throw new IllegalArgumentException(
          "frames >= 1, frame size >= 8 and clip seconds in [1, 10] needed: "
              + frames
              + ", "
              + frameSize
              + ", "
              + clipSeconds);
    }
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("snr_db", new double[] {snrLowDb, snrHighDb});
    m.put("item_resolution_px", new int[] {resolutionLow, resolutionHigh});
    m.put("occlusion_side", new double[] {occlusionLow, occlusionHigh});
    m.put("pixel_noise_max", pixelNoise);
    m.put("frames", frames);
    m.put("frame_size_px", frameSize);
    m.put("clip_seconds", clipSeconds);
    return m;
  }
}
