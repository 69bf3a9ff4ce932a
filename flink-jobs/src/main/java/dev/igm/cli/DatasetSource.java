package dev.igm.cli;

import dev.igm.avro.Split;
import dev.igm.data.ArffReader;
import dev.igm.data.BundledDatasets;
import dev.igm.data.CsvReader;
import dev.igm.data.MultiViewDataset;
import dev.igm.data.NpzReader;
import dev.igm.data.TableOptions;
import dev.igm.data.TableReader;
import dev.igm.data.ValidationSplit;
import dev.igm.data.ViewStandardizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Where a command's table comes from (the bundled dataset or a multi-view table), its splits and its
 * standardisation. {@code igm fit} and {@code igm replay} share it, so the same flags give the same rows, splits and
 * values in both. An option that would not take effect with the others given is refused with the reason.
 */
public final class DatasetSource {
  enum Format { arff, csv, tsv, npy, npz }

  static final double DEFAULT_VALID_FRACTION = 0.2;
  static final long DEFAULT_SPLIT_SEED = 1;

  @Spec(Spec.Target.MIXEE) CommandLine.Model.CommandSpec command;

  /** Whether {@link #load} carved VALID rows out of TRAIN. */
  private boolean carved;

  @Option(names = "--dataset", paramLabel = "NAME",
      description = "A bundled dataset: segment (UCI Image Segmentation, views shape/colour; TRAIN 1500, TEST 810).")
  String dataset;

  @Option(names = "--file", paramLabel = "PATH",
      description = "A table: .arff, .csv, .tsv, .npz, .npy (with its directory's other arrays).")
  Path file;

  @Option(names = "--format", paramLabel = "FMT",
      description = "Table format when the file name does not say: ${COMPLETION-CANDIDATES}.")
  Format format;

  @Option(names = "--views", paramLabel = "SPEC",
      description = "Columns per modality, e.g. 'shape=1-9,colour=10-19' (1-based positions or column names; ';' joins"
          + " items). .npz/.npy: an item may name a whole array, e.g. 'audio=audio_feats;video=video_feats', positions"
          + " count the columns of the matrix X. Default: one modality 'features' with every column (all of X).")
  String views;

  @Option(names = "--label", paramLabel = "COL",
      description = "Label column (default: the last one); .npz/.npy: the labels array (default y).")
  String label;

  @Option(names = "--split-column", paramLabel = "COL",
      description = "Column holding TRAIN/VALID/TEST per row (any case; other values are an error); .npz/.npy: the"
          + " splits array (those strings, or 0/1/2). Default: none, every row TRAIN, no TEST figures (see --test-file).")
  String splitColumn;

  @Option(names = "--test-file", paramLabel = "PATH", description = "A second table of the same layout whose rows are all TEST.")
  Path testFile;

  @Option(names = "--valid-fraction", paramLabel = "F",
      description = "Data without VALID rows: carve this stratified fraction of the TRAIN rows into VALID (default "
          + DEFAULT_VALID_FRACTION + "; 0 = none). Refused when the data has VALID rows of its own.")
  Double validFraction;

  @Option(names = "--split-seed", paramLabel = "S",
      description = "Seed of the VALID carve (default " + DEFAULT_SPLIT_SEED + ").")
  Long splitSeed;

  @Option(names = "--standardize", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Standardise each view with mean/std fitted on the TRAIN rows (default on; --no-standardize sends raw values).")
  boolean standardize;

  /** Whether a table input (bundled or file) was named. */
  public boolean given() {
    return dataset != null || file != null;
  }

  /** The options given that only concern a table (--file, --dataset and their companions), as typed. */
  List<String> tableOptionsGiven() {
    List<String> given = new ArrayList<>();
    for (String name : List.of("--dataset", "--file", "--format", "--views", "--label", "--split-column", "--test-file",
        "--valid-fraction", "--split-seed", "--standardize", "--no-standardize")) {
      if (matched(name)) {
        given.add(name);
      }
    }
    return given;
  }

  /** Loads the dataset with TRAIN / VALID / TEST assigned and, unless switched off, standardised. */
  public MultiViewDataset load() {
    if (dataset != null && file != null) {
      throw new IllegalArgumentException("give either --dataset or --file, not both");
    }
    if (file == null) {
      List<String> fileOnly = new ArrayList<>();
      for (String name : List.of("--format", "--views", "--label", "--split-column", "--test-file")) {
        if (matched(name)) {
          fileOnly.add(name);
        }
      }
      if (!fileOnly.isEmpty()) {
        throw new IllegalArgumentException(String.join(", ", fileOnly) + " describe(s) a --file table; the bundled"
            + " dataset has its own views, label and splits");
      }
    }
    MultiViewDataset ds;
    if (file != null) {
      TableOptions.Builder b = TableOptions.builder().labelColumn(label).splitColumn(splitColumn);
      if (views != null) {
        b.viewMap(views);
      }
      TableOptions options = b.build();
      ds = readTable(file, options);
      if (testFile != null) {
        // Pin the class order of the first table, so that the test table's labels index the same classes.
        MultiViewDataset test = readTable(testFile, options.toBuilder().classNames(ds.classNames()).build());
        ds = MultiViewDataset.concat(ds.name(), ds, test.withSplit(Split.TEST));
      }
    } else {
      String name = dataset == null ? "segment" : dataset;
      if (!name.equals("segment")) {
        throw new IllegalArgumentException("unknown bundled dataset '" + name + "' (bundled: segment)");
      }
      ds = BundledDatasets.segment();
    }
    double fraction = validFraction == null ? DEFAULT_VALID_FRACTION : validFraction;
    if (!(fraction >= 0 && fraction < 1)) {
      throw new IllegalArgumentException("--valid-fraction must be in [0, 1), got " + fraction);
    }
    if (!ds.rows(Split.VALID).isEmpty()) {
      if (validFraction != null || splitSeed != null) {
        throw new IllegalArgumentException((validFraction != null ? "--valid-fraction" : "--split-seed")
            + " would carve VALID rows, but the data has " + ds.rows(Split.VALID).size()
            + " VALID rows of its own (from its split column); drop the option");
      }
    } else if (fraction > 0) {
      ds = ValidationSplit.carve(ds, fraction, splitSeed == null ? DEFAULT_SPLIT_SEED : splitSeed);
      carved = true;
    } else if (splitSeed != null) {
      throw new IllegalArgumentException("--split-seed seeds the VALID carve, but --valid-fraction 0 carves none");
    }
    return standardize ? ViewStandardizer.fit(ds).apply(ds) : ds;
  }

  /** One line about the splits for the log: their sizes and where they come from. */
  String describeSplits(MultiViewDataset ds) {
    String from;
    if (file == null) {
      from = "the bundled dataset's TRAIN/TEST";
    } else {
      from = splitColumn != null ? "split column '" + splitColumn + "'" : "no split column: every row TRAIN";
      if (testFile != null) {
        from += ", TEST rows from " + testFile.getFileName();
      }
    }
    if (carved) {
      from += ", VALID carved from TRAIN";
    }
    return String.format(Locale.ROOT, "splits %s (%s)", ds.splitCounts(), from);
  }

  /** A warning when the data has no TEST rows (no TEST figures then), naming how to get them; null otherwise. */
  String noTestWarning(MultiViewDataset ds) {
    if (!ds.rows(Split.TEST).isEmpty()) {
      return null;
    }
    return "warning: the data has no TEST rows, so there are no TEST figures"
        + (splitColumn == null ? " (no split column named)" : " (split column '" + splitColumn + "' names none)")
        + "; name the column or array of TRAIN/VALID/TEST with --split-column, or give a TEST table with --test-file";
  }

  private boolean matched(String option) {
    if (command == null || command.commandLine() == null || command.commandLine().getParseResult() == null) {
      return false;
    }
    return command.commandLine().getParseResult().hasMatchedOption(option);
  }

  private MultiViewDataset readTable(Path path, TableOptions options) {
    if (format == null) {
      return TableReader.read(path, options);
    }
    return switch (format) {
      case arff -> ArffReader.read(path, options);
      case csv -> CsvReader.read(path, options);
      case tsv -> CsvReader.read(path, options.toBuilder().delimiter('\t').build());
      case npz -> NpzReader.read(path, options);
      case npy -> TableReader.read(path, options); // a .npy file names its directory's feature array
    };
  }
}
