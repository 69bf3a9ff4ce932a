package dev.igm.cli;

import dev.igm.avro.Split;
import dev.igm.data.BundledDatasets;
import dev.igm.data.MultiViewDataset;
import dev.igm.data.TableOptions;
import dev.igm.data.TableReader;
import dev.igm.data.ValidationSplit;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a command's dataset comes from: the bundled one or a multi-view table, with its splits. */
public final class DatasetSource {
  @Option(names = "--dataset", paramLabel = "NAME",
      description = "A bundled dataset (segment: UCI Image Segmentation, views shape/colour). Default: segment unless --file is given.")
  String dataset;

  @Option(names = "--file", paramLabel = "PATH", description = "A table (.arff, .csv, .tsv, .npy, .npz, or a folder of .npy).")
  Path file;

  @Option(names = "--test-file", paramLabel = "PATH", description = "A second table whose rows are the TEST split.")
  Path testFile;

  @Option(names = "--views", paramLabel = "SPEC",
      description = "View map: modality=columns, e.g. 'shape=1-9,colour=10-19' (1-based positions) or 'audio=a1;a2'.")
  String views;

  @Option(names = "--label", paramLabel = "COLUMN", description = "Label column (default: the last one).")
  String label;

  @Option(names = "--split-column", paramLabel = "COLUMN", description = "Column with TRAIN/VALID/TEST per row.")
  String splitColumn;

  @Option(names = "--valid-fraction", paramLabel = "F", defaultValue = "0.2",
      description = "Fraction of TRAIN rows carved out as VALID (stratified) when the data has no VALID rows. Default: ${DEFAULT-VALUE}.")
  double validFraction;

  @Option(names = "--split-seed", paramLabel = "SEED", defaultValue = "1",
      description = "Seed of the VALID carve-out. Default: ${DEFAULT-VALUE}.")
  long splitSeed;

  /** Loads the dataset with TRAIN / VALID / TEST assigned. */
  public MultiViewDataset load() {
    MultiViewDataset ds;
    if (file != null) {
      TableOptions.Builder o = TableOptions.builder();
      if (views != null) {
        o.viewMap(views);
      }
      if (label != null) {
        o.labelColumn(label);
      }
      if (splitColumn != null) {
        o.splitColumn(splitColumn);
      }
      ds = TableReader.read(file, o.build());
      if (testFile != null) {
        TableOptions testOptions = o.classNames(ds.classNames()).build();
        ds = MultiViewDataset.trainTest(ds.name(), ds, TableReader.read(testFile, testOptions));
      }
    } else {
      String name = dataset == null ? "segment" : dataset;
      if (!name.equals("segment")) {
        throw new IllegalArgumentException("unknown bundled dataset '" + name + "' (bundled: segment)");
      }
      ds = BundledDatasets.segment();
    }
    if (ds.rows(Split.VALID).isEmpty() && validFraction > 0) {
      ds = ValidationSplit.carve(ds, validFraction, splitSeed);
    }
    return ds;
  }
}
