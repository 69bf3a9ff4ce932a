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
 * Reads numpy tables: an {@code .npz} archive (a zip of {@code .npy} entries, stored or deflated,
 * as {@code numpy.savez}/{@code savez_compressed} write) or a directory of {@code .npy} files,
 * arrays named by entry/file stem. The roles of the arrays:
 *
 * <ul>
 *   <li>labels: the array {@link TableOptions#labelColumn()} names (else {@link
 *       TableOptions#labelsArray()}, else {@code y}); n integers, integral floats or strings;
 *   <li>splits: the array {@link TableOptions#splitColumn()} names (else {@link
 *       TableOptions#splitsArray()}; none: every row gets the default split); n strings
 *       TRAIN/VALID/TEST in any case, or ints 0/1/2 for TRAIN/VALID/TEST; any other value is an
 *       error, so no row becomes TRAIN by accident;
 *   <li>features: per-view arrays {@link TableOptions#viewArrays()} (modality → array); or a view
 *       map whose items name arrays ({@code audio=audio_feats,video=video_feats}: each (n, ...)
 *       flattened per row) and/or 1-based column positions or ranges of the feature matrix {@link
 *       TableOptions#featuresArray()} (default {@code X}, shape (n, d)); without either, one view
 *       with all of the feature matrix.
 * </ul>
 *
 * The labels and splits arrays can never be features. Errors name the archive and the entry ({@code
 * data.npz entry y.npy: ...}) and list the arrays there are.
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
      throw new DatasetFormatException(
          fileName + ": not a valid .npz (zip) archive: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /**
   * All arrays of an {@code .npz} archive, by name (entry name without {@code .npy}), in entry
   * order.
   */
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
        return files
            .map(p -> p.getFileName().toString())
            .filter(n -> n.endsWith(".npy"))
            .map(n -> n.substring(0, n.length() - 4))
            .sorted()
            .toList();
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
      String hint =
          switch (role) {
            case "labels" -> "; name the labels array (igm: --label NAME)";
            case "splits" -> "; name the splits array (igm: --split-column NAME)";
            case "features" ->
                "; or name one array per view (igm: --views 'audio=audio_feats,video=video_feats')";
            default -> "";
          };
      throw new DatasetFormatException(
          source + ": no " + role + " array '" + name + "' (arrays: " + names + ")" + hint);
    }
    return src.load(name);
  }

  private static MultiViewDataset assemble(
      ArraySource src, String source, String stem, TableOptions options) {
    String datasetName = options.datasetName() != null ? options.datasetName() : stem;
    String labelsName = role(options.labelColumn(), options.labelsArray(), "y", "labels");
    String splitsName = role(options.splitColumn(), options.splitsArray(), null, "splits");
    if (labelsName.equals(splitsName)) {
      throw new DatasetFormatException(
          source + ": the split and label arrays are both '" + labelsName + "'");
    }
    NpyArray y = require(src, source, labelsName, "labels");
    String yWhere = src.where(labelsName);
    if (y.shape().length == 0 || y.rowWidth() != 1) {
      throw new DatasetFormatException(
          yWhere + ": labels must have shape (n,), found " + java.util.Arrays.toString(y.shape()));
    }
    int n = y.rows();
    List<String> labelStrings = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      labelStrings.add(labelString(y, i, yWhere));
    }

    Map<String, String> reserved = new LinkedHashMap<>();
    reserved.put(labelsName, "the labels array");
    if (splitsName != null) {
      reserved.put(splitsName, "the splits array");
    }
    Map<String, float[][]> views = new LinkedHashMap<>();
    if (options.viewArrays() != null && !options.viewArrays().isEmpty()) {
      for (Map.Entry<String, String> e : options.viewArrays().entrySet()) {
        views.put(
            e.getKey(),
            rowsOf(
                arrayForView(src, source, e.getValue(), e.getKey(), reserved),
                null,
                n,
                options,
                src.where(e.getValue())));
      }
    } else if (options.viewMap() == null) {
      NpyArray x = require(src, source, options.featuresArray(), "features");
      views.put(
          ViewMap.DEFAULT_MODALITY,
          rowsOf(x, null, n, options, src.where(options.featuresArray())));
    } else {
      views.putAll(viewsFromMap(src, source, options, n, reserved));
    }

    Split[] splits = new Split[n];
    java.util.Arrays.fill(splits, options.defaultSplit());
    if (splitsName != null) {
      NpyArray s = require(src, source, splitsName, "splits");
      String sWhere = src.where(splitsName);
      if (s.rows() != n || s.rowWidth() != 1) {
        throw new DatasetFormatException(
            sWhere
                + ": expected "
                + n
                + " splits, found shape "
                + java.util.Arrays.toString(s.shape()));
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
          throw new DatasetFormatException(
              yWhere
                  + ": row "
                  + i
                  + ": label '"
                  + labelStrings.get(i)
                  + "' is not one of the classes "
                  + classes);
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
    widths.forEach(
        (m, w) -> {
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

  /**
   * The array name of a role: the column option (what the command line's --label / --split-column
   * set), else the array option, else the default; both options naming different arrays is an
   * error.
   */
  private static String role(String column, String array, String fallback, String what) {
    if (column != null && array != null && !column.equals(array)) {
      throw new IllegalArgumentException(
          "the " + what + " array is named twice: '" + column + "' and '" + array + "'");
    }
    return column != null ? column : array != null ? array : fallback;
  }

  private static NpyArray arrayForView(
      ArraySource src, String source, String array, String modality, Map<String, String> reserved) {
    if (reserved.containsKey(array)) {
      throw new DatasetFormatException(
          source
              + ": view '"
              + modality
              + "' names array '"
              + array
              + "', which is "
              + reserved.get(array)
              + " and cannot be a feature");
    }
    return require(src, source, array, "view");
  }

  /**
   * A view map over the archive: each item names an array (its rows flattened) or is a 1-based
   * column position or range of the feature matrix; a view's features follow its items' order. An
   * array or column used twice is an error.
   */
  private static Map<String, float[][]> viewsFromMap(
      ArraySource src, String source, TableOptions options, int n, Map<String, String> reserved) {
    List<String> names = src.names();
    NpyArray x = null;
    String xWhere = src.where(options.featuresArray());
    Map<String, String> owner = new LinkedHashMap<>();
    Map<String, float[][]> views = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> view : options.viewMap().items().entrySet()) {
      String modality = view.getKey();
      List<float[][]> parts = new ArrayList<>();
      for (String item : view.getValue()) {
        if (names.contains(item) || reserved.containsKey(item)) {
          claim(owner, "array '" + item + "'", modality, source);
          parts.add(
              rowsOf(
                  arrayForView(src, source, item, modality, reserved),
                  null,
                  n,
                  options,
                  src.where(item)));
          continue;
        }
        java.util.regex.Matcher m = POSITIONS.matcher(item);
        if (!m.matches()) {
          throw new DatasetFormatException(
              source
                  + ": view '"
                  + modality
                  + "': no array '"
                  + item
                  + "' (arrays: "
                  + names
                  + "; an item is an array name or a 1-based column range of the matrix '"
                  + options.featuresArray()
                  + "')");
        }
        if (x == null) {
          if (!names.contains(options.featuresArray())) {
            throw new DatasetFormatException(
                source
                    + ": view '"
                    + modality
                    + "' selects columns "
                    + item
                    + " of the feature matrix '"
                    + options.featuresArray()
                    + "', which is not there (arrays: "
                    + names
                    + ")");
          }
          x = src.load(options.featuresArray());
          if (x.shape().length != 2) {
            throw new DatasetFormatException(
                xWhere
                    + ": column positions need a 2-D feature matrix, found shape "
                    + java.util.Arrays.toString(x.shape()));
          }
        }
        int from = Integer.parseInt(m.group(1));
        int to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
        if (to > x.shape()[1]) {
          throw new DatasetFormatException(
              xWhere
                  + ": view '"
                  + modality
                  + "': column "
                  + to
                  + " is out of range (the matrix has columns 1.."
                  + x.shape()[1]
                  + ")");
        }
        int[] cols = new int[to - from + 1];
        for (int c = from; c <= to; c++) {
          claim(owner, "column " + c + " of '" + options.featuresArray() + "'", modality, source);
          cols[c - from] = c - 1;
        }
        parts.add(rowsOf(x, cols, n, options, xWhere));
      }
      views.put(modality, concat(parts, n));
    }
    return views;
  }

  private static final java.util.regex.Pattern POSITIONS =
      java.util.regex.Pattern.compile("(\\d+)(?:-(\\d+))?");

  private static void claim(
      Map<String, String> owner, String what, String modality, String source) {
    String previous = owner.putIfAbsent(what, modality);
    if (previous != null) {
      throw new DatasetFormatException(
          source
              + ": "
              + what
              + " is in view '"
              + previous
              + "'"
              + (previous.equals(modality) ? " twice" : " and in view '" + modality + "'"));
    }
  }

  private static float[][] concat(List<float[][]> parts, int n) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    float[][] out = new float[n][];
    for (int r = 0; r < n; r++) {
      int width = 0;
      for (float[][] p : parts) {
        width += p[r].length;
      }
      float[] row = new float[width];
      int at = 0;
      for (float[][] p : parts) {
        System.arraycopy(p[r], 0, row, at, p[r].length);
        at += p[r].length;
      }
      out[r] = row;
    }
    return out;
  }

  /**
   * The rows of a feature array; NaN is a missing value (kept, or counted and refused), infinities
   * are errors.
   */
  private static float[][] rowsOf(
      NpyArray a, int[] columns, int n, TableOptions options, String where) {
    if (!a.isFloat() && !a.isInteger()) {
      throw new DatasetFormatException(
          where + ": features must be numeric, found dtype " + a.dtype());
    }
    if (a.shape().length == 0 || a.rows() != n) {
      throw new DatasetFormatException(
          where
              + ": expected "
              + n
              + " rows (one per label), found shape "
              + java.util.Arrays.toString(a.shape()));
    }
    float[][] out = new float[n][];
    int missingRows = 0;
    String firstMissing = null;
    for (int r = 0; r < n; r++) {
      float[] row = a.rowAsFloats(r);
      if (columns != null) {
        float[] sel = new float[columns.length];
        for (int i = 0; i < columns.length; i++) {
          sel[i] = row[columns[i]];
        }
        row = sel;
      }
      boolean missing = false;
      for (int i = 0; i < row.length; i++) {
        if (Float.isNaN(row[i])) {
          missing = true;
          if (firstMissing == null) {
            firstMissing = "row " + r + " column " + (i + 1);
          }
        } else if (!Float.isFinite(row[i])) {
          throw new DatasetFormatException(
              where + ": row " + r + " has a non-finite value at column " + (i + 1));
        }
      }
      missingRows += missing ? 1 : 0;
      out[r] = row;
    }
    if (missingRows > 0 && !options.keepMissing()) {
      throw new MissingValuesException(
          where
              + ": "
              + missingRows
              + " of "
              + n
              + " rows have missing feature values"
              + " (NaN), the first at "
              + firstMissing);
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
      throw new DatasetFormatException(
          where + ": row " + i + ": label " + d + " is not an integer");
    }
    return Long.toString((long) d);
  }

  private static Split splitOf(NpyArray s, int i, String where) {
    if (s.isString()) {
      String v = s.getString(i).trim();
      try {
        return Split.valueOf(v.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new DatasetFormatException(
            where + ": row " + i + ": split '" + v + "' is not TRAIN, VALID or TEST");
      }
    }
    if (s.isInteger()) {
      long v = s.getLong(i);
      if (v >= 0 && v < Split.values().length) {
        return Split.values()[(int) v];
      }
      throw new DatasetFormatException(
          where + ": row " + i + ": split " + v + " is not 0 (TRAIN), 1 (VALID) or 2 (TEST)");
    }
    throw new DatasetFormatException(
        where + ": splits must be integers or strings, found dtype " + s.dtype());
  }
}
