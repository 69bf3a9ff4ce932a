package dev.igm.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads numpy {@code .npy} files, format versions 1.0, 2.0 and 3.0: the magic {@code \x93NUMPY},
 * the version, a little-endian header length (2 bytes in v1, 4 in v2/v3), a Python dict literal
 * with {@code descr}, {@code fortran_order} and {@code shape}, then the data. Only C order is
 * supported ({@code fortran_order: True} is an error); dtypes as in {@link NpyArray}.
 */
public final class NpyReader {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
  private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

  private NpyReader() {}

  public static NpyArray read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.getFileName().toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * @param where prefix of error messages, e.g. {@code X.npy} or {@code data.npz entry X.npy}
   */
  public static NpyArray read(InputStream in, String where) {
    try {
      DataInputStream din = new DataInputStream(in);
      byte[] magic = new byte[6];
      din.readFully(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new DatasetFormatException(where + ": not a .npy file (bad magic)");
      }
      int major = din.readUnsignedByte();
      din.readUnsignedByte();
      long headerLen;
      if (major == 1) {
        headerLen = din.readUnsignedByte() | (din.readUnsignedByte() << 8);
      } else if (major == 2 || major == 3) {
        headerLen = Integer.toUnsignedLong(Integer.reverseBytes(din.readInt()));
      } else {
        throw new DatasetFormatException(where + ": unsupported .npy format version " + major);
      }
      if (headerLen > 1 << 20) {
        throw new DatasetFormatException(where + ": implausible header length " + headerLen);
      }
      byte[] hb = new byte[(int) headerLen];
      din.readFully(hb);
      String header =
          new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
      String descr = group(DESCR, header, where, "descr");
      String fortran = group(FORTRAN, header, where, "fortran_order");
      String shapeText = group(SHAPE, header, where, "shape");
      if (fortran.equals("True")) {
        throw new DatasetFormatException(
            where
                + ": fortran_order True is not supported; save the array in C order "
                + "(numpy.ascontiguousarray)");
      }
      int itemSize = NpyArray.itemSize(descr);
      if (itemSize < 0) {
        throw new DatasetFormatException(
            where
                + ": unsupported dtype '"
                + descr
                + "' (supported: <f4, <f8, <i4, <i8, |u1, <U<n>; little-endian)");
      }
      int[] shape = parseShape(shapeText, where);
      long count = 1;
      for (int d : shape) {
        count *= d;
      }
      long bytes = count * itemSize;
      if (bytes > MAX_BYTES) {
        throw new DatasetFormatException(
            where + ": array of " + bytes + " bytes is too large (max 2 GiB)");
      }
      byte[] data = new byte[(int) bytes];
      int read = din.readNBytes(data, 0, data.length);
      if (read < data.length) {
        throw new DatasetFormatException(
            where
                + ": truncated data: expected "
                + bytes
                + " bytes for shape "
                + shapeText.trim()
                + " of "
                + descr
                + ", found "
                + read);
      }
      return new NpyArray(descr, shape, data);
    } catch (EOFException e) {
      throw new DatasetFormatException(where + ": truncated .npy header", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + where, e);
    }
  }

  private static String group(Pattern p, String header, String where, String key) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new DatasetFormatException(
          where + ": .npy header lacks a valid '" + key + "' entry: " + header.trim());
    }
    return m.group(1);
  }

  private static int[] parseShape(String text, String where) {
    String t = text.trim();
    if (t.isEmpty()) {
      return new int[0];
    }
    String[] parts = t.split(",");
    int n = parts.length;
    if (parts[n - 1].isBlank()) {
      n--;
    }
    int[] shape = new int[n];
    for (int i = 0; i < n; i++) {
      try {
        shape[i] = Integer.parseInt(parts[i].trim().replace("L", ""));
      } catch (NumberFormatException e) {
        throw new DatasetFormatException(where + ": bad shape (" + text + ")");
      }
      if (shape[i] < 0) {
        throw new DatasetFormatException(where + ": bad shape (" + text + ")");
      }
    }
    return shape;
  }
}
