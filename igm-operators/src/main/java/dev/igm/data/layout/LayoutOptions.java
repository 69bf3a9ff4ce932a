package dev.igm.data.layout;

/**
 * Preprocessing knobs of the paper layouts.
 *
 * @param imageSize side of the square images and frames (the reference: 224). Smaller sizes keep
 *     Kafka records small (a 224² RGB frame is 602 KB of float32)
 * @param maxWords words per text (the reference passes {@code max_tokens} = 50 for Twitter2015 and
 *     Sarcasm)
 * @param spectrogram the audio layouts' spectrogram reduced to this grid ({@link SpectrogramPool});
 *     null = the full log-STFT, as the reference feeds it
 * @param frames frames per clip of the audio-visual layouts; 0 = the reference's count (CREMA-D 1,
 *     Kinetics-Sounds 3)
 */
public record LayoutOptions(int imageSize, int maxWords, GridSize spectrogram, int frames) {
  public static final LayoutOptions REFERENCE = new LayoutOptions(224, 50);

  /** A reduced grid: {@code height} rows (frequency) × {@code width} columns (time). */
  public record GridSize(int height, int width) {
    public GridSize {
      if (height < 1 || width < 1) {
        throw new IllegalArgumentException(
            "spectrogram size must be positive, got " + height + "x" + width);
      }
    }

    /** {@code HxW}, e.g. {@code 64x64}. */
    public static GridSize parse(String text) {
      String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x");
      if (parts.length != 2) {
        throw new IllegalArgumentException(
            "spectrogram size '" + text + "' must be HxW, e.g. 64x64");
      }
      try {
        return new GridSize(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "spectrogram size '" + text + "' must be HxW with whole numbers, e.g. 64x64");
      }
    }

    @Override
    public String toString() {
      return height + "x" + width;
    }
  }

  public LayoutOptions {
    if (imageSize < 1 || maxWords < 1) {
      throw new IllegalArgumentException(
          "image size and max words must be >= 1: " + imageSize + ", " + maxWords);
    }
    if (frames < 0) {
      throw new IllegalArgumentException(
          "frames must be >= 1 (or 0 for the layout's own count), got " + frames);
    }
  }

  /** The reference's spectrogram and frame count. */
  public LayoutOptions(int imageSize, int maxWords) {
    this(imageSize, maxWords, null, 0);
  }

  /** Whether an option only the audio-visual layouts use is set. */
  boolean setsAudioVisualOptions() {
    return spectrogram != null || frames != 0;
  }
}
