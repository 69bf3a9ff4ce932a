package dev.igm.data.layout;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/** Tiny media files for layout fixtures: 16-bit PCM WAVs of a sine, solid-colour JPEGs. */
final class LayoutFixtures {
  private LayoutFixtures() {}

  /** A mono 16-bit PCM WAV of {@code seconds} of a sine at {@code hz} with amplitude 0.5. */
  static Path wav(Path file, int rate, double seconds, double hz) throws IOException {
    int n = (int) Math.round(rate * seconds);
    ByteBuffer buf = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      buf.putShort((short) Math.round(0.5 * 32767 * Math.sin(2 * Math.PI * hz * i / rate)));
    }
    AudioFormat format = new AudioFormat(rate, 16, 1, true, false);
    Files.createDirectories(file.getParent());
    try (AudioInputStream in =
        new AudioInputStream(new ByteArrayInputStream(buf.array()), format, n)) {
      AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
    }
    return file;
  }

  /** A solid-colour JPEG. */
  static Path jpeg(Path file, int width, int height, Color color) throws IOException {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(color);
    g.fillRect(0, 0, width, height);
    g.dispose();
    Files.createDirectories(file.getParent());
    if (!ImageIO.write(img, "jpg", file.toFile())) {
      throw new IOException("no JPEG writer");
    }
    return file;
  }

  static Path text(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }
}
