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
import picocli.CommandLine.Option;

/**
 * Where a command's table comes from (the bundled dataset or a multi-view table), its splits and its
 * standardisation. {@code igm fit} and {@code igm replay} share it, so the same flags give the same rows, splits and
 * values in both.
 */
public final class DatasetSource {
  enum Format { arff, csv, tsv, npy, npz }

  @Option(names = "--dataset", paramLabel = "NAME",
      description = "A bundled dataset: segment (UCI Image Segmentation, views shape/colour).")
  String dataset;

  @Option(names = "--file", paramLabel = "PATH",
      description = "A table: .arff, .csv, .tsv, .npz, .npy (with its directory's other arrays).")
  Path file;

  @Option(names = "--format", paramLabel = "FMT",
      description = "Table format when the file name does not say: ${COMPLETION-CANDIDATES}.")
  Format format;

  @Option(names = "--views", paramLabel = "SPEC",
      description = "Columns per modality, e.g. 'shape=1-9,colour=10-19' (1-based positions or column names; ';' joins"
          + " items). Default: one modality 'features' with every column.")
  String views;

  @Option(names = "--label", paramLabel = "COL", description = "Label column (default: the last one).")
  String label;

  @Option(names = "--split-column", paramLabel = "COL",
      description = "Column holding TRAIN/VALID/TEST per row (default: every row TRAIN).")
  String splitColumn;

  @Option(names = "--test-file", paramLabel = "PATH", description = "A second table of the same layout whose rows are all TEST.")
  Path testFile;

  @Option(names = "--valid-fraction", paramLabel = "F", defaultValue = "0.2",
      description = "Data without VALID rows: carve this stratified fraction of the TRAIN rows into VALID (default ${DEFAULT-VALUE}; 0 = none).")
  double validFraction;

  @Option(names = "--split-seed", paramLabel = "S", defaultValue = "1", description = "Seed of the VALID carve (default ${DEFAULT-VALUE}).")
  long splitSeed;

  @Option(names = "--standardize", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Standardise each view with mean/std fitted on the TRAIN rows (default on; --no-standardize sends raw values).")
  boolean standardize;

  /** Whether a table input (bundled or file) was named. */
  public boolean given() {
    return dataset != null || file != null;
  }

  /** Loads the dataset with TRAIN / VALID / TEST assigned and, unless switched off, standardised. */
  public MultiViewDataset load() {
    if (dataset != null && file != null) {
      throw new IllegalArgumentException("give either --dataset or --file, not both");
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
    if (validFraction > 0 && ds.rows(Split.VALID).isEmpty()) {
      ds = ValidationSplit.carve(ds, validFraction, splitSeed);
    }
    return standardize ? ViewStandardizer.fit(ds).apply(ds) : ds;
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
