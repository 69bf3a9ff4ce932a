package dev.igm.data.layout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The paper datasets by name, as {@code igm replay --layout NAME --root DIR} opens them. */
public final class PaperLayouts {
  /** Names accepted by {@link #open}. */
  public static final List<String> NAMES =
      List.of("cremad", "kinetics-sounds", "twitter2015", "sarcasm", "nvgesture");

  private PaperLayouts() {}

  public static DatasetLayout open(String name, Path root, LayoutOptions options) {
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("layout root " + root + " is not a directory");
    }
    if (options.setsAudioVisualOptions()
        && !name.equals("cremad")
        && !name.equals("kinetics-sounds")) {
      throw new IllegalArgumentException(
          "a spectrogram size and a frame count apply to the audio-visual layouts"
              + " (cremad, kinetics-sounds), not to "
              + name);
    }
    return switch (name) {
      case "cremad" -> AudioVisualLayout.cremaD(root, options);
      case "kinetics-sounds" -> AudioVisualLayout.kineticsSounds(root, options);
      case "twitter2015" -> TextImageLayout.twitter2015(root, options);
      case "sarcasm" -> TextImageLayout.sarcasm(root, options);
      case "nvgesture" -> NvGestureLayout.open(root, options);
      default ->
          throw new IllegalArgumentException(
              "unknown layout '" + name + "' (known: " + String.join(", ", NAMES) + ")");
    };
  }
}
