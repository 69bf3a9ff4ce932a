package dev.igm.data;

import dev.igm.avro.Split;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A multi-view table whose views live in separate text files (CSV, TSV or ARFF), one file per view,
 * joined on a row id column ({@link TableOptions#joinColumn()}). Each file's columns other than the
 * id, label and split columns are its view's features. The label comes from the file(s) with the
 * {@link TableOptions#labelColumn()} column and the split from those with the {@link
 * TableOptions#splitColumn()} column; where several files have one, they must agree on every row. A
 * file may hold only the id with the label and/or split columns (then it is no view). Rows keep the
 * first file's order; a sample id is {@code <dataset>/<row id>}. A row id missing from some file is
 * an error that counts them per file, unless the caller drops those rows.
 */
public final class TableJoin {
  private TableJoin() {}

  /** A text table format; null in a {@link ViewFile} means: by the file name's extension. */
  public enum TextFormat {
    ARFF,
    CSV,
    TSV
  }

  /** One view's file. */
  public record ViewFile(String view, Path path, TextFormat format) {
    public ViewFile {
      Objects.requireNonNull(view, "view");
      Objects.requireNonNull(path, "path");
    }
  }

  /** The joined dataset, and a line for the log per thing done to it (rows dropped). */
  public record Result(MultiViewDataset dataset, List<String> notes) {}

  /** Rows that are not in every file, while the caller asked to keep them all. */
  public static final class UnmatchedRowsException extends DatasetFormatException {
    private static final long serialVersionUID = 1L;

    UnmatchedRowsException(String message) {
      super(message);
    }
  }

  /**
   * Reads and joins the files.
   *
   * @param options the join column (required), label and split columns, {@link
   *     TableOptions#keepMissing()}, pinned class names and the dataset name apply; no view map
   * @param dropUnmatched drop the rows whose id some file lacks (else they are an {@link
   *     UnmatchedRowsException})
   */
  public static Result read(List<ViewFile> files, TableOptions options, boolean dropUnmatched) {
    if (options.joinColumn() == null) {
      throw new IllegalArgumentException(
          "joining tables needs the row id column (TableOptions.joinColumn)");
    }
    if (options.viewMap() != null) {
      throw new IllegalArgumentException("joined tables are one view per file: no view map");
    }
    if (files.size() < 2) {
      throw new IllegalArgumentException("a join needs at least two files, got " + files.size());
    }
    Map<String, Path> views = new LinkedHashMap<>();
    for (ViewFile f : files) {
      if (!ViewMap.validModalityName(f.view())) {
        throw new IllegalArgumentException(
            "view name '" + f.view() + "' of " + f.path() + ": letters, digits, _ . - only");
      }
      Path previous = views.putIfAbsent(f.view(), f.path());
      if (previous != null) {
        throw new IllegalArgumentException(
            "view '"
                + f.view()
                + "' is given by "
                + previous
                + " and by "
                + f.path()
                + "; name the views apart");
      }
    }
    List<TableAssembler.Part> parts = new ArrayList<>();
    for (ViewFile f : files) {
      parts.add(readPart(f, options));
    }
    return join(files, parts, options, dropUnmatched);
  }

  private static TableAssembler.Part readPart(ViewFile f, TableOptions options) {
    TextFormat format = f.format() != null ? f.format() : formatOf(f.path());
    String name = f.path().getFileName().toString();
    try (InputStream in = Files.newInputStream(f.path())) {
      return switch (format) {
        case ARFF -> ArffReader.assemble(in, name, options).part();
        case CSV -> CsvReader.assemble(in, name, options).part();
        case TSV ->
            CsvReader.assemble(in, name, options.toBuilder().delimiter('\t').build()).part();
      };
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f.path(), e);
    }
  }

  private static TextFormat formatOf(Path path) {
    String lower = path.getFileName().toString().toLowerCase(Locale.ROOT);
    for (TextFormat t : TextFormat.values()) {
      if (lower.endsWith("." + t.name().toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        path.getFileName() + ": joined views must be .csv, .tsv or .arff tables");
  }

  private static Result join(
      List<ViewFile> files,
      List<TableAssembler.Part> parts,
      TableOptions options,
      boolean dropUnmatched) {
    List<Map<String, Integer>> index = new ArrayList<>();
    for (TableAssembler.Part p : parts) {
      Map<String, Integer> rows = new HashMap<>();
      for (int i = 0; i < p.ids().size(); i++) {
        Integer previous = rows.putIfAbsent(p.ids().get(i), i);
        if (previous != null) {
          throw new DatasetFormatException(
              p.source()
                  + ": row id '"
                  + p.ids().get(i)
                  + "' in column '"
                  + options.joinColumn()
                  + "' appears twice (lines "
                  + p.lines().get(previous)
                  + " and "
                  + p.lines().get(i)
                  + ")");
        }
      }
      index.add(rows);
    }
    List<Integer> labelParts = new ArrayList<>();
    List<Integer> splitParts = new ArrayList<>();
    List<Integer> viewParts = new ArrayList<>();
    for (int f = 0; f < parts.size(); f++) {
      TableAssembler.Part p = parts.get(f);
      if (p.labels() != null) {
        labelParts.add(f);
      }
      if (p.splits() != null) {
        splitParts.add(f);
      }
      if (p.width() > 0) {
        viewParts.add(f);
      } else if (p.labels() == null && p.splits() == null) {
        throw new DatasetFormatException(
            p.source()
                + ": no feature, label or split columns besides the join column '"
                + options.joinColumn()
                + "'");
      }
    }
    if (viewParts.isEmpty()) {
      throw new DatasetFormatException("none of the joined files has feature columns");
    }
    if (options.labelColumn() == null) {
      throw new IllegalArgumentException(
          "joined tables need the label column named (it may be in any of the files)");
    }
    if (labelParts.isEmpty()) {
      throw new DatasetFormatException(
          "label column '"
              + options.labelColumn()
              + "' is in none of the files "
              + parts.stream().map(TableAssembler.Part::source).toList());
    }
    if (options.splitColumn() != null && splitParts.isEmpty()) {
      throw new DatasetFormatException(
          "split column '"
              + options.splitColumn()
              + "' is in none of the files "
              + parts.stream().map(TableAssembler.Part::source).toList());
    }

    // which ids are in every file; how many of each file's are not
    int[] unmatched = new int[parts.size()];
    List<List<String>> examples = new ArrayList<>();
    List<String> common = new ArrayList<>();
    for (int f = 0; f < parts.size(); f++) {
      examples.add(new ArrayList<>());
      for (String id : parts.get(f).ids()) {
        boolean everywhere = true;
        for (Map<String, Integer> other : index) {
          everywhere &= other.containsKey(id);
        }
        if (!everywhere) {
          unmatched[f]++;
          if (examples.get(f).size() < 3) {
            examples.get(f).add("'" + id + "'");
          }
        } else if (f == 0) {
          common.add(id);
        }
      }
    }
    List<String> notes = new ArrayList<>();
    if (java.util.Arrays.stream(unmatched).sum() > 0) {
      StringBuilder per = new StringBuilder();
      for (int f = 0; f < parts.size(); f++) {
        if (unmatched[f] > 0) {
          per.append(per.length() == 0 ? "" : ", ")
              .append(parts.get(f).source())
              .append(' ')
              .append(unmatched[f])
              .append(" of ")
              .append(parts.get(f).ids().size())
              .append(" (e.g. ")
              .append(String.join(", ", examples.get(f)))
              .append(')');
        }
      }
      if (!dropUnmatched) {
        throw new UnmatchedRowsException(
            "the joined files do not hold the same rows (by '"
                + options.joinColumn()
                + "'): rows some other file lacks: "
                + per
                + "; "
                + common.size()
                + " rows are in every file");
      }
      notes.add(
          "joined on '"
              + options.joinColumn()
              + "': dropped the rows some file lacks: "
              + per
              + "; kept "
              + common.size());
    }
    if (common.isEmpty()) {
      throw new DatasetFormatException(
          "the joined files have no row id in common (by '" + options.joinColumn() + "')");
    }

    // labels and splits: from the files that have them, which must agree
    List<String> labelStrings = new ArrayList<>(common.size());
    List<Split> splits = new ArrayList<>(common.size());
    int labelConflicts = 0;
    int splitConflicts = 0;
    String firstLabelConflict = null;
    String firstSplitConflict = null;
    for (String id : common) {
      String label = null;
      String labelFrom = null;
      for (int f : labelParts) {
        TableAssembler.Part p = parts.get(f);
        int i = index.get(f).get(id);
        String l = p.labels().get(i);
        if (label == null) {
          label = l;
          labelFrom = p.source() + " line " + p.lines().get(i);
        } else if (!label.equals(l)) {
          labelConflicts++;
          if (firstLabelConflict == null) {
            firstLabelConflict =
                "row '"
                    + id
                    + "' is '"
                    + label
                    + "' in "
                    + labelFrom
                    + " but '"
                    + l
                    + "' in "
                    + p.source()
                    + " line "
                    + p.lines().get(i);
          }
        }
      }
      labelStrings.add(label);
      Split split = null;
      String splitFrom = null;
      for (int f : splitParts) {
        TableAssembler.Part p = parts.get(f);
        int i = index.get(f).get(id);
        Split s = p.splits().get(i);
        if (split == null) {
          split = s;
          splitFrom = p.source() + " line " + p.lines().get(i);
        } else if (split != s) {
          splitConflicts++;
          if (firstSplitConflict == null) {
            firstSplitConflict =
                "row '"
                    + id
                    + "' is "
                    + split
                    + " in "
                    + splitFrom
                    + " but "
                    + s
                    + " in "
                    + p.source()
                    + " line "
                    + p.lines().get(i);
          }
        }
      }
      splits.add(split == null ? options.defaultSplit() : split);
    }
    if (labelConflicts > 0) {
      throw new DatasetFormatException(
          "the files disagree on the label ('"
              + options.labelColumn()
              + "') of "
              + labelConflicts
              + " rows: "
              + firstLabelConflict);
    }
    if (splitConflicts > 0) {
      throw new DatasetFormatException(
          "the files disagree on the split ('"
              + options.splitColumn()
              + "') of "
              + splitConflicts
              + " rows: "
              + firstSplitConflict);
    }

    List<String> classes;
    int[] labels = new int[common.size()];
    List<String> declared =
        options.classNames() != null
            ? options.classNames()
            : parts.get(labelParts.get(0)).declaredClasses();
    if (declared != null) {
      classes = declared;
      Map<String, Integer> classIndex = new HashMap<>();
      for (int c = 0; c < declared.size(); c++) {
        classIndex.put(declared.get(c), c);
      }
      for (int i = 0; i < labels.length; i++) {
        Integer c = classIndex.get(labelStrings.get(i));
        if (c == null) {
          throw new DatasetFormatException(
              "label '"
                  + labelStrings.get(i)
                  + "' of row '"
                  + common.get(i)
                  + "' is not one of the classes "
                  + declared);
        }
        labels[i] = c;
      }
    } else {
      TableAssembler.LabelEncoding enc = TableAssembler.LabelEncoding.derive(labelStrings);
      classes = enc.classNames();
      labels = enc.labels();
    }

    String datasetName =
        options.datasetName() != null ? options.datasetName() : parts.get(0).fileStem();
    Map<String, Integer> widths = new LinkedHashMap<>();
    for (int f : viewParts) {
      widths.put(files.get(f).view(), parts.get(f).width());
    }
    List<MultiViewRow> rows = new ArrayList<>(common.size());
    for (int r = 0; r < common.size(); r++) {
      String id = common.get(r);
      Map<String, float[]> rowViews = new LinkedHashMap<>();
      for (int f : viewParts) {
        rowViews.put(files.get(f).view(), parts.get(f).features().get(index.get(f).get(id)));
      }
      rows.add(new MultiViewRow(datasetName + "/" + id, labels[r], splits.get(r), rowViews));
    }
    return new Result(new MultiViewDataset(datasetName, classes, widths, rows), notes);
  }
}
