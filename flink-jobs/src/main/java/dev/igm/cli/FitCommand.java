package dev.igm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.igm.avro.Split;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.fit.Evaluation;
import dev.igm.core.fit.OfflineFit;
import dev.igm.core.fit.SnapshotContinuation;
import dev.igm.report.MetricsTable;
import dev.igm.core.train.TrainerSnapshot;
import dev.igm.data.MultiViewDataset;
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

/** {@code igm fit}: offline training on a dataset, with optional hyper-parameter selection on the VALID split. */
@Command(
    name = "fit",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Trains models offline on a multi-view dataset, in exactly the batch order a streamed replay delivers,",
      "evaluates them on VALID and TEST (Acc / macro-F1 / MAP per modality and fused), and writes for each method",
      "a snapshot (model.safetensors + model.json) and metrics.json under --out. Both record the configuration",
      "the model was actually trained with.",
      "",
      "With --grid, every combination is trained and the one with the best VALID score (--select-by) is kept;",
      "the TEST split is never used for selection. A model that diverges (non-finite scores) gets NaN figures, is",
      "marked diverged and never wins the selection.",
      "",
      "MLA's alpha follows 0.1^(1 + b/nb) over each epoch (b: the batch within the epoch, nb: TRAIN rows / batch",
      "size, rounded), unless --set mla.alpha=A asks for a constant or --set mla.batches-per-epoch=N for another nb.",
      "",
      "With --init-from, the snapshot's model (same modalities, encoders, head widths and classes) is trained on",
      "with this command's settings; a setting not given here keeps the snapshot's value. Its optimizer state,",
      "covariances, T and MLA projectors carry over where the new settings use them (the log says which).",
      "",
      "Example: igm fit --methods joint,mla,igm --epochs 30 --grid 'lr=0.01,0.05;tau=0.4,1.0'"
    })
public final class FitCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Mixin DatasetSource data = new DatasetSource();

  @Option(names = {"--methods", "--method"}, split = ",",
      description = "Methods to train, comma-separated: joint, unimodal-<view>, mla, igm-nosam, igm. Default: igm"
          + " (with --init-from: the snapshot's method).")
  List<String> methods;

  @Option(names = "--epochs", defaultValue = "30", description = "Passes over the TRAIN rows. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(names = "--batch-size", description = "Mini-batch size (knob batch.size, default 64).")
  Integer batchSize;

  @Option(names = "--schedule", description = "phased or interleaved (default phased).")
  String schedule;

  @Option(names = "--lr", description = "Learning rate (default 0.01).")
  Double lr;

  @Option(names = "--tau", description = "Temperature of the flat modification matrix (default 0.4).")
  Double tau;

  @Option(names = "--rho", description = "SAM radius (knob sam.rho, default 0.05).")
  Double rho;

  @Option(names = "--seed",
      description = "Seed of initialisation, the epoch order and mixup. Default: " + DEFAULT_SEED
          + " (with --init-from, the model keeps the snapshot's seed).")
  Long seed;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Any model knob by its documented name, e.g. --set phase.batches=5 --set head.widths=128,32."
          + " A knob that has its own option here (batch.size, schedule, lr, tau, sam.rho, seed) is set with it.")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--grid", paramLabel = "SPEC",
      description = "Hyper-parameter grid 'knob=v1,v2;knob2=w1,w2', selected on VALID (needs VALID rows).")
  String grid;

  @Option(names = "--select-by", defaultValue = "fused.acc",
      description = "VALID metric that selects among --grid combinations: <view>|fused.acc|f1|map (joint also"
          + " mean-softmax.*). Default: ${DEFAULT-VALUE}.")
  String selectBy;

  @Option(names = "--init-from", paramLabel = "SNAPSHOT",
      description = "Continue the model of a snapshot (.safetensors) with this command's settings.")
  Path initFrom;

  @Option(names = "--out", defaultValue = "target/igm-fit", description = "Output folder. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--quiet", description = "No per-epoch progress.")
  boolean quiet;

  static final long DEFAULT_SEED = 42;

  /** Knobs that have an option of their own, and that option. */
  private static final Map<String, String> OWN_OPTIONS = Map.of(
      "batch.size", "--batch-size", "schedule", "--schedule", "lr", "--lr", "tau", "--tau", "sam.rho", "--rho",
      "seed", "--seed");

  /** Knobs that come from elsewhere than --set/--grid, and where. */
  private static final Map<String, String> NOT_SETTABLE = Map.of(
      "method", "--methods", "modalities", "the table's views (--views)", "num.classes", "the table's labels");

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    GridSpec gridSpec = GridSpec.parse(grid);
    checkKnobSources(gridSpec);
    MultiViewDataset ds = data.load();
    err.printf(Locale.ROOT, "dataset %s: %d classes, views %s, %s%n", ds.name(), ds.classCount(), ds.viewWidths(),
        data.describeSplits(ds));
    String noTest = data.noTestWarning(ds);
    if (noTest != null) {
      err.println(noTest);
    }
    if (gridSpec.combinations().size() > 1 && ds.rows(Split.VALID).isEmpty()) {
      throw new IllegalArgumentException("--grid selects on the VALID rows, and there are none"
          + " (--valid-fraction 0 and no VALID split): give --valid-fraction F or a split column with VALID rows");
    }
    TrainerSnapshot snapshot = initFrom == null ? null : TrainerSnapshot.read(initFrom);
    IgmConfig snapshotConfig = snapshot == null ? null : SnapshotContinuation.configOf(snapshot);
    List<String> methodList = methods != null ? methods
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
        if (snapshot != null) {
          fit.initFrom(snapshot);
          if (!quiet || k == 0) {
            err.printf(Locale.ROOT, "init-from %s (%s, %s batches): %s%n", initFrom, snapshotConfig.methodName(),
                snapshot.metadataMap().get("batches"), String.join("; ", fit.initNotes()));
          }
        }
        if (!quiet) {
          fit.onEpoch(p -> err.printf(Locale.ROOT, "  epoch %3d/%d  batches %5d  loss %.4f  valid %s %.4f  (%.1fs)%n",
              p.epoch(), p.epochs(), p.batches(), p.meanLoss(), selectBy,
              p.valid().getOrDefault(selectBy, Double.NaN), p.seconds()));
        }
        OfflineFit.Result r = fit.run();
        double score = r.valid().getOrDefault(selectBy, Double.NaN);
        // divergence is judged on VALID only: selection never looks at TEST
        boolean usable = r.nonFiniteValid() == 0 && !Double.isNaN(score);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("combination", combo);
        entry.put("valid." + selectBy, score);
        entry.put("diverged", r.diverged());
        entry.put("refusedSteps", r.refusedSteps());
        tried.add(entry);
        if (r.diverged()) {
          err.printf(Locale.ROOT, "%s %s diverged: non-finite scores on %d VALID and %d TEST rows, %d refused steps;"
              + " its figures are NaN and it is not selected%n", method, combo.isEmpty() ? "" : combo,
              r.nonFiniteValid(), r.nonFiniteTest(), r.refusedSteps());
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
        err.printf(Locale.ROOT, "warning: no combination of %s has a finite VALID %s; keeping the first%n", method,
            selectBy);
      }
      Path dir = out.resolve(method);
      Files.createDirectories(dir);
      Map<String, Double> metrics = new LinkedHashMap<>();
      best.result.valid().forEach((k, v) -> metrics.put("valid." + k, v));
      best.result.test().forEach((k, v) -> metrics.put("test." + k, v));
      TrainerSnapshot.capture(best.result.trainer(), metrics).write(dir.resolve("model.safetensors"));
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("method", best.result.trainer().config().methodName());
      record.put("selected", best.combo);
      // what the trainer actually trained with, read back from it
      record.put("config", best.result.trainer().config().toMap());
      record.put("epochs", epochs);
      record.put("epochOrderSeed", orderSeed);
      record.put("dataset", datasetRecord(ds));
      if (snapshot != null) {
        record.put("initFrom", Map.of("snapshot", initFrom.toString(), "method", snapshotConfig.methodName()));
      }
      record.put("batches", best.result.batches());
      record.put("samplesTrained", best.result.trainer().samplesTrained());
      record.put("refusedSteps", best.result.refusedSteps());
      record.put("diverged", best.result.diverged());
      record.put("nonFiniteScores", Map.of("valid", best.result.nonFiniteValid(), "test", best.result.nonFiniteTest()));
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
      err.printf(Locale.ROOT, "%s: selected %s, %d batches in %.1fs -> %s%n", method, best.combo,
          best.result.batches(), best.result.seconds(), dir.resolve("model.safetensors"));
      best.result.trainer().close();
    }
    Files.createDirectories(out);
    JSON.writeValue(out.resolve("summary.json").toFile(), summary);
    Files.writeString(out.resolve("table.md"), testTable.markdown());
    stdout.println("VALID");
    stdout.print(validTable.text());
    stdout.println("TEST" + (ds.rows(Split.TEST).isEmpty() ? " (no TEST rows)" : ""));
    stdout.print(testTable.text());
    stdout.flush();
    err.flush();
    return 0;
  }

  private static Map<String, Object> datasetRecord(MultiViewDataset ds) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", ds.name());
    m.put("classes", ds.classCount());
    m.put("views", ds.viewWidths());
    Map<String, Integer> splits = new LinkedHashMap<>();
    ds.splitCounts().forEach((s, n) -> splits.put(s.name(), n));
    m.put("splits", splits);
    return m;
  }

  /** A knob may come from one place only: its own option, --set, or --grid; and never one the data or --methods fix. */
  private void checkKnobSources(GridSpec gridSpec) {
    Map<String, String> sources = new LinkedHashMap<>();
    Map<String, Object> own = new LinkedHashMap<>();
    own.put("batch.size", batchSize);
    own.put("schedule", schedule);
    own.put("lr", lr);
    own.put("tau", tau);
    own.put("sam.rho", rho);
    own.put("seed", seed);
    own.forEach((knob, v) -> {
      if (v != null) {
        sources.put(knob, OWN_OPTIONS.get(knob));
      }
    });
    for (String knob : settings.keySet()) {
      check(knob, "--set", sources);
    }
    for (String knob : gridSpec.knobs()) {
      check(knob, "--grid", sources);
    }
    if (sources.containsKey("mla.alpha") && sources.containsKey("mla.batches-per-epoch")) {
      throw new IllegalArgumentException("mla.alpha (a constant alpha) and mla.batches-per-epoch (alpha by the batch"
          + " of the epoch) exclude each other: give one");
    }
  }

  private static void check(String knob, String where, Map<String, String> sources) {
    if (NOT_SETTABLE.containsKey(knob)) {
      throw new IllegalArgumentException(where + " " + knob + ": it comes from " + NOT_SETTABLE.get(knob));
    }
    if (knob.equals("seed")) {
      throw new IllegalArgumentException(where + " seed: use --seed, which seeds the epoch order too");
    }
    if (OWN_OPTIONS.containsKey(knob) && where.equals("--set")) {
      throw new IllegalArgumentException("--set " + knob + ": use " + OWN_OPTIONS.get(knob));
    }
    String previous = sources.put(knob, where);
    if (previous != null) {
      throw new IllegalArgumentException(knob + " is given by both " + previous + " and " + where + "; give it once");
    }
  }

  private void checkSelectBy(IgmConfig config) {
    List<String> keys = Evaluation.metricKeys(config);
    if (!keys.contains(selectBy)) {
      throw new IllegalArgumentException("--select-by " + selectBy + " is not a metric of method "
          + config.methodName() + "; choose one of " + keys);
    }
  }

  private IgmConfig config(MultiViewDataset ds, String method, Map<String, String> combo, IgmConfig snapshotConfig) {
    IgmConfig.Builder b;
    if (snapshotConfig != null) {
      // continue the snapshot's model: its encoders (fit has no options for them) and, unless given here, its knobs
      b = snapshotConfig.toBuilder().modalities(snapshotConfig.modalities());
    } else {
      b = IgmConfig.builder().modalities(OfflineFit.featureModalities(ds)).seed(DEFAULT_SEED);
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
    boolean nbGiven = settings.containsKey("mla.batches-per-epoch") || combo.containsKey("mla.batches-per-epoch");
    if (alphaGiven) {
      b.mlaBatchesPerEpoch(0); // a constant alpha, as asked
    }
    IgmConfig config = b.build();
    if (config.method() == IgmConfig.Method.MLA && !alphaGiven && !nbGiven) {
      // igm fit knows its epochs: alpha by the batch within the epoch
      config = config.toBuilder().mlaBatchesPerEpoch(OfflineFit.batchesPerEpoch(ds, config.batchSize())).build();
    }
    return config;
  }

  private record Selection(Map<String, String> combo, OfflineFit.Result result, double score, boolean usable) {
    /** A usable result beats an unusable one; among usable ones, the higher VALID score wins (ties: the first). */
    boolean beats(Selection other) {
      if (usable != other.usable) {
        return usable;
      }
      return usable && score > other.score;
    }
  }
}
