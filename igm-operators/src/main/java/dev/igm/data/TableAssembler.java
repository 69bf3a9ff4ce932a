package dev.igm.data;

import dev.igm.avro.Split;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns the text rows of a table (ARFF or CSV) into a {@link MultiViewDataset}: checks the value
 * count, parses the feature columns, maps labels to class indices and splits to {@link Split}.
 * Every error names the file and line. Missing feature values become NaN when {@link
 * TableOptions#keepMissing()}, else the table is refused once all its rows are read (with how many
 * have them). Read as one view of a {@link TableJoin} ({@link TableOptions#joinColumn()}), it keeps
 * each row's id and, where the file has them, its label and split, for {@link #part()}.
 */
final class TableAssembler {
  private final String source;
  private final String datasetName;
  private final String fileStem;
  private final List<String> columns;
  private final int labelColumn;
  private final int splitColumn;
  private final int idColumn;
  private final Split defaultSplit;
  private final boolean keepMissing;
  private final List<String> declaredClasses;
  private final Map<String, Integer> classIndex = new HashMap<>();
  private final LinkedHashMap<String, int[]> layout;

  private final List<Map<String, float[]>> views = new ArrayList<>();
  private final List<String> labelStrings = new ArrayList<>();
  private final List<Split> splits = new ArrayList<>();
  private final List<String> ids = new ArrayList<>();
  private final List<Integer> lines = new ArrayList<>();

  private int missingRows;
  private long missingCells;
  private String firstMissing;

  /**
   * @param roles the label, split and id columns (-1: none; the label only in a join)
   * @param nonFeature 0-based column → reason it cannot be a feature (label, split, id, nominal
   *     attribute)
   * @param declaredClasses class order, or null to derive it from the labels at the end
   */
  TableAssembler(
      String source,
      String fileStem,
      List<String> columns,
      Roles roles,
      Map<Integer, String> nonFeature,
      List<String> declaredClasses,
      TableOptions options) {
    this.source = source;
    this.fileStem = fileStem;
    this.datasetName = options.datasetName() != null ? options.datasetName() : fileStem;
    this.columns = List.copyOf(new ArrayList<>(columns));
    this.labelColumn = roles.label();
    this.splitColumn = roles.split();
    this.idColumn = roles.id();
    this.defaultSplit = options.defaultSplit();
    this.keepMissing = options.keepMissing();
    this.declaredClasses = declaredClasses;
    if (declaredClasses != null) {
      for (int i = 0; i < declaredClasses.size(); i++) {
        classIndex.put(declaredClasses.get(i), i);
      }
    }
    this.layout =
        options.viewMap() == null
            ? ViewMap.allColumns(columns.size(), nonFeature)
            : options.viewMap().resolve(columns, nonFeature, source);
    for (Map.Entry<String, int[]> e : layout.entrySet()) {
      if (e.getValue().length == 0
          && idColumn < 0) { // a joined file may hold only ids, labels and splits
        throw new DatasetFormatException(
            source + ": view '" + e.getKey() + "' has no feature columns");
      }
    }
  }

  /** The label column, the split column and the row id column of a table (-1: none). */
  record Roles(int label, int split, int id) {}

  /**
   * Finds the label column ({@link TableOptions#labelColumn()}, default: the last column) and the
   * split column ({@link TableOptions#splitColumn()}, default: none) among {@code columns}; they
   * may not be the same column. In a join ({@link TableOptions#joinColumn()}) the id column must be
   * there, and the label and split columns are taken where the file has them.
   */
  static Roles roles(String source, List<String> columns, TableOptions options) {
    if (options.joinColumn() != null) {
      int id = columnIndex(source, columns, options.joinColumn(), "join");
      int label = options.labelColumn() == null ? -1 : columns.indexOf(options.labelColumn());
      int split = options.splitColumn() == null ? -1 : columns.indexOf(options.splitColumn());
      if (label == id || split == id) {
        throw new DatasetFormatException(
            source
                + ": the join column '"
                + columns.get(id)
                + "' cannot also be the "
                + (label == id ? "label" : "split")
                + " column");
      }
      return new Roles(label, split, id);
    }
    int label =
        options.labelColumn() == null
            ? columns.size() - 1
            : columnIndex(source, columns, options.labelColumn(), "label");
    int split =
        options.splitColumn() == null
            ? -1
            : columnIndex(source, columns, options.splitColumn(), "split");
    if (split == label) {
      throw new DatasetFormatException(
          source + ": the split and label columns are both '" + columns.get(label) + "'");
    }
    return new Roles(label, split, -1);
  }

  /** Index of {@code name} in {@code columns}, or an error listing the columns. */
  static int columnIndex(String source, List<String> columns, String name, String role) {
    int idx = columns.indexOf(name);
    if (idx < 0) {
      throw new DatasetFormatException(
          source + ": " + role + " column '" + name + "' not found (columns: " + columns + ")");
    }
    return idx;
  }

  void addRow(int line, List<String> cells) {
    if (cells.size() != columns.size()) {
      throw DatasetFormatException.atLine(
          source, line, "expected " + columns.size() + " values, found " + cells.size());
    }
    Map<String, float[]> rowViews = new LinkedHashMap<>();
    boolean missing = false;
    for (Map.Entry<String, int[]> e : layout.entrySet()) {
      int[] cols = e.getValue();
      float[] v = new float[cols.length];
      for (int i = 0; i < cols.length; i++) {
        v[i] = parseFeature(line, cols[i], cells.get(cols[i]));
        missing |= Float.isNaN(v[i]);
      }
      rowViews.put(e.getKey(), v);
    }
    missingRows += missing ? 1 : 0;
    if (labelColumn >= 0) {
      String label = cells.get(labelColumn);
      if (MissingValues.isMissing(label)) {
        throw DatasetFormatException.atLine(
            source,
            line,
            "missing label in "
                + ViewMap.describe(columns, labelColumn)
                + " (a row without a label cannot be used: remove it)");
      }
      if (declaredClasses != null && !classIndex.containsKey(label)) {
        throw DatasetFormatException.atLine(
            source, line, "label '" + label + "' is not one of the classes " + declaredClasses);
      }
      labelStrings.add(label);
    }
    if (idColumn >= 0) {
      String id = cells.get(idColumn);
      if (MissingValues.isMissing(id)) {
        throw DatasetFormatException.atLine(
            source, line, "missing row id in " + ViewMap.describe(columns, idColumn));
      }
      ids.add(id);
      lines.add(line);
    }
    views.add(rowViews);
    splits.add(splitColumn < 0 ? defaultSplit : parseSplit(line, cells.get(splitColumn)));
  }

  private float parseFeature(int line, int column, String cell) {
    if (MissingValues.isMissing(cell)) {
      missingCells++;
      if (firstMissing == null) {
        firstMissing =
            (cell.isEmpty() ? "an empty cell" : "'" + cell + "'")
                + " at line "
                + line
                + " in "
                + ViewMap.describe(columns, column);
      }
      return Float.NaN;
    }
    float f;
    try {
      f = Float.parseFloat(cell);
    } catch (NumberFormatException e) {
      throw DatasetFormatException.atLine(
          source,
          line,
          "not a number in " + ViewMap.describe(columns, column) + ": '" + cell + "'");
    }
    if (!Float.isFinite(f)) {
      throw DatasetFormatException.atLine(
          source,
          line,
          "non-finite value in " + ViewMap.describe(columns, column) + ": '" + cell + "'");
    }
    return f;
  }

  private Split parseSplit(int line, String cell) {
    try {
      return Split.valueOf(cell.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw DatasetFormatException.atLine(
          source,
          line,
          "split '"
              + cell
              + "' in "
              + ViewMap.describe(columns, splitColumn)
              + " is not TRAIN, VALID or TEST");
    }
  }

  /** Refuses the table if it has missing values and they are not kept. */
  private void checkMissing() {
    if (missingRows > 0 && !keepMissing) {
      throw new MissingValuesException(
          source
              + ": "
              + missingRows
              + " of "
              + views.size()
              + " rows have missing"
              + " feature values ("
              + missingCells
              + " cells; empty, ?, NA, N/A, NaN or null), the first "
              + firstMissing);
    }
  }

  /**
   * One file of a join: its rows' ids, features, and labels and splits where it has those columns.
   */
  record Part(
      String source,
      String fileStem,
      List<String> ids,
      List<Integer> lines,
      List<float[]> features,
      List<String> labels,
      List<Split> splits,
      List<String> declaredClasses,
      String labelColumnName,
      String splitColumnName,
      int width) {}

  /**
   * The rows read, as one view of a join (requires {@link TableOptions#joinColumn()} and no view
   * map).
   */
  Part part() {
    if (idColumn < 0 || layout.size() != 1) {
      throw new IllegalStateException(
          "part() of a table read without a join column or with several views");
    }
    checkMissing();
    String view = layout.keySet().iterator().next();
    List<float[]> features = new ArrayList<>(views.size());
    views.forEach(v -> features.add(v.get(view)));
    return new Part(
        source,
        fileStem,
        List.copyOf(ids),
        List.copyOf(lines),
        features,
        labelColumn < 0 ? null : List.copyOf(labelStrings),
        splitColumn < 0 ? null : List.copyOf(splits),
        declaredClasses,
        labelColumn < 0 ? null : columns.get(labelColumn),
        splitColumn < 0 ? null : columns.get(splitColumn),
        layout.get(view).length);
  }

  MultiViewDataset finish() {
    if (labelColumn < 0) {
      throw new IllegalStateException("finish() of a table read without a label column");
    }
    checkMissing();
    List<String> classes;
    int[] labels = new int[labelStrings.size()];
    if (declaredClasses != null) {
      classes = declaredClasses;
      for (int i = 0; i < labels.length; i++) {
        labels[i] = classIndex.get(labelStrings.get(i));
      }
    } else {
      LabelEncoding enc = LabelEncoding.derive(labelStrings);
      classes = enc.classNames();
      labels = enc.labels();
    }
    if (classes.isEmpty()) {
      throw new DatasetFormatException(source + ": no rows, so no classes");
    }
    Map<String, Integer> widths = new LinkedHashMap<>();
    layout.forEach((m, cols) -> widths.put(m, cols.length));
    List<MultiViewRow> rows = new ArrayList<>(labels.length);
    for (int i = 0; i < labels.length; i++) {
      rows.add(
          new MultiViewRow(
              datasetName + "/" + fileStem + "/" + i, labels[i], splits.get(i), views.get(i)));
    }
    return new MultiViewDataset(datasetName, classes, widths, rows);
  }

  /** Class names and indices derived from label strings (no declared class order). */
  record LabelEncoding(List<String> classNames, int[] labels) {
    /**
     * All ints ≥ 0 → the value is the index (classes "0".."max"); otherwise sorted distinct
     * strings.
     */
    static LabelEncoding derive(List<String> values) {
      int[] labels = new int[values.size()];
      boolean allInts = true;
      int max = -1;
      for (int i = 0; i < values.size() && allInts; i++) {
        try {
          labels[i] = Integer.parseInt(values.get(i).trim());
          allInts = labels[i] >= 0;
          max = Math.max(max, labels[i]);
        } catch (NumberFormatException e) {
          allInts = false;
        }
      }
      if (allInts) {
        List<String> names = new ArrayList<>();
        for (int c = 0; c <= max; c++) {
          names.add(Integer.toString(c));
        }
        return new LabelEncoding(names, labels);
      }
      List<String> names = new ArrayList<>(new TreeSet<>(values));
      Map<String, Integer> idx = new HashMap<>();
      for (int i = 0; i < names.size(); i++) {
        idx.put(names.get(i), i);
      }
      for (int i = 0; i < labels.length; i++) {
        labels[i] = idx.get(values.get(i));
      }
      return new LabelEncoding(names, labels);
    }
  }
}
