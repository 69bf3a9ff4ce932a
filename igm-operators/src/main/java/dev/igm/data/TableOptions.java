package dev.igm.data;

import dev.igm.avro.Split;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How to turn a table file into a {@link MultiViewDataset}. Build with {@link #builder()}; every
 * setting has a default.
 *
 * @param datasetName first part of the sample ids; null → the file stem
 * @param viewMap column → modality map; null → one modality {@value ViewMap#DEFAULT_MODALITY} with
 *     every feature column
 * @param labelColumn label column name (NPZ/NPY: the labels array); null → ARFF: the last
 *     attribute, CSV: the last column, NPZ: {@code labelsArray}
 * @param splitColumn optional column with TRAIN/VALID/TEST (case-insensitive; NPZ/NPY: the splits
 *     array, which may also hold 0/1/2); null → NPZ: {@code splitsArray}; else every row gets
 *     {@code defaultSplit}
 * @param defaultSplit split of rows when there is no split column
 * @param delimiter CSV field delimiter
 * @param classNames optional pinned class order; labels outside it are an error. Null → ARFF: the
 *     nominal declaration order; CSV/NPZ: the label value itself when every label is an int ≥ 0
 *     (classes "0".."max"), else the sorted distinct label strings
 * @param featuresArray NPZ/NPY-directory array with the (n, d) feature matrix (the view map's
 *     column positions apply to its columns; its items may also name whole arrays)
 * @param labelsArray NPZ/NPY-directory array with the n labels when {@code labelColumn} is null;
 *     null → {@code y}
 * @param splitsArray optional NPZ/NPY-directory array of splits: ints 0/1/2 (TRAIN/VALID/TEST) or
 *     strings; null → none
 * @param viewArrays optional NPZ/NPY-directory per-view arrays, modality → array name (each (n,
 *     ...) flattened per row); when set, {@code featuresArray} and {@code viewMap} are not used
 * @param keepMissing missing feature values ({@link MissingValues#SPELLINGS} in text tables, NaN in
 *     numpy arrays) are kept as NaN, for {@link MissingValues} to drop or impute; false: a table
 *     with any is refused, the message saying how many rows have them and where the first is
 * @param joinColumn text tables read as one view of a {@link TableJoin}: the row id column (never a
 *     feature); the label and split columns are then optional (a file may lack them)
 */
public record TableOptions(
    String datasetName,
    ViewMap viewMap,
    String labelColumn,
    String splitColumn,
    Split defaultSplit,
    char delimiter,
    List<String> classNames,
    String featuresArray,
    String labelsArray,
    String splitsArray,
    Map<String, String> viewArrays,
    boolean keepMissing,
    String joinColumn) {

  public TableOptions {
    if (defaultSplit == null) {
      throw new IllegalArgumentException("defaultSplit must not be null");
    }
    classNames = classNames == null ? null : List.copyOf(classNames);
    viewArrays =
        viewArrays == null
            ? null
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(viewArrays));
  }

  /**
   * All defaults: single view, last column (array y) is the label, every row TRAIN, comma
   * delimiter, array X.
   */
  public static TableOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.datasetName = datasetName;
    b.viewMap = viewMap;
    b.labelColumn = labelColumn;
    b.splitColumn = splitColumn;
    b.defaultSplit = defaultSplit;
    b.delimiter = delimiter;
    b.classNames = classNames;
    b.featuresArray = featuresArray;
    b.labelsArray = labelsArray;
    b.splitsArray = splitsArray;
    b.viewArrays = viewArrays;
    b.keepMissing = keepMissing;
    b.joinColumn = joinColumn;
    return b;
  }

  public static final class Builder {
    private String datasetName;
    private ViewMap viewMap;
    private String labelColumn;
    private String splitColumn;
    private Split defaultSplit = Split.TRAIN;
    private char delimiter = ',';
    private List<String> classNames;
    private String featuresArray = "X";
    private String labelsArray;
    private String splitsArray;
    private Map<String, String> viewArrays;
    private boolean keepMissing;
    private String joinColumn;

    private Builder() {}

    public Builder datasetName(String v) {
      datasetName = v;
      return this;
    }

    public Builder viewMap(ViewMap v) {
      viewMap = v;
      return this;
    }

    /** Parses {@code spec} with {@link ViewMap#parse}. */
    public Builder viewMap(String spec) {
      viewMap = ViewMap.parse(spec);
      return this;
    }

    public Builder labelColumn(String v) {
      labelColumn = v;
      return this;
    }

    public Builder splitColumn(String v) {
      splitColumn = v;
      return this;
    }

    public Builder defaultSplit(Split v) {
      defaultSplit = v;
      return this;
    }

    public Builder delimiter(char v) {
      delimiter = v;
      return this;
    }

    public Builder classNames(List<String> v) {
      classNames = v;
      return this;
    }

    public Builder featuresArray(String v) {
      featuresArray = v;
      return this;
    }

    public Builder labelsArray(String v) {
      labelsArray = v;
      return this;
    }

    public Builder splitsArray(String v) {
      splitsArray = v;
      return this;
    }

    public Builder viewArrays(Map<String, String> v) {
      viewArrays = v;
      return this;
    }

    public Builder keepMissing(boolean v) {
      keepMissing = v;
      return this;
    }

    public Builder joinColumn(String v) {
      joinColumn = v;
      return this;
    }

    public TableOptions build() {
      return new TableOptions(
          datasetName,
          viewMap,
          labelColumn,
          splitColumn,
          defaultSplit,
          delimiter,
          classNames,
          featuresArray,
          labelsArray,
          splitsArray,
          viewArrays,
          keepMissing,
          joinColumn);
    }
  }
}
