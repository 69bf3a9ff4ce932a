package dev.igm.data.layout;

import dev.igm.data.DatasetFormatException;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * The first video stream of an AVI (RIFF) file, read without a video library: Motion-JPEG frames
 * are decoded with {@link ImageIO}, uncompressed 24-bit frames directly; any other codec is a
 * {@link DatasetFormatException} naming the file and the codec's fourcc (so a user knows to
 * transcode, e.g. {@code ffmpeg -i in.avi -c:v mjpeg -q:v 2 out.avi}).
 *
 * <p>Frames are counted in stream order over every {@code movi} list, OpenDML {@code RIFF AVIX}
 * extensions included; the {@code idx1} index is not needed for that. A zero-length frame chunk (an
 * AVI "dropped frame") repeats the previous frame, as players show it. Motion-JPEG frames without
 * Huffman tables (the AVI1 convention) need no help: Java's JPEG decoder then uses the standard
 * tables of JPEG Annex K.3, which is what such encoders assume.
 */
final class AviVideo {
  /** Motion-JPEG fourccs (compared upper-case) whose frames are plain JPEG images. */
  private static final Set<String> MJPEG = Set.of("MJPG", "JPEG", "AVRN", "DMB1");

  private final Path file;
  private final byte[] bytes;
  private final ByteBuffer le;

  /** Per frame: {offset, length} of its data in {@link #bytes}. */
  private final List<int[]> frames = new ArrayList<>();

  private int videoStream = -1;
  private int streams;
  private String codec;
  private int width;
  private int height;
  private int bitCount;

  private AviVideo(Path file, byte[] bytes) {
    this.file = file;
    this.bytes = bytes;
    this.le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Reads the container and checks the codec; frames are decoded on demand by {@link #frame}. */
  static AviVideo read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new DatasetFormatException(file + ": cannot read video (" + e.getMessage() + ")", e);
    }
    AviVideo v = new AviVideo(file, bytes);
    if (bytes.length < 12 || !v.fourcc(0).equals("RIFF") || !v.fourcc(8).equals("AVI ")) {
      throw new DatasetFormatException(file + ": not an AVI file (no RIFF 'AVI ' header)");
    }
    v.walk(0, bytes.length, "");
    if (v.videoStream < 0 || v.codec == null) {
      throw new DatasetFormatException(
          file + ": AVI has no video stream (no 'vids' stream header with a format)");
    }
    boolean raw = v.codec.equals("raw");
    if (!(raw && v.bitCount == 24) && !MJPEG.contains(v.codec.toUpperCase(Locale.ROOT))) {
      String what = raw ? "uncompressed " + v.bitCount + "-bit" : "'" + v.codec + "'";
      throw new DatasetFormatException(
          file
              + ": AVI video codec "
              + what
              + " is not supported (Motion-JPEG or "
              + "uncompressed 24-bit only; transcode with: ffmpeg -i in.avi -c:v mjpeg -q:v 2 out.avi)");
    }
    return v;
  }

  int frameCount() {
    return frames.size();
  }

  /**
   * A decoded frame: channel planes in OpenCV's order (blue, green, red), each {@code width ×
   * height} row-major.
   */
  record Frame(int width, int height, int[][] bgr) {}

  Frame frame(int index) {
    int[] at = frames.get(index);
    if (at[1] == 0) {
      throw new DatasetFormatException(
          file + " frame " + index + ": empty frame chunk and no earlier frame to repeat");
    }
    if (codec.equals("raw")) {
      return new Frame(width, Math.abs(height), rawBgr(at[0], at[1], index));
    }
    BufferedImage img;
    try {
      img = ImageIO.read(new ByteArrayInputStream(bytes, at[0], at[1]));
    } catch (IOException | RuntimeException e) {
      throw new DatasetFormatException(
          file + " frame " + index + ": cannot decode Motion-JPEG frame (" + e.getMessage() + ")",
          e);
    }
    if (img == null) {
      throw new DatasetFormatException(
          file + " frame " + index + ": Motion-JPEG frame is not a JPEG image");
    }
    return new Frame(img.getWidth(), img.getHeight(), bgr(img));
  }

  /**
   * Walks the chunks in {@code [pos, end)}; {@code list} is the type of the enclosing LIST (or RIFF
   * form).
   */
  private void walk(int pos, int end, String list) {
    while (end - pos >= 8) {
      String id = fourcc(pos);
      long size = Integer.toUnsignedLong(le.getInt(pos + 4));
      if (size > end - pos - 8) {
        throw new DatasetFormatException(
            file
                + ": truncated AVI: chunk '"
                + id
                + "' at byte "
                + pos
                + " declares "
                + size
                + " bytes, only "
                + (end - pos - 8)
                + " remain");
      }
      int body = pos + 8;
      if ((id.equals("RIFF") || id.equals("LIST")) && size >= 4) {
        String type = fourcc(body);
        if (type.equals("strl")) {
          streams++;
        }
        walk(body + 4, body + (int) size, type);
      } else {
        chunk(id, body, (int) size, list);
      }
      pos = body + (int) size + (int) (size & 1); // chunks are padded to even length
    }
  }

  private void chunk(String id, int body, int size, String list) {
    int stream = streams - 1;
    if (id.equals("strh") && size >= 4 && videoStream < 0 && fourcc(body).equals("vids")) {
      videoStream = stream;
    } else if (id.equals("strf") && stream == videoStream && codec == null && size >= 20) {
      // BITMAPINFOHEADER: biSize, biWidth, biHeight, biPlanes, biBitCount, biCompression
      width = le.getInt(body + 4);
      height = le.getInt(body + 8);
      bitCount = le.getShort(body + 14);
      codec = le.getInt(body + 16) == 0 ? "raw" : fourcc(body + 16);
    } else if ((list.equals("movi") || list.equals("rec "))
        && videoStream >= 0
        && isVideoFrame(id)) {
      if (size == 0 && !frames.isEmpty()) {
        frames.add(frames.get(frames.size() - 1));
      } else {
        frames.add(new int[] {body, size});
      }
    }
  }

  /** {@code NNdc} (compressed) or {@code NNdb} (uncompressed) of the video stream NN. */
  private boolean isVideoFrame(String id) {
    String prefix = String.format(Locale.ROOT, "%02d", videoStream);
    return id.startsWith(prefix) && (id.endsWith("dc") || id.endsWith("db"));
  }

  /** A bottom-up (positive height) or top-down DIB of 24-bit BGR pixels, rows padded to 4 bytes. */
  private int[][] rawBgr(int offset, int length, int index) {
    int w = width;
    int h = Math.abs(height);
    int stride = (w * 3 + 3) & ~3;
    if (w <= 0 || h == 0 || (long) stride * h > length) {
      throw new DatasetFormatException(
          file
              + " frame "
              + index
              + ": uncompressed frame of "
              + length
              + " bytes is too short for "
              + w
              + "×"
              + h
              + " 24-bit pixels");
    }
    int[][] out = new int[3][w * h];
    for (int y = 0; y < h; y++) {
      int row = offset + (height > 0 ? h - 1 - y : y) * stride;
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          out[c][y * w + x] = bytes[row + 3 * x + c] & 0xff;
        }
      }
    }
    return out;
  }

  /**
   * Blue, green, red planes of a decoded image. Grey images are read from the raster: {@code
   * getRGB} would apply a linear-to-sRGB curve to them, OpenCV repeats the grey value in all three
   * channels.
   */
  private static int[][] bgr(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    int[][] out = new int[3][w * h];
    Raster r = img.getRaster();
    if (r.getNumBands() == 1) {
      int[] grey = r.getSamples(0, 0, w, h, 0, (int[]) null);
      for (int c = 0; c < 3; c++) {
        out[c] = grey.clone();
      }
      return out;
    }
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    for (int i = 0; i < argb.length; i++) {
      out[0][i] = argb[i] & 0xff;
      out[1][i] = (argb[i] >> 8) & 0xff;
      out[2][i] = (argb[i] >> 16) & 0xff;
    }
    return out;
  }

  private String fourcc(int pos) {
    return new String(bytes, pos, 4, StandardCharsets.ISO_8859_1);
  }
}
