package dev.igm.data.layout;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Minimal AVI files laid out as OpenCV's writer lays them out: {@code RIFF AVI} holding {@code LIST
 * hdrl} (an {@code avih} main header and one {@code LIST strl} with a {@code vids} stream header
 * and a BITMAPINFOHEADER), {@code LIST movi} with one {@code 00dc} chunk a frame, then an {@code
 * idx1} index.
 */
final class AviFixtures {
  private AviFixtures() {}

  /** A Motion-JPEG AVI of the given frames. */
  static Path mjpeg(Path file, List<BufferedImage> frames) throws IOException {
    BufferedImage first = frames.get(0);
    return write(
        file,
        avi(
            "MJPG",
            first.getWidth(),
            first.getHeight(),
            24,
            frames.stream().map(AviFixtures::jpeg).toList()));
  }

  static Path write(Path file, byte[] avi) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.write(file, avi);
  }

  /**
   * @param codec the BITMAPINFOHEADER compression fourcc, or null for uncompressed (BI_RGB)
   */
  static byte[] avi(String codec, int width, int height, int bitCount, List<byte[]> frames) {
    ByteBuffer avih =
        le(56)
            .putInt(33_333)
            .putInt(0)
            .putInt(0)
            .putInt(0x10)
            .putInt(frames.size())
            .putInt(0)
            .putInt(1)
            .putInt(0)
            .putInt(width)
            .putInt(height);
    ByteBuffer strh =
        le(56)
            .put(ascii("vids"))
            .put(codec == null ? new byte[4] : ascii(codec))
            .putInt(0)
            .putInt(0)
            .putInt(0)
            .putInt(1)
            .putInt(30)
            .putInt(0)
            .putInt(frames.size());
    ByteBuffer strf =
        le(40)
            .putInt(40)
            .putInt(width)
            .putInt(height)
            .putShort((short) 1)
            .putShort((short) bitCount)
            .put(codec == null ? new byte[4] : ascii(codec));
    ByteArrayOutputStream movi = new ByteArrayOutputStream();
    ByteBuffer idx1 = le(16 * frames.size());
    int offset = 4;
    for (byte[] f : frames) {
      idx1.put(ascii("00dc")).putInt(0x10).putInt(offset).putInt(f.length);
      byte[] c = chunk("00dc", f);
      movi.writeBytes(c);
      offset += c.length;
    }
    byte[] hdrl =
        list(
            "hdrl",
            chunk("avih", avih.array()),
            list("strl", chunk("strh", strh.array()), chunk("strf", strf.array())));
    return riff(
        "RIFF", "AVI ", hdrl, list("movi", movi.toByteArray()), chunk("idx1", idx1.array()));
  }

  static byte[] jpeg(BufferedImage img) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(img, "jpg", out)) {
        throw new IllegalStateException("no JPEG writer");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  /** The JPEG without its DHT segments, as AVI1 Motion-JPEG encoders write frames. */
  static byte[] withoutHuffmanTables(byte[] jpeg) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, 2);
    int p = 2;
    while ((jpeg[p + 1] & 0xff) != 0xda) {
      int len = ((jpeg[p + 2] & 0xff) << 8) | (jpeg[p + 3] & 0xff);
      if ((jpeg[p + 1] & 0xff) != 0xc4) {
        out.write(jpeg, p, 2 + len);
      }
      p += 2 + len;
    }
    out.write(jpeg, p, jpeg.length - p);
    return out.toByteArray();
  }

  static BufferedImage solid(int width, int height, Color color) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.setRGB(x, y, color.getRGB());
      }
    }
    return img;
  }

  /** A grey image; written as a one-component JPEG. */
  static BufferedImage grey(int width, int height, int level) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    int[] levels = new int[width * height];
    java.util.Arrays.fill(levels, level);
    img.getRaster().setSamples(0, 0, width, height, 0, levels);
    return img;
  }

  static byte[] chunk(String id, byte[] data) {
    ByteBuffer b =
        le(8 + data.length + (data.length & 1)).put(ascii(id)).putInt(data.length).put(data);
    return b.array();
  }

  private static byte[] list(String type, byte[]... children) {
    return riff("LIST", type, children);
  }

  private static byte[] riff(String id, String type, byte[]... children) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(ascii(type));
    for (byte[] c : children) {
      body.writeBytes(c);
    }
    return chunk(id, body.toByteArray());
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
