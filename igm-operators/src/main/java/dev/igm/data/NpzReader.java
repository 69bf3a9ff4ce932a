package dev.igm.data;

import dev.igm.avro.Split;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads numpy tables: an {@code .npz} archive (a zip of {@code .npy} entries, stored or deflated, as
 * {@code numpy.savez}/{@code savez_compressed} write) or a directory of {@code .npy} files, arrays named by entry/file
 * stem. Layouts:
 * <ul>
 *   <li>one feature matrix {@link TableOptions#featuresArray()} (default {@code X}, shape (n, d)) split into views by
 *       the view map (1-based positions over its d columns); without a view map, one view with all of a (n, ...) array;
 *   <li>or per-view arrays {@link TableOptions#viewArrays()} (modality → array, each (n, ...) flattened per row).
 * </ul>
 * Labels: {@link TableOptions#labelsArray()} (default {@code y}; n integers, integral floats or strings).
 * Splits: optional {@link TableOptions#splitsArray()} (n ints 0/1/2 = TRAIN/VALID/TEST, or strings). Errors name the
 * archive and the entry ({@code data.npz entry y.npy: ...}).
 */
public final class NpzReader {
  private NpzReader() {}

  /** Reads an {@code .npz} file or a directory of {@code .npy} files. */
  public static MultiViewDataset read(Path path, TableOptions options) {
    String fileName = path.getFileName().toString();
    if (Files.isDirectory(path)) {
      return assemble(new DirectorySource(path), fileName, fileName, options);
    }
    try (ZipFile zip = new ZipFile(path.toFile())) {
      return assemble(new ZipSource(zip, fileName), fileName, TextFields.stem(fileName), options);
    } catch (java.util.zip.ZipException e) {
      throw new DatasetFormatException(fileName + ": not a valid .npz (zip) archive: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** All arrays of an {@code .npz} archive, by name (entry name without {@code .npy}), in entry order. */
  public static Map<String, NpyArray> readArrays(Path npz) {
    String fileName = npz.getFileName().toString();
    try (ZipFile zip = new ZipFile(npz.toFile())) {
      ZipSource src = new ZipSource(zip, fileName);
      Map<String, NpyArray> out = new LinkedHashMap<>();
      for (String name : src.names()) {
        out.put(name, src.load(name));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + npz, e);
    }
  }

  private interface ArraySource {
    List<String> names();

    NpyArray load(String name);

    /** Message prefix for an array: "data.npz entry X.npy" or "dir/X.npy". */
    String where(String name);
  }

  private record ZipSource(ZipFile zip, String fileName) implements ArraySource {
    @Override
    public List<String> names() {
      List<String> names = new ArrayList<>();
      for (ZipEntry e : Collections.list(zip.entries())) {
        if (!e.isDirectory() && e.getName().endsWith(".npy")) {
          names.add(e.getName().substring(0, e.getName().length() - 4));
        }
      }
      return names;
    }

    @Override
    public NpyArray load(String name) {
      ZipEntry e = zip.getEntry(name + ".npy");
      try (InputStream in = zip.getInputStream(e)) {
        return NpyReader.read(in, where(name));
      } catch (IOException ex) {
        throw new DatasetFormatException(where(name) + ": cannot be read: " + ex.getMessage(), ex);
      }
    }

    @Override
    public String where(String name) {
      return fileName + " entry " + name + ".npy";
    }
  }

  private record DirectorySource(Path dir) implements ArraySource {
    @Override
    public List<String> names() {
      try (Stream<Path> files = Files.list(dir)) {
        return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".npy"))
            .map(n -> n.substring(0, n.length() - 4)).sorted().toList();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + dir, e);
      }
    }

    @Override
    public NpyArray load(String name) {
      return NpyReader.read(dir.resolve(name + ".npy"));
    }

    @Override
    public String where(String name) {
      return dir.getFileName() + "/" + name + ".npy";
    }
  }

  private static NpyArray require(ArraySource src, String source, String name, String role) {
    List<String> names = src.names();
    if (!names.contains(name)) {
      throw new DatasetFormatException(source + ": no " + role + " array '" + name + "' (arrays: " + names + ")");
    }
    return src.load(name);
  }

  private static MultiViewDataset assemble(ArraySource src, String source, String stem, TableOptions options) {
    String datasetName = options.datasetName() != null ? options.datasetName() : stem;
    NpyArray y = require(src, source, options.labelsArray(), "labels");
    String yWhere = src.where(options.labelsArray());
    if (y.shape().length == 0 || y.rowWidth() != 1) {
      throw new DatasetFormatException(yWhere + ": labels must have shape (n,), found " + java.util.Arrays.toString(y.shape()));
    }
    int n = y.rows();
    List<String> labelStrings = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      labelStrings.add(labelString(y, i, yWhere));
    }

    // views: modality -> (where, array, columns or null for the whole row)
    Map<String, float[][]> views = new LinkedHashMap<>();
    if (options.viewArrays() != null && !options.viewArrays().isEmpty()) {
      for (Map.Entry<String, String> e : options.viewArrays().entrySet()) {
        NpyArray a = require(src, source, e.getValue(), "view");
        views.put(e.getKey(), rowsOf(a, null, n, src.where(e.getValue())));
      }
    } else {
      NpyArray x = require(src, source, options.featuresArray(), "features");
      String xWhere = src.where(options.featuresArray());
      if (options.viewMap() == null) {
        views.put(ViewMap.DEFAULT_MODALITY, rowsOf(x, null, n, xWhere));
      } else {
        if (x.shape().length != 2) {
          throw new DatasetFormatException(xWhere + ": a view map needs a 2-D feature matrix, found shape "
              + java.util.Arrays.toString(x.shape()));
        }
        List<String> noNames = Collections.nCopies(x.shape()[1], null);
        LinkedHashMap<String, int[]> layout = options.viewMap().resolve(noNames, Map.of(), xWhere);
        for (Map.Entry<String, int[]> e : layout.entrySet()) {
          views.put(e.getKey(), rowsOf(x, e.getValue(), n, xWhere));
        }
      }
    }

    Split[] splits = new Split[n];
    java.util.Arrays.fill(splits, options.defaultSplit());
    if (options.splitsArray() != null) {
      NpyArray s = require(src, source, options.splitsArray(), "splits");
      String sWhere = src.where(options.splitsArray());
      if (s.rows() != n || s.rowWidth() != 1) {
        throw new DatasetFormatException(sWhere + ": expected " + n + " splits, found shape " + java.util.Arrays.toString(s.shape()));
      }
      for (int i = 0; i < n; i++) {
        splits[i] = splitOf(s, i, sWhere);
      }
    }

    List<String> classes;
    int[] labels = new int[n];
    if (options.classNames() != null) {
      classes = options.classNames();
      for (int i = 0; i < n; i++) {
        labels[i] = classes.indexOf(labelStrings.get(i));
        if (labels[i] < 0) {
          throw new DatasetFormatException(yWhere + ": row " + i + ": label '" + labelStrings.get(i)
              + "' is not one of the classes " + classes);
        }
      }
    } else {
      TableAssembler.LabelEncoding enc = TableAssembler.LabelEncoding.derive(labelStrings);
      classes = enc.classNames();
      labels = enc.labels();
    }
    if (classes.isEmpty()) {
      throw new DatasetFormatException(yWhere + ": no labels");
    }
    Map<String, Integer> widths = new LinkedHashMap<>();
    views.forEach((m, rows) -> widths.put(m, rows.length == 0 ? 0 : rows[0].length));
    widths.forEach((m, w) -> {
      if (w == 0) {
        throw new DatasetFormatException(source + ": view '" + m + "' has no features");
      }
    });
    List<MultiViewRow> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Map<String, float[]> v = new LinkedHashMap<>();
      for (Map.Entry<String, float[][]> e : views.entrySet()) {
        v.put(e.getKey(), e.getValue()[i]);
      }
      rows.add(new MultiViewRow(datasetName + "/" + stem + "/" + i, labels[i], splits[i], v));
    }
    return new MultiViewDataset(datasetName, classes, widths, rows);
  }

  private static float[][] rowsOf(NpyArray a, int[] columns, int n, String where) {
    if (!a.isFloat() && !a.isInteger()) {
      throw new DatasetFormatException(where + ": features must be numeric, found dtype " + a.dtype());
    }
    if (a.shape().length == 0 || a.rows() != n) {
      throw new DatasetFormatException(where + ": expected " + n + " rows (one per label), found shape "
          + java.util.Arrays.toString(a.shape()));
    }
    float[][] out = new float[n][];
    for (int r = 0; r < n; r++) {
      float[] row = a.rowAsFloats(r);
      if (columns != null) {
        float[] sel = new float[columns.length];
        for (int i = 0; i < columns.length; i++) {
          sel[i] = row[columns[i]];
        }
        row = sel;
      }
      for (int i = 0; i < row.length; i++) {
        if (!Float.isFinite(row[i])) {
          throw new DatasetFormatException(where + ": row " + r + " has a non-finite value at column " + (i + 1));
        }
      }
      out[r] = row;
    }
    return out;
  }

  private static String labelString(NpyArray y, int i, String where) {
    if (y.isString()) {
      return y.getString(i);
    }
    if (y.isInteger()) {
      return Long.toString(y.getLong(i));
    }
    double d = y.getDouble(i);
    if (d != Math.rint(d) || Double.isInfinite(d)) {
      throw new DatasetFormatException(where + ": row " + i + ": label " + d + " is not an integer");
    }
    return Long.toString((long) d);
  }

  private static Split splitOf(NpyArray s, int i, String where) {
    if (s.isString()) {
      String v = s.getString(i).trim();
      try {
        return Split.valueOf(v.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new DatasetFormatException(where + ": row " + i + ": split '" + v + "' is not TRAIN, VALID or TEST");
      }
    }
    if (s.isInteger()) {
      long v = s.getLong(i);
      if (v >= 0 && v < Split.values().length) {
        return Split.values()[(int) v];
      }
      throw new DatasetFormatException(where + ": row " + i + ": split " + v + " is not 0 (TRAIN), 1 (VALID) or 2 (TEST)");
    }
    throw new DatasetFormatException(where + ": splits must be integers or strings, found dtype " + s.dtype());
  }
}
