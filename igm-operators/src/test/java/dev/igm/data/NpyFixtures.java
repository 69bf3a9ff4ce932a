package dev.igm.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hand-written .npy / .npz files, laid out exactly as numpy writes them. */
public final class NpyFixtures {
  private NpyFixtures() {}

  public static byte[] npy(String descr, int[] shape, byte[] data) {
    return npy(descr, shape, data, 1, false);
  }

  static byte[] npy(String descr, int[] shape, byte[] data, int version, boolean fortran) {
    StringBuilder s = new StringBuilder("(");
    for (int d : shape) {
      s.append(d).append(", ");
    }
    String shapeText =
        shape.length == 1
            ? s.substring(0, s.length() - 1) + ")"
            : shape.length == 0 ? "()" : s.substring(0, s.length() - 2) + ")";
    String dict =
        "{'descr': '"
            + descr
            + "', 'fortran_order': "
            + (fortran ? "True" : "False")
            + ", 'shape': "
            + shapeText
            + ", }";
    int prefix = version == 1 ? 10 : 12;
    int total = prefix + dict.length() + 1;
    int pad = (64 - total % 64) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
    int len = header.length();
    if (version == 1) {
      out.write(len & 0xff);
      out.write(len >>> 8);
    } else {
      out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(len).array());
    }
    out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(data);
    return out.toByteArray();
  }

  static ByteBuffer le(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  public static byte[] f4(float... v) {
    ByteBuffer b = le(4 * v.length);
    for (float x : v) b.putFloat(x);
    return b.array();
  }

  static byte[] f8(double... v) {
    ByteBuffer b = le(8 * v.length);
    for (double x : v) b.putDouble(x);
    return b.array();
  }

  static byte[] i4(int... v) {
    ByteBuffer b = le(4 * v.length);
    for (int x : v) b.putInt(x);
    return b.array();
  }

  static byte[] i8(long... v) {
    ByteBuffer b = le(8 * v.length);
    for (long x : v) b.putLong(x);
    return b.array();
  }

  static byte[] u1(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
    return b;
  }

  /** Fixed-width little-endian UTF-32 strings, dtype {@code <U<width>}. */
  static byte[] unicode(int width, String... v) {
    ByteBuffer b = le(4 * width * v.length);
    for (String s : v) {
      int start = b.position();
      b.put(s.getBytes(java.nio.charset.Charset.forName("UTF-32LE")));
      b.position(start + 4 * width);
    }
    return b.array();
  }

  static Path npz(Path file, Map<String, byte[]> entries, boolean deflate) throws IOException {
    try (OutputStream os = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(os)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        ZipEntry ze = new ZipEntry(e.getKey() + ".npy");
        if (!deflate) {
          ze.setMethod(ZipEntry.STORED);
          ze.setSize(e.getValue().length);
          java.util.zip.CRC32 crc = new java.util.zip.CRC32();
          crc.update(e.getValue());
          ze.setCrc(crc.getValue());
        }
        zip.putNextEntry(ze);
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return file;
  }
}
