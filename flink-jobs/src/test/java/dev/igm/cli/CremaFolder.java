package dev.igm.cli;

import dev.igm.core.model.Rng;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A tiny CREMA-D layout folder written here, with no Debian packages: per clip a 22,050 Hz 16-bit
 * WAV of a class-dependent tone in noise and JPEG frames with a class-dependent bright square,
 * under CREMA-D's six codes as {@code igm make-av-dataset} files them. Shared with the integration
 * tests through this module's test-jar.
 */
public final class CremaFolder {
  private static final List<String> CODES = List.of("NEU", "HAP", "SAD", "FEA", "DIS", "ANG");

  private CremaFolder() {}

  /**
   * {@code command} with the layout options the tests read a written folder with (frames of 16 px,
   * spectrograms of 32 × 24, 2 frames), then {@code rest}.
   */
  public static String[] command(String command, Path root, String... rest) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                command,
                "--layout",
                "cremad",
                "--root",
                root.toString(),
                "--image-size",
                "16",
                "--spectrogram-size",
                "32x24",
                "--frames",
                "2"));
    args.addAll(List.of(rest));
    return args.toArray(String[]::new);
  }

  /**
   * {@code train} and {@code test} clips (classes round-robin), {@code frames} frames of {@code
   * size} px each.
   */
  public static Path write(Path root, int train, int test, int frames, int size, long seed)
      throws IOException {
    Rng rng = new Rng(seed);
    StringBuilder trainCsv = new StringBuilder();
    StringBuilder testCsv = new StringBuilder();
    Files.createDirectories(root.resolve("AudioWAV"));
    for (int i = 0; i < train + test; i++) {
      int k = i % CODES.size();
      String clip = String.format("%04d_FIX_%s_XX", i + 1, CODES.get(k));
      (i < train ? trainCsv : testCsv).append(clip).append(',').append(CODES.get(k)).append('\n');
      Files.write(root.resolve("AudioWAV").resolve(clip + ".wav"), wav(250.0 * (k + 1), rng));
      Path dir = Files.createDirectories(root.resolve("Image-01-FPS").resolve(clip));
      for (int f = 0; f < frames; f++) {
        ImageIO.write(
            frame(k, size, rng),
            "jpg",
            dir.resolve(String.format("frame_%05d.jpg", f + 1)).toFile());
      }
    }
    Files.createDirectories(root.resolve("annotations"));
    Files.writeString(root.resolve("annotations/train.csv"), trainCsv);
    Files.writeString(root.resolve("annotations/test.csv"), testCsv);
    return root;
  }

  /** 0.8 s (the reader tiles it to 3 s) of a tone at {@code hz} plus white noise. */
  private static byte[] wav(double hz, Rng rng) {
    int rate = 22_050;
    int n = (int) (0.8 * rate);
    ByteBuffer b = ByteBuffer.allocate(44 + 2 * n).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes())
        .putInt(36 + 2 * n)
        .put("WAVE".getBytes())
        .put("fmt ".getBytes())
        .putInt(16)
        .putShort((short) 1)
        .putShort((short) 1)
        .putInt(rate)
        .putInt(2 * rate)
        .putShort((short) 2)
        .putShort((short) 16)
        .put("data".getBytes())
        .putInt(2 * n);
    for (int i = 0; i < n; i++) {
      double v = 0.4 * Math.sin(2 * Math.PI * hz * i / rate) + 0.1 * rng.nextGaussian();
      b.putShort((short) Math.round(Math.max(-1, Math.min(1, v)) * 32767));
    }
    return b.array();
  }

  /** A noisy grey frame with a bright square whose position depends on the class. */
  private static BufferedImage frame(int k, int size, Rng rng) {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    int side = size / 3;
    int x0 = (k % 3) * side;
    int y0 = (k / 3) * side;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        boolean in = x >= x0 && x < x0 + side && y >= y0 && y < y0 + side;
        int v = (int) Math.max(0, Math.min(255, (in ? 220 : 60) + 30 * rng.nextGaussian()));
        img.setRGB(x, y, (v << 16) | (v << 8) | v);
      }
    }
    return img;
  }
}
