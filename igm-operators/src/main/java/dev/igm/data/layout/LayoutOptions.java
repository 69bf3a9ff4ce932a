package dev.igm.data.layout;

/**
 * Preprocessing knobs of the paper layouts.
 *
 * @param imageSize side of the square images and frames (the reference: 224). Smaller sizes keep Kafka records small
 *     (a 224² RGB frame is 602 KB of float32)
 * @param maxWords words per text (the reference passes {@code max_tokens} = 50 for Twitter2015 and Sarcasm)
 */
public record LayoutOptions(int imageSize, int maxWords) {
  public static final LayoutOptions REFERENCE = new LayoutOptions(224, 50);

  public LayoutOptions {
    if (imageSize < 1 || maxWords < 1) {
      throw new IllegalArgumentException("image size and max words must be >= 1: " + imageSize + ", " + maxWords);
    }
  }
}
