package dev.igm.cli;

import dev.igm.avro.Split;
import dev.igm.codec.TensorCodec;
import dev.igm.core.config.ModalitySpec;
import dev.igm.data.ArffReader;
import dev.igm.data.BundledDatasets;
import dev.igm.data.CsvReader;
import dev.igm.data.MissingValues;
import dev.igm.data.MissingValuesException;
import dev.igm.data.MultiViewDataset;
import dev.igm.data.NpzReader;
import dev.igm.data.TableJoin;
import dev.igm.data.TableOptions;
import dev.igm.data.TableReader;
import dev.igm.data.ValidationSplit;
import dev.igm.data.ViewMap;
import dev.igm.data.ViewStandardizer;
import dev.igm.data.layout.LayoutOptions;
import dev.igm.data.layout.LayoutSource;
import dev.igm.data.layout.LayoutTensors;
import dev.igm.data.layout.PaperLayouts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Where a command's data comes from (the bundled dataset, a multi-view table, one file per view
 * joined on a row id, or a paper dataset's layout of media files), its missing values, its splits
 * and its standardisation. {@code igm fit} and {@code igm replay} share it, so the same flags give
 * the same rows, splits and values in both (imputed values included: their means come from the
 * TRAIN rows of the same splits; a layout's VALID carve included). An option that would not take
 * effect with the others given is refused with the reason.
 */
public final class DatasetSource {
  enum Format {
    arff,
    csv,
    tsv,
    npy,
    npz
  }

  enum Missing {
    error,
    mean,
    drop
  }

  static final double DEFAULT_VALID_FRACTION = 0.2;
  static final long DEFAULT_SPLIT_SEED = 1;

  @Spec(Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec command;

  /** What {@link #load} did to the rows, one line each, for the log. */
  private final List<String> notes = new ArrayList<>();

  /** What {@link #load} did, for the output files (metrics.json). */
  private final Map<String, Object> record = new LinkedHashMap<>();

  /** Whether {@link #load} carved VALID rows out of TRAIN. */
  private boolean carved;

  /** Whether {@link #load} carved TEST rows out of TRAIN. */
  private boolean carvedTest;

  private static final List<String> TEXT_LAYOUTS = List.of("twitter2015", "sarcasm");
  private static final List<String> AUDIO_VISUAL_LAYOUTS = List.of("cremad", "kinetics-sounds");

  /**
   * The shapes of a layout's modalities, once {@link #load} decoded a layout; empty for a table.
   */
  private final Map<String, List<Integer>> layoutShapes = new LinkedHashMap<>();

  @Option(
      names = "--layout",
      paramLabel = "NAME",
      description =
          "A paper dataset layout: cremad, kinetics-sounds, twitter2015, sarcasm, nvgesture (needs --root).")
  String layout;

  @Option(
      names = "--root",
      paramLabel = "DIR",
      description = "Root folder of the --layout dataset.")
  Path root;

  @Option(
      names = "--image-size",
      paramLabel = "S",
      defaultValue = "224",
      description =
          "Layouts: side of resized images and frames (default ${DEFAULT-VALUE}, the reference's).")
  int imageSize;

  @Option(
      names = "--spectrogram-size",
      paramLabel = "HxW",
      converter = GridSizeConverter.class,
      description =
          "cremad, kinetics-sounds: average-pool the log-STFT (257 bins x frames) to H x W, as PyTorch's"
              + " adaptive_avg_pool2d (default: full size, the reference's; e.g. 64x64 for a CPU).")
  LayoutOptions.GridSize spectrogramSize;

  @Option(
      names = "--frames",
      paramLabel = "F",
      defaultValue = "0",
      description =
          "cremad, kinetics-sounds: the first F frames of each clip (default: the reference's, 1 and 3).")
  int frames;

  @Option(
      names = "--max-words",
      paramLabel = "N",
      defaultValue = "50",
      description = "Layouts: words per text (default ${DEFAULT-VALUE}).")
  int maxWords;

  @Option(
      names = "--dataset",
      paramLabel = "NAME",
      description =
          "A bundled dataset: segment (UCI Image Segmentation, views shape/colour; TRAIN 1500, TEST 810).")
  String dataset;

  @Option(
      names = "--file",
      paramLabel = "[VIEW=]PATH",
      description = {
        "A table: .arff, .csv, .tsv, .npz, .npy (with its directory's other arrays).",
        "Repeat it for views in separate files, one file per view, joined on --join-column;"
            + " VIEW= names the view (default: the file name without extension)."
      })
  List<String> files = new ArrayList<>();

  @Option(
      names = "--join-column",
      paramLabel = "COL",
      description = "Several --file tables: the row id column they are joined on.")
  String joinColumn;

  @Option(
      names = "--drop-unmatched",
      description =
          "Several --file tables: drop rows whose id some file lacks (default: an error that counts them).")
  boolean dropUnmatched;

  @Option(
      names = "--format",
      paramLabel = "FMT",
      description = "Table format when the file name does not say: ${COMPLETION-CANDIDATES}.")
  Format format;

  @Option(
      names = "--views",
      paramLabel = "SPEC",
      description = {
        "Columns per view: name=columns, views separated by ',' or ';'; columns are 1-based positions,"
            + " ranges or column names. Examples:",
        "  shape=1-9,colour=10-19",
        "  visible=1,2,5,6",
        "  audio=a1,a2,video=v1",
        ".npz/.npy: a column item may name a whole array (audio=audio_feats,video=video_feats); positions count"
            + " the columns of the matrix X. Default: one view 'features' with every column (all of X)."
      })
  String views;

  @Option(
      names = "--label",
      paramLabel = "COL",
      description =
          "Label column (default: the last one; several --file tables: required); .npz/.npy: the labels"
              + " array (default y).")
  String label;

  @Option(
      names = "--split-column",
      paramLabel = "COL",
      description =
          "Column holding TRAIN/VALID/TEST per row (any case; other values are an error); .npz/.npy: the"
              + " splits array (those strings, or 0/1/2). Default: none, every row TRAIN (see --test-fraction, --test-file).")
  String splitColumn;

  @Option(
      names = "--test-file",
      paramLabel = "PATH",
      description = "A second table of the same layout whose rows are all TEST.")
  Path testFile;

  @Option(
      names = "--missing",
      paramLabel = "POLICY",
      description =
          "Missing feature values (empty, ?, NA, N/A, NaN, null): error (default) refuses the table;"
              + " mean fills each with its feature's mean over the TRAIN rows; drop drops the rows that have any.")
  Missing missing;

  @Option(
      names = "--test-fraction",
      paramLabel = "F",
      description =
          "Data without TEST rows: carve this stratified fraction of the TRAIN rows into TEST (before the"
              + " VALID carve). Refused when the data has TEST rows of its own.")
  Double testFraction;

  @Option(
      names = "--valid-fraction",
      paramLabel = "F",
      description =
          "Data without VALID rows: carve this stratified fraction of the TRAIN rows into VALID (default "
              + DEFAULT_VALID_FRACTION
              + "; 0 = none). Refused when the data has VALID rows of its own.")
  Double validFraction;

  @Option(
      names = "--split-seed",
      paramLabel = "S",
      description = "Seed of the TEST and VALID carves (default " + DEFAULT_SPLIT_SEED + ").")
  Long splitSeed;

  @Option(
      names = "--standardize",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Standardise each view with mean/std fitted on the TRAIN rows (default on; --no-standardize sends raw values).")
  boolean standardize;

  /** Whether a table input (bundled or file) was named. */
  public boolean given() {
    return dataset != null || !files.isEmpty();
  }

  /** Whether a layout was named. */
  boolean layoutGiven() {
    return layout != null;
  }

  /**
   * The layout's samples, indexed with the splits this source assigns (its TRAIN/TEST annotation
   * files, and VALID carved out of TRAIN by {@code --valid-fraction} / {@code --split-seed} as for
   * a table). Refuses the options of a table, and a second input.
   */
  LayoutSource layoutSource() {
    notes.clear();
    record.clear();
    if (given()) {
      throw new IllegalArgumentException("give exactly one input: --dataset, --file or --layout");
    }
    List<String> table = tableOptionsGiven();
    table.removeAll(List.of("--valid-fraction", "--split-seed"));
    if (!table.isEmpty()) {
      throw new IllegalArgumentException(
          String.join(", ", table)
              + " describe(s) a --file table or the bundled"
              + " dataset; a --layout dataset has its own views, labels and splits");
    }
    if (root == null) {
      throw new IllegalArgumentException("--layout " + layout + " needs --root DIR");
    }
    boolean text = TEXT_LAYOUTS.contains(layout);
    if (!text && matched("--max-words") && PaperLayouts.NAMES.contains(layout)) {
      throw new IllegalArgumentException(
          "--max-words applies to the layouts with text ("
              + String.join(", ", TEXT_LAYOUTS)
              + "), not to "
              + layout);
    }
    LayoutSource source =
        new LayoutSource(
            PaperLayouts.open(
                layout, root, new LayoutOptions(imageSize, maxWords, spectrogramSize, frames)));
    // only the options the layout reads: what a run was given and used, not every default
    Map<String, Object> used = new LinkedHashMap<>();
    used.put("name", layout);
    used.put("root", root.toString());
    used.put("imageSize", imageSize);
    if (text) {
      used.put("maxWords", maxWords);
    }
    if (AUDIO_VISUAL_LAYOUTS.contains(layout)) {
      used.put("spectrogramSize", spectrogramSize == null ? "full" : spectrogramSize.toString());
      used.put("frames", frames == 0 ? "the layout's own" : frames);
    }
    record.put("layout", used);
    return source.withIndex(carve(source.index()));
  }

  /** Refuses the layout options without a layout. */
  void checkLayoutOptions() {
    if (layout != null) {
      return;
    }
    for (String option :
        List.of("--root", "--image-size", "--max-words", "--spectrogram-size", "--frames")) {
      if (matched(option)) {
        throw new IllegalArgumentException(option + " applies to --layout datasets only");
      }
    }
  }

  /**
   * The modalities a model of {@code ds} has: one feature view each for a table; for a layout, each
   * modality with its tensor's shape and the ResNet-18 encoder (spectrograms [1, H, W], images [3,
   * S, S], clips [3, F, S, S]).
   */
  List<ModalitySpec> modalities(MultiViewDataset ds) {
    if (layoutShapes.isEmpty()) {
      return dev.igm.core.fit.OfflineFit.featureModalities(ds);
    }
    List<ModalitySpec> out = new ArrayList<>();
    layoutShapes.forEach(
        (m, shape) ->
            out.add(
                shape.size() == 1
                    ? ModalitySpec.features(m, shape.get(0))
                    : new ModalitySpec(m, shape, "resnet18", List.of(), null, false)));
    return out;
  }

  /** {@code HxW} to a grid size; a malformed one is a usage error naming the option. */
  static final class GridSizeConverter
      implements CommandLine.ITypeConverter<LayoutOptions.GridSize> {
    @Override
    public LayoutOptions.GridSize convert(String value) {
      try {
        return LayoutOptions.GridSize.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /**
   * The options given that only concern a table (--file, --dataset and their companions), as typed.
   */
  List<String> tableOptionsGiven() {
    List<String> given = new ArrayList<>();
    for (String name :
        List.of(
            "--dataset",
            "--file",
            "--join-column",
            "--drop-unmatched",
            "--format",
            "--views",
            "--label",
            "--split-column",
            "--test-file",
            "--missing",
            "--test-fraction",
            "--valid-fraction",
            "--split-seed",
            "--standardize",
            "--no-standardize")) {
      if (matched(name)) {
        given.add(name);
      }
    }
    return given;
  }

  /**
   * Loads the dataset: rows read (and joined), missing values dropped or imputed, TRAIN / VALID /
   * TEST assigned and, unless switched off, standardised.
   */
  public MultiViewDataset load() {
    checkLayoutOptions();
    layoutShapes.clear();
    if (layout != null) {
      LayoutSource source = layoutSource();
      int total = source.index().size();
      ProgressLine line = ProgressLine.onStderr("igm: decoding " + layout + ":", "samples");
      LayoutTensors tensors =
          LayoutTensors.load(source, TensorCodec.create(), n -> line.update(n, total, ""));
      line.done();
      layoutShapes.putAll(tensors.shapes());
      record.put("shapes", new LinkedHashMap<>(layoutShapes)); // each modality's tensor as trained
      return tensors.dataset();
    }
    notes.clear();
    record.clear();
    if (dataset != null && !files.isEmpty()) {
      throw new IllegalArgumentException("give either --dataset or --file, not both");
    }
    if (files.isEmpty()) {
      List<String> fileOnly = new ArrayList<>();
      for (String name :
          List.of(
              "--join-column",
              "--drop-unmatched",
              "--format",
              "--views",
              "--label",
              "--split-column",
              "--test-file",
              "--missing")) {
        if (matched(name)) {
          fileOnly.add(name);
        }
      }
      if (!fileOnly.isEmpty()) {
        throw new IllegalArgumentException(
            String.join(", ", fileOnly)
                + " describe(s) a --file table; the bundled"
                + " dataset has its own views, label and splits, and no missing values");
      }
    }
    Missing policy = missing == null ? Missing.error : missing;
    MultiViewDataset ds;
    if (files.size() > 1) {
      ds = readJoined(policy);
    } else if (files.size() == 1) {
      ds = readSingle(policy);
    } else {
      String name = dataset == null ? "segment" : dataset;
      if (!name.equals("segment")) {
        throw new IllegalArgumentException(
            "unknown bundled dataset '" + name + "' (bundled: segment)");
      }
      ds = BundledDatasets.segment();
    }
    if (policy == Missing.drop) {
      MissingValues.Dropped dropped = MissingValues.dropRows(ds);
      ds = dropped.dataset();
      notes.add(
          "missing values: dropped "
              + dropped.total()
              + " rows with any ("
              + splitCounts(dropped.dropped())
              + ")");
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("policy", "drop");
      m.put("rowsDropped", names(dropped.dropped()));
      record.put("missing", m);
      if (ds.size() == 0) {
        throw new IllegalArgumentException(
            "--missing drop dropped every row: every row misses some value");
      }
    }
    ds = carve(ds);
    if (policy == Missing.mean) {
      Map<Split, int[]> counts = MissingValues.count(ds);
      ds = MissingValues.Imputer.fit(ds).apply(ds);
      Map<String, Object> cells = new LinkedHashMap<>();
      Map<String, Object> rows = new LinkedHashMap<>();
      counts.forEach(
          (s, c) -> {
            cells.put(s.name(), c[0]);
            rows.put(s.name(), c[1]);
          });
      notes.add(
          "missing values: filled "
              + counts.values().stream().mapToInt(c -> c[0]).sum()
              + " cells in "
              + counts.values().stream().mapToInt(c -> c[1]).sum()
              + " rows with their feature's TRAIN mean (rows per"
              + " split: "
              + rows
              + ")");
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("policy", "mean (of the TRAIN rows)");
      m.put("cellsFilled", cells);
      m.put("rowsWithMissing", rows);
      record.put("missing", m);
    }
    return standardize ? ViewStandardizer.fit(ds).apply(ds) : ds;
  }

  /** TEST, then VALID rows carved out of TRAIN where asked for (and allowed). */
  private MultiViewDataset carve(MultiViewDataset ds) {
    long seed = splitSeed == null ? DEFAULT_SPLIT_SEED : splitSeed;
    if (testFraction != null) {
      if (!(testFraction > 0 && testFraction < 1)) {
        throw new IllegalArgumentException(
            "--test-fraction must be in (0, 1), got " + testFraction);
      }
      if (!ds.rows(Split.TEST).isEmpty()) {
        throw new IllegalArgumentException(
            "--test-fraction would carve TEST rows, but the data has "
                + ds.rows(Split.TEST).size()
                + " TEST rows of its own ("
                + (testFile != null
                    ? "--test-file"
                    : files.isEmpty() ? "the bundled dataset's TEST file" : "its split column")
                + "); drop the option");
      }
      ds = ValidationSplit.carve(ds, Split.TEST, testFraction, seed, true);
      carvedTest = true;
      record.put("testCarved", Map.of("fraction", testFraction, "seed", seed));
    }
    double fraction = validFraction == null ? DEFAULT_VALID_FRACTION : validFraction;
    if (!(fraction >= 0 && fraction < 1)) {
      throw new IllegalArgumentException("--valid-fraction must be in [0, 1), got " + fraction);
    }
    if (!ds.rows(Split.VALID).isEmpty()) {
      if (validFraction != null) {
        throw new IllegalArgumentException(
            "--valid-fraction would carve VALID rows, but the data has "
                + ds.rows(Split.VALID).size()
                + " VALID rows of its own (from its split column); drop the option");
      }
    } else if (fraction > 0) {
      ds = ValidationSplit.carve(ds, fraction, seed);
      carved = true;
      record.put("validCarved", Map.of("fraction", fraction, "seed", seed));
    }
    if (splitSeed != null && !carved && !carvedTest) {
      throw new IllegalArgumentException(
          "--split-seed seeds the TEST and VALID carves, but "
              + (ds.rows(Split.VALID).isEmpty()
                  ? "--valid-fraction 0 carves none"
                  : "the data has " + ds.rows(Split.VALID).size() + " VALID rows of its own")
              + " and no --test-fraction is given; drop the option");
    }
    return ds;
  }

  private MultiViewDataset readSingle(Missing policy) {
    for (String option : List.of("--join-column", "--drop-unmatched")) {
      if (matched(option)) {
        throw new IllegalArgumentException(
            option
                + " joins several --file tables (one per view); a single table's"
                + " views come from --views");
      }
    }
    ViewFileArg arg = ViewFileArg.parse(files.get(0));
    if (arg.view() != null) {
      throw new IllegalArgumentException(
          "--file "
              + files.get(0)
              + ": VIEW=PATH names the view of one of several"
              + " joined files; a single table's views come from --views");
    }
    TableOptions.Builder b =
        TableOptions.builder()
            .labelColumn(label)
            .splitColumn(splitColumn)
            .keepMissing(policy != Missing.error);
    if (views != null) {
      b.viewMap(views);
    }
    TableOptions options = b.build();
    MultiViewDataset ds = withMissingHint(() -> readTable(arg.path(), options));
    if (testFile != null) {
      // Pin the class order of the first table, so that the test table's labels index the same
      // classes.
      MultiViewDataset test =
          withMissingHint(
              () -> readTable(testFile, options.toBuilder().classNames(ds.classNames()).build()));
      return MultiViewDataset.concat(ds.name(), ds, test.withSplit(Split.TEST));
    }
    return ds;
  }

  private MultiViewDataset readJoined(Missing policy) {
    if (joinColumn == null) {
      throw new IllegalArgumentException(
          "several --file tables are joined on a row id column: name it with"
              + " --join-column COL");
    }
    if (label == null) {
      throw new IllegalArgumentException(
          "several --file tables: name the label column with --label COL (it may be"
              + " in any of the files)");
    }
    for (String option : List.of("--views", "--test-file")) {
      if (matched(option)) {
        throw new IllegalArgumentException(
            option
                + " describes a single table; with several --file tables each file"
                + " is one view (name it with --file VIEW=PATH) and TEST rows come from --split-column or --test-fraction");
      }
    }
    TableJoin.TextFormat textFormat = null;
    if (format != null) {
      textFormat =
          switch (format) {
            case arff -> TableJoin.TextFormat.ARFF;
            case csv -> TableJoin.TextFormat.CSV;
            case tsv -> TableJoin.TextFormat.TSV;
            case npy, npz ->
                throw new IllegalArgumentException(
                    "--format "
                        + format
                        + ": joined views are text tables"
                        + " (.csv, .tsv, .arff); an .npz holds several views already (--views)");
          };
    }
    List<TableJoin.ViewFile> viewFiles = new ArrayList<>();
    for (String f : files) {
      ViewFileArg arg = ViewFileArg.parse(f);
      String view = arg.view() != null ? arg.view() : stem(arg.path());
      if (arg.view() == null && !ViewMap.validModalityName(view)) {
        throw new IllegalArgumentException(
            "--file "
                + f
                + ": the view would be named '"
                + view
                + "', which is not"
                + " a view name (letters, digits, _ . -); name it: --file NAME="
                + f);
      }
      viewFiles.add(new TableJoin.ViewFile(view, arg.path(), textFormat));
    }
    TableOptions options =
        TableOptions.builder()
            .labelColumn(label)
            .splitColumn(splitColumn)
            .joinColumn(joinColumn)
            .keepMissing(policy != Missing.error)
            .build();
    TableJoin.Result joined;
    try {
      joined = withMissingHint(() -> TableJoin.read(viewFiles, options, dropUnmatched));
    } catch (TableJoin.UnmatchedRowsException e) {
      throw new IllegalArgumentException(
          e.getMessage() + "; keep only the rows in every file with --drop-unmatched", e);
    }
    notes.addAll(joined.notes());
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("column", joinColumn);
    Map<String, String> fileOf = new LinkedHashMap<>();
    viewFiles.forEach(v -> fileOf.put(v.view(), v.path().toString()));
    j.put("files", fileOf);
    j.put("notes", joined.notes());
    record.put("join", j);
    return joined.dataset();
  }

  /** A missing-values refusal says which option handles it. */
  private static <T> T withMissingHint(java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (MissingValuesException e) {
      throw new IllegalArgumentException(
          e.getMessage()
              + "; give --missing mean (fill each with its feature's TRAIN"
              + " mean) or --missing drop (drop those rows)",
          e);
    }
  }

  /**
   * {@code --file [VIEW=]PATH}: a view name only where the text before '=' is one and the whole is
   * no file.
   */
  record ViewFileArg(String view, Path path) {
    static ViewFileArg parse(String text) {
      int eq = text.indexOf('=');
      if (eq > 0
          && ViewMap.validModalityName(text.substring(0, eq))
          && !Files.exists(Path.of(text))) {
        return new ViewFileArg(text.substring(0, eq), Path.of(text.substring(eq + 1)));
      }
      return new ViewFileArg(null, Path.of(text));
    }
  }

  private static String stem(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  private static String splitCounts(Map<Split, Integer> counts) {
    StringBuilder b = new StringBuilder();
    counts.forEach((s, n) -> b.append(b.length() == 0 ? "" : ", ").append(s).append(' ').append(n));
    return b.toString();
  }

  private static Map<String, Integer> names(Map<Split, Integer> counts) {
    Map<String, Integer> out = new LinkedHashMap<>();
    counts.forEach((s, n) -> out.put(s.name(), n));
    return out;
  }

  /**
   * What {@link #load} did to the rows (joins, missing values), one line each; empty when nothing.
   */
  List<String> notes() {
    return List.copyOf(notes);
  }

  /** What {@link #load} did, for metrics.json: joins, missing values, carves. */
  Map<String, Object> record() {
    return new LinkedHashMap<>(record);
  }

  /** One line about the splits for the log: their sizes and where they come from. */
  String describeSplits(MultiViewDataset ds) {
    String from;
    if (layout != null) {
      from = "the layout's TRAIN/TEST annotation files";
    } else if (files.isEmpty()) {
      from = "the bundled dataset's TRAIN/TEST";
    } else {
      from =
          splitColumn != null
              ? "split column '" + splitColumn + "'"
              : "no split column: every row TRAIN";
      if (testFile != null) {
        from += ", TEST rows from " + testFile.getFileName();
      }
    }
    if (carvedTest) {
      from += ", TEST carved from TRAIN";
    }
    if (carved) {
      from += ", VALID carved from TRAIN";
    }
    return String.format(Locale.ROOT, "splits %s (%s)", ds.splitCounts(), from);
  }

  /**
   * A warning when the data has no TEST rows (no TEST figures then), naming how to get them; null
   * otherwise.
   */
  String noTestWarning(MultiViewDataset ds) {
    if (!ds.rows(Split.TEST).isEmpty()) {
      return null;
    }
    return "warning: the data has no TEST rows, so there are no TEST figures"
        + (splitColumn == null
            ? " (no split column named)"
            : " (split column '" + splitColumn + "' names none)")
        + "; carve some with --test-fraction F, name the column or array of TRAIN/VALID/TEST with --split-column,"
        + " or give a TEST table with --test-file";
  }

  private boolean matched(String option) {
    if (command == null
        || command.commandLine() == null
        || command.commandLine().getParseResult() == null) {
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
      case npy ->
          TableReader.read(path, options); // a .npy file names its directory's feature array
    };
  }
}
