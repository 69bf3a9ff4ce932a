package dev.igm.data;

import dev.igm.avro.Split;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable labelled multi-view table: rows with a stable sample id, a class index, a split and
 * one float feature vector per modality. Modalities keep their configured order; every row has
 * every modality at the declared width.
 */
public final class MultiViewDataset {
  private final String name;
  private final List<String> classNames;
  private final LinkedHashMap<String, Integer> viewWidths;
  private final List<MultiViewRow> rows;

  /**
   * @param name dataset name (first part of the sample ids)
   * @param classNames ordered class names; a row's label indexes this list
   * @param viewWidths modality → feature width, in modality order
   * @param rows the rows; validated against the modalities, widths and class count; sample ids must
   *     be unique
   */
  public MultiViewDataset(
      String name,
      List<String> classNames,
      Map<String, Integer> viewWidths,
      List<MultiViewRow> rows) {
    this.name = Objects.requireNonNull(name, "name");
    this.classNames = List.copyOf(classNames);
    this.viewWidths = new LinkedHashMap<>(viewWidths);
    this.rows = List.copyOf(rows);
    if (this.classNames.isEmpty()) {
      throw new IllegalArgumentException("dataset " + name + ": no classes");
    }
    if (this.viewWidths.isEmpty()) {
      throw new IllegalArgumentException("dataset " + name + ": no modalities");
    }
    Set<String> ids = new HashSet<>();
    for (MultiViewRow row : this.rows) {
      if (!ids.add(row.sampleId())) {
        throw new IllegalArgumentException(
            "dataset " + name + ": duplicate sample id " + row.sampleId());
      }
      if (row.label() < 0 || row.label() >= this.classNames.size()) {
        throw new IllegalArgumentException(
            "dataset "
                + name
                + ": sample "
                + row.sampleId()
                + " has label "
                + row.label()
                + ", outside 0.."
                + (this.classNames.size() - 1));
      }
      if (!new ArrayList<>(row.views().keySet())
          .equals(new ArrayList<>(this.viewWidths.keySet()))) {
        throw new IllegalArgumentException(
            "dataset "
                + name
                + ": sample "
                + row.sampleId()
                + " has modalities "
                + row.views().keySet()
                + ", expected "
                + this.viewWidths.keySet());
      }
      for (Map.Entry<String, Integer> e : this.viewWidths.entrySet()) {
        int width = row.views().get(e.getKey()).length;
        if (width != e.getValue()) {
          throw new IllegalArgumentException(
              "dataset "
                  + name
                  + ": sample "
                  + row.sampleId()
                  + " modality '"
                  + e.getKey()
                  + "' has width "
                  + width
                  + ", expected "
                  + e.getValue());
        }
      }
    }
  }

  public String name() {
    return name;
  }

  /** Ordered class names (ARFF: the nominal declaration order). */
  public List<String> classNames() {
    return classNames;
  }

  public int classCount() {
    return classNames.size();
  }

  /** Modality names in the configured order. */
  public List<String> modalities() {
    return List.copyOf(viewWidths.keySet());
  }

  /** Modality → width, in modality order (unmodifiable). */
  public Map<String, Integer> viewWidths() {
    return Collections.unmodifiableMap(viewWidths);
  }

  public int viewWidth(String modality) {
    Integer w = viewWidths.get(modality);
    if (w == null) {
      throw new IllegalArgumentException(
          "dataset "
              + name
              + " has no modality '"
              + modality
              + "' (has "
              + viewWidths.keySet()
              + ")");
    }
    return w;
  }

  public List<MultiViewRow> rows() {
    return rows;
  }

  public MultiViewRow row(int index) {
    return rows.get(index);
  }

  public int size() {
    return rows.size();
  }

  /** Class indices of all rows, in row order. */
  public int[] labels() {
    return rows.stream().mapToInt(MultiViewRow::label).toArray();
  }

  /** Number of rows per split (every split present as a key). */
  public Map<Split, Integer> splitCounts() {
    Map<Split, Integer> counts = new EnumMap<>(Split.class);
    for (Split s : Split.values()) {
      counts.put(s, 0);
    }
    for (MultiViewRow row : rows) {
      counts.merge(row.split(), 1, Integer::sum);
    }
    return counts;
  }

  /** The rows of one split, in row order. */
  public List<MultiViewRow> rows(Split split) {
    return rows.stream().filter(r -> r.split() == split).toList();
  }

  /** A dataset of the rows of one split only. */
  public MultiViewDataset only(Split split) {
    return withRows(rows(split));
  }

  /** The same dataset with every row assigned to {@code split}. */
  public MultiViewDataset withSplit(Split split) {
    return withRows(rows.stream().map(r -> r.withSplit(split)).toList());
  }

  /** Same name, classes and modalities, other rows. */
  public MultiViewDataset withRows(List<MultiViewRow> newRows) {
    return new MultiViewDataset(name, classNames, viewWidths, newRows);
  }

  /** The feature matrix of one modality, one row per sample (the arrays are shared, not copied). */
  public float[][] features(String modality) {
    viewWidth(modality);
    return rows.stream().map(r -> r.view(modality)).toArray(float[][]::new);
  }

  /**
   * Concatenates datasets that have the same class names and the same modalities and widths,
   * keeping each row's split. Typical use: {@code concat("segment", train.withSplit(TRAIN),
   * test.withSplit(TEST))}.
   */
  public static MultiViewDataset concat(String name, MultiViewDataset... parts) {
    if (parts.length == 0) {
      throw new IllegalArgumentException("concat of no datasets");
    }
    MultiViewDataset first = parts[0];
    List<MultiViewRow> all = new ArrayList<>();
    for (MultiViewDataset part : parts) {
      if (!part.classNames.equals(first.classNames)) {
        throw new IllegalArgumentException(
            "cannot concatenate "
                + part.name
                + " (classes "
                + part.classNames
                + ") with "
                + first.name
                + " (classes "
                + first.classNames
                + "): pin the class order with TableOptions.classNames");
      }
      if (!new ArrayList<>(part.viewWidths.entrySet())
          .equals(new ArrayList<>(first.viewWidths.entrySet()))) {
        throw new IllegalArgumentException(
            "cannot concatenate "
                + part.name
                + " (views "
                + part.viewWidths
                + ") with "
                + first.name
                + " (views "
                + first.viewWidths
                + ")");
      }
      all.addAll(part.rows);
    }
    return new MultiViewDataset(name, first.classNames, first.viewWidths, all);
  }

  /**
   * Train and test tables combined: every row of {@code train} becomes TRAIN, every row of {@code
   * test} TEST.
   */
  public static MultiViewDataset trainTest(
      String name, MultiViewDataset train, MultiViewDataset test) {
    return concat(name, train.withSplit(Split.TRAIN), test.withSplit(Split.TEST));
  }

  @Override
  public String toString() {
    return "MultiViewDataset["
        + name
        + ", "
        + rows.size()
        + " rows, "
        + classNames.size()
        + " classes, views "
        + viewWidths
        + ", splits "
        + splitCounts()
        + "]";
  }
}
