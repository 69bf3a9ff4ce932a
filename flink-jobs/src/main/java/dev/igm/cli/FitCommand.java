package dev.igm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.igm.avro.Split;
import dev.igm.core.config.ConfigProblems;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.IgmConfigBuilder;
import dev.igm.core.config.IgmSettings;
import dev.igm.core.fit.Evaluation;
import dev.igm.core.fit.OfflineFit;
import dev.igm.core.fit.SnapshotContinuation;
import dev.igm.core.train.TrainerSnapshot;
import dev.igm.data.MultiViewDataset;
import dev.igm.local.OutputFolder;
import dev.igm.report.MetricsTable;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code igm fit}: offline training on a dataset, with optional hyper-parameter selection on the
 * VALID split.
 */
@Command(
    name = "fit",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      // one string per paragraph: picocli wraps each to the terminal's width
      "Trains models offline on a dataset, in the order a replay streams it, and scores them.",
      "",
      "Trains models offline on a multi-view dataset, in exactly the batch order a streamed replay delivers,"
          + " evaluates them on VALID and TEST (Acc / macro-F1 / MAP per modality and fused), and writes for each"
          + " method a snapshot (model.safetensors + model.json) and metrics.json under --out. Both record the"
          + " configuration the model was actually trained with. --out is written whole or not at all, and never"
          + " replaced silently.",
      "",
      "VALID is scored after every epoch; the model kept is the one of the epoch with the best VALID score"
          + " (--select-by; ties: the earliest epoch), unless --epoch-selection last. With --grid, every combination"
          + " is trained (each keeping its best epoch) and the one with the best VALID score is kept. The TEST split"
          + " is never used for selection. A model that diverges (non-finite scores) gets NaN figures, is marked"
          + " diverged and never wins the selection.",
      "",
      "MLA's alpha follows 0.1^(1 + b/nb) over each epoch (b: the batch within the epoch, nb: TRAIN rows / batch"
          + " size, rounded), unless --set mla.alpha=A asks for a constant or --set mla.batches-per-epoch=N for"
          + " another nb.",
      "",
      "With --init-from, the snapshot's model (same modalities, encoders, head widths and classes) is trained on"
          + " with this command's settings; a setting not given here keeps the snapshot's value. Its optimizer"
          + " state, covariances, T and MLA projectors carry over where the new settings use them (the log says"
          + " which).",
    },
    footer = {
      "",
      "Examples:",
      "  igm fit --methods joint,mla,igm --grid 'lr=0.01,0.05;tau=0.4,1.0'",
      "  igm fit --file data.csv --views 'visible=1,2,5,6,text=7-20' --missing mean",
      "  igm fit --file data.csv --test-fraction 0.2 --epoch-selection last",
      "  igm fit --file a=a.csv --file b=b.csv --join-column id --label class",
      "  igm fit --dataset segment --out target/igm-fit --force",
      "  igm fit --layout cremad --root av-bench --image-size 32 --spectrogram-size 64x64 --frames 2 \\",
      "      --methods joint,igm --epochs 10 --set lr.warmup.batches=150",
    })
public final class FitCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Mixin DatasetSource data = new DatasetSource();

  @Option(
      names = {"--methods", "--method"},
      split = ",",
      description =
          "Methods to train, comma-separated: joint, unimodal-<view>, mla, igm-nosam, igm. Default: igm"
              + " (with --init-from: the snapshot's method).")
  List<String> methods;

  @Option(
      names = "--epochs",
      defaultValue = "30",
      description = "Passes over the TRAIN rows. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(names = "--batch-size", description = "Mini-batch size (knob batch.size, default 64).")
  Integer batchSize;

  @Option(names = "--schedule", description = "phased or interleaved (default phased).")
  String schedule;

  @Option(names = "--lr", description = "Learning rate (default 0.01).")
  Double lr;

  @Option(
      names = "--tau",
      description = "Temperature of the flat modification matrix (default 0.4).")
  Double tau;

  @Option(names = "--rho", description = "SAM radius (knob sam.rho, default 0.05).")
  Double rho;

  @Option(
      names = "--seed",
      description =
          "Seed of initialisation, the epoch order and mixup. Default: "
              + DEFAULT_SEED
              + " (with --init-from, the model keeps the snapshot's seed).")
  Long seed;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Any model knob by its documented name, e.g. --set phase.batches=5 --set head.widths=128,32."
              + " A knob that has its own option here (batch.size, schedule, lr, tau, sam.rho, seed) is set with it.")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(
      names = "--grid",
      paramLabel = "SPEC",
      description =
          "Hyper-parameter grid 'knob=v1,v2;knob2=w1,w2', selected on VALID (needs VALID rows).")
  String grid;

  @Option(
      names = "--select-by",
      defaultValue = "fused.acc",
      description =
          "VALID metric that selects the epoch and among --grid combinations: <view>|fused.acc|f1|map"
              + " (joint also mean-softmax.*). Default: ${DEFAULT-VALUE}.")
  String selectBy;

  enum EpochSelection {
    best,
    last
  }

  @Option(
      names = "--epoch-selection",
      paramLabel = "MODE",
      description =
          "best: keep the model of the epoch with the best VALID --select-by; last: the final epoch's."
              + " Default: best when there are VALID rows, else last.")
  EpochSelection epochSelection;

  @Option(
      names = "--test-curve",
      description =
          "Also score TEST after every epoch and record it beside VALID in metrics.json, for igm report --fit"
              + " (each modality's accuracy over training). Never used for any choice; costs one TEST pass per epoch.")
  boolean testCurve;

  @Option(
      names = "--init-from",
      paramLabel = "SNAPSHOT",
      description = "Continue the model of a snapshot (.safetensors) with this command's settings.")
  Path initFrom;

  @Option(
      names = "--out",
      defaultValue = "target/igm-fit",
      description =
          "Output folder; one that holds something is refused unless --force. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--force", description = "Replace the results of an earlier igm fit in --out.")
  boolean force;

  @Option(names = "--quiet", description = "No per-epoch progress.")
  boolean quiet;

  static final long DEFAULT_SEED = 42;

  /** Knobs that have an option of their own, and that option. */
  private static final Map<String, String> OWN_OPTIONS =
      Map.of(
          "batch.size",
          "--batch-size",
          "schedule",
          "--schedule",
          "lr",
          "--lr",
          "tau",
          "--tau",
          "sam.rho",
          "--rho",
          "seed",
          "--seed");

  /** Knobs that come from elsewhere than --set/--grid, and where. */
  private static final Map<String, String> NOT_SETTABLE =
      Map.of(
          "method",
          "--methods",
          "modalities",
          "the table's views (--views)",
          "num.classes",
          "the table's labels");

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    GridSpec gridSpec = GridSpec.parse(grid);
    checkKnobSources(gridSpec);
    checkOut();
    MultiViewDataset ds = data.load();
    boolean hasValid = !ds.rows(Split.VALID).isEmpty();
    if (gridSpec.combinations().size() > 1 && !hasValid) {
      throw new IllegalArgumentException(
          "--grid selects on the VALID rows, and there are none"
              + " (--valid-fraction 0 and no VALID split): give --valid-fraction F or a split column with VALID rows");
    }
    if (epochSelection == EpochSelection.best && !hasValid) {
      throw new IllegalArgumentException(
          "--epoch-selection best chooses the epoch on the VALID rows, and there are"
              + " none: give --valid-fraction F or a split column with VALID rows, or drop the option");
    }
    if (testCurve && ds.rows(Split.TEST).isEmpty()) {
      throw new IllegalArgumentException(
          "--test-curve scores TEST after every epoch, and the data has no TEST rows");
    }
    boolean bestEpoch = epochSelection == null ? hasValid : epochSelection == EpochSelection.best;
    err.printf(
        Locale.ROOT,
        "dataset %s: %d classes, views %s, %s%n",
        ds.name(),
        ds.classCount(),
        ds.viewWidths(),
        data.describeSplits(ds));
    data.notes().forEach(err::println);
    String noTest = data.noTestWarning(ds);
    if (noTest != null) {
      err.println(noTest);
    }
    TrainerSnapshot snapshot = initFrom == null ? null : TrainerSnapshot.read(initFrom);
    IgmConfig snapshotConfig = snapshot == null ? null : SnapshotContinuation.configOf(snapshot);
    List<String> methodList =
        methods != null
            ? methods
            : List.of(snapshotConfig != null ? snapshotConfig.methodName() : "igm");
    Set<String> distinct = new LinkedHashSet<>(methodList);
    if (distinct.size() != methodList.size()) {
      throw new IllegalArgumentException("--methods lists a method twice: " + methodList);
    }
    // every configuration is built (and so validated) before the first one trains
    Map<String, List<IgmConfig>> configs = new LinkedHashMap<>();
    for (String method : methodList) {
      List<IgmConfig> list = new ArrayList<>();
      for (Map<String, String> combo : gridSpec.combinations()) {
        list.add(config(ds, method, combo, snapshotConfig));
      }
      checkSelectBy(list.get(0));
      configs.put(method, list);
    }
    long orderSeed = seed == null ? DEFAULT_SEED : seed;

    List<String> groups = new ArrayList<>(ds.modalities());
    groups.add("fused");
    MetricsTable testTable = new MetricsTable(groups);
    MetricsTable validTable = new MetricsTable(groups);
    Map<String, Object> summary = new LinkedHashMap<>();
    // progress over the whole command: epochs of every method and grid point
    long totalEpochs = (long) methodList.size() * gridSpec.combinations().size() * epochs;
    long[] epochsDone = {0};
    long started = System.nanoTime();
    try (OutputFolder output = OutputFolder.stage(out)) {
      Path work = output.work();
      for (String method : methodList) {
        Selection best = null;
        List<Map<String, Object>> tried = new ArrayList<>();
        List<Map<String, String>> combos = gridSpec.combinations();
        for (int k = 0; k < combos.size(); k++) {
          Map<String, String> combo = combos.get(k);
          IgmConfig config = configs.get(method).get(k);
          if (!quiet) {
            err.printf(Locale.ROOT, "== %s %s%n", method, combo.isEmpty() ? "" : combo);
          }
          OfflineFit fit = OfflineFit.of(ds, config, epochs, orderSeed);
          if (bestEpoch) {
            fit.selectBestEpoch(selectBy);
          }
          if (testCurve) {
            fit.scoreTestEachEpoch();
          }
          if (snapshot != null) {
            fit.initFrom(snapshot);
            if (!quiet || k == 0) {
              err.printf(
                  Locale.ROOT,
                  "init-from %s (%s, %s batches): %s%n",
                  initFrom,
                  snapshotConfig.methodName(),
                  snapshot.metadataMap().get("batches"),
                  String.join("; ", fit.initNotes()));
            }
          }
          long epochsBefore = epochsDone[0];
          fit.onEpoch(
              p -> {
                epochsDone[0] = epochsBefore + p.epoch();
                if (!quiet) {
                  err.printf(
                      Locale.ROOT,
                      "  epoch %3d/%d  batches %5d  loss %.4f  valid %s %.4f%s  (%.1fs)  %s%n",
                      p.epoch(),
                      p.epochs(),
                      p.batches(),
                      p.meanLoss(),
                      selectBy,
                      p.valid().getOrDefault(selectBy, Double.NaN),
                      p.best() ? " *" : "",
                      p.seconds(),
                      ProgressLine.percentAndEta(
                          epochsDone[0], totalEpochs, System.nanoTime() - started));
                }
              });
          OfflineFit.Result r = fit.run();
          epochsDone[0] = epochsBefore + epochs;
          double score = r.valid().getOrDefault(selectBy, Double.NaN);
          // divergence is judged on VALID only: selection never looks at TEST
          boolean usable = r.nonFiniteValid() == 0 && !Double.isNaN(score);
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("combination", combo);
          entry.put("epoch", r.epoch());
          entry.put("valid." + selectBy, score);
          entry.put("diverged", r.diverged());
          entry.put("refusedSteps", r.refusedSteps());
          tried.add(entry);
          if (r.diverged()) {
            err.printf(
                Locale.ROOT,
                "%s %s diverged: non-finite scores on %d VALID and %d TEST rows, %d refused steps;"
                    + " its figures are NaN and it is not selected%n",
                method,
                combo.isEmpty() ? "" : combo,
                r.nonFiniteValid(),
                r.nonFiniteTest(),
                r.refusedSteps());
          }
          Selection candidate = new Selection(combo, r, score, usable);
          if (best == null || candidate.beats(best)) {
            if (best != null) {
              best.result.trainer().close();
            }
            best = candidate;
          } else {
            r.trainer().close();
          }
        }
        if (!best.usable && combos.size() > 1) {
          err.printf(
              Locale.ROOT,
              "warning: no combination of %s has a finite VALID %s; keeping the first%n",
              method,
              selectBy);
        }
        Path dir = work.resolve(method);
        Files.createDirectories(dir);
        Map<String, Double> metrics = new LinkedHashMap<>();
        best.result.valid().forEach((k, v) -> metrics.put("valid." + k, v));
        best.result.test().forEach((k, v) -> metrics.put("test." + k, v));
        TrainerSnapshot.capture(best.result.trainer(), metrics)
            .write(dir.resolve("model.safetensors"));
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("method", best.result.trainer().config().methodName());
        record.put("selected", best.combo);
        // what the trainer actually trained with, read back from it
        record.put("config", best.result.trainer().config().toMap());
        record.put("epochs", epochs);
        record.put("epoch", best.result.epoch());
        record.put("epochSelection", epochSelectionRecord(bestEpoch, best.result));
        record.put("epochOrderSeed", orderSeed);
        record.put("dataset", datasetRecord(ds));
        if (snapshot != null) {
          record.put(
              "initFrom",
              Map.of("snapshot", initFrom.toString(), "method", snapshotConfig.methodName()));
        }
        record.put("batches", best.result.batches());
        record.put("samplesTrained", best.result.trainer().samplesTrained());
        record.put("refusedSteps", best.result.refusedSteps());
        record.put("diverged", best.result.diverged());
        record.put(
            "nonFiniteScores",
            Map.of("valid", best.result.nonFiniteValid(), "test", best.result.nonFiniteTest()));
        record.put("seconds", best.result.seconds());
        record.put("selectBy", "valid." + selectBy);
        record.put("grid", tried);
        record.put("valid", best.result.valid());
        record.put("test", best.result.test());
        JSON.writeValue(dir.resolve("metrics.json").toFile(), record);
        summary.put(method, record);
        String row = best.result.diverged() ? method + " (diverged)" : method;
        testTable.add(row, best.result.test());
        validTable.add(row, best.result.valid());
        err.printf(
            Locale.ROOT,
            "%s: selected %s, epoch %d of %d%s, %d batches in %.1fs -> %s%n",
            method,
            best.combo,
            best.result.epoch(),
            epochs,
            bestEpoch ? " (best VALID " + selectBy + ")" : " (the last)",
            best.result.batches(),
            best.result.seconds(),
            output.target().resolve(method).resolve("model.safetensors"));
        best.result.trainer().close();
      }
      JSON.writeValue(work.resolve("summary.json").toFile(), summary);
      Files.writeString(work.resolve("table.md"), testTable.markdown());
      output.commit();
    }
    stdout.println("VALID");
    stdout.print(validTable.text());
    stdout.println("TEST" + (ds.rows(Split.TEST).isEmpty() ? " (no TEST rows)" : ""));
    stdout.print(testTable.text());
    stdout.flush();
    err.flush();
    return 0;
  }

  /**
   * --out must not hold anything, unless --force replaces an earlier igm fit's results (a folder
   * with its summary.json): checked before training, so that a long fit is not refused at its end.
   */
  private void checkOut() throws java.io.IOException {
    Path target = out.toAbsolutePath().normalize();
    if (Files.exists(target) && !Files.isDirectory(target)) {
      throw new IllegalArgumentException("--out " + out + " is a file, not a folder");
    }
    List<String> held = OutputFolder.contents(target);
    if (held.isEmpty()) {
      return; // --force too: a script may pass it on every run
    }
    String shown =
        held.size() <= 4
            ? String.join(", ", held)
            : String.join(", ", held.subList(0, 4)) + ", ...";
    if (!force) {
      throw new IllegalArgumentException(
          "--out "
              + out
              + " already holds results ("
              + shown
              + "); give another"
              + " --out, or --force to replace them");
    }
    if (!Files.exists(target.resolve("summary.json"))) {
      throw new IllegalArgumentException(
          "--out "
              + out
              + " holds files that are not igm fit results ("
              + shown
              + "); --force replaces only an igm fit output folder: give another --out");
    }
  }

  private Map<String, Object> epochSelectionRecord(boolean bestEpoch, OfflineFit.Result r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", bestEpoch ? "best" : "last");
    if (bestEpoch) {
      m.put("metric", "valid." + selectBy);
    }
    m.put("epoch", r.epoch());
    List<Map<String, Object>> curve = new ArrayList<>();
    for (OfflineFit.EpochScore e : r.curve()) {
      Map<String, Object> point = new LinkedHashMap<>();
      point.put("epoch", e.epoch());
      point.put("batches", e.batches());
      point.put("loss", e.meanLoss());
      if (!e.valid().isEmpty()) {
        point.put("valid", e.valid());
      }
      if (!e.test().isEmpty()) {
        point.put("test", e.test()); // --test-curve: for the picture only
      }
      if (e.nonFiniteValid() > 0) {
        point.put("nonFiniteValid", e.nonFiniteValid());
      }
      curve.add(point);
    }
    m.put("validCurve", curve);
    if (testCurve) {
      m.put(
          "testInCurve",
          "TEST scored after every epoch for the picture only; the epoch kept reads VALID");
    }
    return m;
  }

  private Map<String, Object> datasetRecord(MultiViewDataset ds) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", ds.name());
    m.put("classes", ds.classCount());
    m.put("views", ds.viewWidths());
    Map<String, Integer> splits = new LinkedHashMap<>();
    ds.splitCounts().forEach((s, n) -> splits.put(s.name(), n));
    m.put("splits", splits);
    m.putAll(data.record()); // joins, missing values, carves
    return m;
  }

  /**
   * A knob may come from one place only: its own option, --set, or --grid; and never one the data
   * or --methods fix. Every --set and --grid knob must exist and every value read as its type: all
   * problems are reported at once.
   */
  private void checkKnobSources(GridSpec gridSpec) {
    ConfigProblems problems = new ConfigProblems();
    Map<String, String> sources = new LinkedHashMap<>();
    Map<String, Object> own = new LinkedHashMap<>();
    own.put("batch.size", batchSize);
    own.put("schedule", schedule);
    own.put("lr", lr);
    own.put("tau", tau);
    own.put("sam.rho", rho);
    own.put("seed", seed);
    own.forEach(
        (knob, v) -> {
          if (v != null) {
            sources.put(knob, OWN_OPTIONS.get(knob));
          }
        });
    settings.forEach(
        (knob, value) -> {
          if (problems.attempt(() -> check(knob, "--set", sources))) {
            problems.attempt(() -> checkValue(knob, value, "--set " + knob + "=" + value));
          }
        });
    for (String knob : gridSpec.knobs()) {
      if (problems.attempt(() -> check(knob, "--grid", sources))) {
        for (String value : gridSpec.values(knob)) {
          problems.attempt(() -> checkValue(knob, value, "--grid " + knob + "=" + value));
        }
      }
    }
    if (sources.containsKey("mla.alpha") && sources.containsKey("mla.batches-per-epoch")) {
      problems.add(
          "mla.alpha (a constant alpha) and mla.batches-per-epoch (alpha by the batch of the epoch) exclude"
              + " each other: give one");
    }
    problems.throwIfAny();
  }

  private static void check(String knob, String where, Map<String, String> sources) {
    if (NOT_SETTABLE.containsKey(knob)) {
      throw new IllegalArgumentException(
          where + " " + knob + ": it comes from " + NOT_SETTABLE.get(knob));
    }
    if (knob.equals("seed")) {
      throw new IllegalArgumentException(
          where + " seed: use --seed, which seeds the epoch order too");
    }
    if (OWN_OPTIONS.containsKey(knob) && where.equals("--set")) {
      throw new IllegalArgumentException("--set " + knob + ": use " + OWN_OPTIONS.get(knob));
    }
    try {
      IgmSettings.named(knob);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + " " + knob + ": " + e.getMessage(), e);
    }
    String previous = sources.put(knob, where);
    if (previous != null) {
      throw new IllegalArgumentException(
          knob + " is given by both " + previous + " and " + where + "; give it once");
    }
  }

  /** The value reads as the knob's type and meets its requirement. */
  private static void checkValue(String knob, String value, String given) {
    try {
      validate(IgmSettings.named(knob), value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(given + ": " + e.getMessage(), e);
    }
  }

  private static <T> void validate(dev.igm.core.config.Setting<T> setting, String value) {
    setting.validate(setting.parse(value));
  }

  private void checkSelectBy(IgmConfig config) {
    List<String> keys = Evaluation.metricKeys(config);
    if (!keys.contains(selectBy)) {
      throw new IllegalArgumentException(
          "--select-by "
              + selectBy
              + " is not a metric of method "
              + config.methodName()
              + "; choose one of "
              + keys);
    }
  }

  private IgmConfig config(
      MultiViewDataset ds, String method, Map<String, String> combo, IgmConfig snapshotConfig) {
    IgmConfigBuilder b;
    if (snapshotConfig != null) {
      // continue the snapshot's model: its encoders (fit has no options for them) and, unless given
      // here, its knobs
      b = snapshotConfig.toBuilder().modalities(snapshotConfig.modalities());
    } else {
      b = IgmConfig.builder().modalities(data.modalities(ds)).seed(DEFAULT_SEED);
    }
    b.method(method).numClasses(ds.classCount()).deterministic(true);
    if (seed != null) {
      b.seed(seed);
    }
    if (batchSize != null) {
      b.batchSize(batchSize);
    }
    if (schedule != null) {
      b.set("schedule", schedule);
    }
    if (lr != null) {
      b.lr(lr);
    }
    if (tau != null) {
      b.tau(tau);
    }
    if (rho != null) {
      b.samRho(rho);
    }
    settings.forEach(b::set);
    combo.forEach(b::set);
    boolean alphaGiven = settings.containsKey("mla.alpha") || combo.containsKey("mla.alpha");
    boolean nbGiven =
        settings.containsKey("mla.batches-per-epoch") || combo.containsKey("mla.batches-per-epoch");
    if (alphaGiven) {
      b.mlaBatchesPerEpoch(0); // a constant alpha, as asked
    }
    IgmConfig config = b.build();
    if (config.method() == IgmConfig.Method.MLA && !alphaGiven && !nbGiven) {
      // igm fit knows its epochs: alpha by the batch within the epoch
      config =
          config.toBuilder()
              .mlaBatchesPerEpoch(OfflineFit.batchesPerEpoch(ds, config.batchSize()))
              .build();
    }
    return config;
  }

  private record Selection(
      Map<String, String> combo, OfflineFit.Result result, double score, boolean usable) {
    /**
     * A usable result beats an unusable one; among usable ones, the higher VALID score wins (ties:
     * the first).
     */
    boolean beats(Selection other) {
      if (usable != other.usable) {
        return usable;
      }
      return usable && score > other.score;
    }
  }
}
