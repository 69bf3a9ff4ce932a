package dev.igm.cli;

import dev.igm.avro.Split;
import dev.igm.data.BundledDatasets;
import dev.igm.data.MultiViewDataset;
import dev.igm.data.MultiViewRow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The bundled segment data written as a user's files: an npz as numpy.savez writes it, or a CSV.
 */
final class SegmentFiles {
  private SegmentFiles() {}

  /**
   * An npz of the segment rows: arrays {@code X} (n, 19) float32, {@code y} (n,) int64 and {@code
   * split} (n,) strings TRAIN/TEST; or, {@code perView}, {@code shape_feats} (n, 9), {@code
   * colour_feats} (n, 10), {@code labels}, {@code split}.
   */
  static Path npz(Path file, boolean perView) throws IOException {
    MultiViewDataset seg = BundledDatasets.segment();
    int n = seg.size();
    ByteBuffer x = le(4 * 19 * n);
    ByteBuffer shape = le(4 * 9 * n);
    ByteBuffer colour = le(4 * 10 * n);
    ByteBuffer y = le(8 * n);
    ByteBuffer split = le(4 * 5 * n);
    for (MultiViewRow r : seg.rows()) {
      for (float v : r.view("shape")) {
        x.putFloat(v);
        shape.putFloat(v);
      }
      for (float v : r.view("colour")) {
        x.putFloat(v);
        colour.putFloat(v);
      }
      y.putLong(r.label());
      int at = split.position();
      split.put(
          (r.split() == Split.TEST ? "TEST" : "TRAIN")
              .getBytes(java.nio.charset.Charset.forName("UTF-32LE")));
      split.position(at + 20);
    }
    Map<String, byte[]> arrays = new LinkedHashMap<>();
    if (perView) {
      arrays.put("shape_feats", npy("<f4", "(" + n + ", 9)", shape.array()));
      arrays.put("colour_feats", npy("<f4", "(" + n + ", 10)", colour.array()));
      arrays.put("labels", npy("<i8", "(" + n + ",)", y.array()));
    } else {
      arrays.put("X", npy("<f4", "(" + n + ", 19)", x.array()));
      arrays.put("y", npy("<i8", "(" + n + ",)", y.array()));
    }
    arrays.put("split", npy("<U5", "(" + n + ",)", split.array()));
    try (OutputStream os = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(os)) {
      for (Map.Entry<String, byte[]> e : arrays.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return file;
  }

  /**
   * The segment TRAIN rows (or all rows) as a CSV with a header s1..s9,c1..c10,cls and no split
   * column.
   */
  static Path csv(Path file, boolean trainOnly) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= 9; i++) {
      b.append('s').append(i).append(',');
    }
    for (int i = 1; i <= 10; i++) {
      b.append('c').append(i).append(',');
    }
    b.append("cls\n");
    MultiViewDataset seg = BundledDatasets.segment();
    for (MultiViewRow r : seg.rows()) {
      if (trainOnly && r.split() != Split.TRAIN) {
        continue;
      }
      for (float v : r.view("shape")) {
        b.append(v).append(',');
      }
      for (float v : r.view("colour")) {
        b.append(v).append(',');
      }
      b.append(seg.classNames().get(r.label())).append('\n');
    }
    return Files.writeString(file, b);
  }

  private static ByteBuffer le(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static byte[] npy(String descr, String shape, byte[] data) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    out.write(header.length() & 0xff);
    out.write(header.length() >>> 8);
    out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(data);
    return out.toByteArray();
  }
}
