package dev.igm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.fit.OfflineFit;
import dev.igm.report.MetricsTable;
import dev.igm.core.train.TrainerSnapshot;
import dev.igm.data.MultiViewDataset;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code igm fit}: offline training on a dataset, with optional hyper-parameter selection on the VALID split. */
@Command(
    name = "fit",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Trains models offline on a multi-view dataset, in exactly the batch order a streamed replay delivers,",
      "evaluates them on VALID and TEST (Acc / macro-F1 / MAP per modality and fused), and writes for each method",
      "a snapshot (model.safetensors + model.json) and metrics.json under --out.",
      "",
      "With --grid, every combination is trained and the one with the best VALID score (--select-by) is kept;",
      "the TEST split is never used for selection.",
      "",
      "Example: igm fit --methods joint,mla,igm --epochs 30 --grid 'lr=0.01,0.05;tau=0.4,1.0'"
    })
public final class FitCommand implements Callable<Integer> {
  @Mixin DatasetSource data = new DatasetSource();

  @Option(names = {"--methods", "--method"}, split = ",", defaultValue = "igm",
      description = "Methods to train, comma-separated: joint, unimodal-<view>, mla, igm-nosam, igm. Default: ${DEFAULT-VALUE}.")
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

  @Option(names = "--rho", description = "SAM radius (default 0.05).")
  Double rho;

  @Option(names = "--seed", defaultValue = "42",
      description = "Seed of initialisation, the epoch order and mixup. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Any model knob by its documented name, e.g. --set phase.batches=5 --set head.widths=128,32.")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--grid", paramLabel = "SPEC",
      description = "Hyper-parameter grid 'knob=v1,v2;knob2=w1,w2', selected on VALID.")
  String grid;

  @Option(names = "--select-by", defaultValue = "fused.acc",
      description = "VALID metric that selects among --grid combinations. Default: ${DEFAULT-VALUE}.")
  String selectBy;

  @Option(names = "--init-from", paramLabel = "SNAPSHOT", description = "Continue from a snapshot (.safetensors).")
  Path initFrom;

  @Option(names = "--out", defaultValue = "target/igm-fit", description = "Output folder. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--quiet", description = "No per-epoch progress.")
  boolean quiet;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Override
  public Integer call() throws Exception {
    PrintStream err = System.err;
    MultiViewDataset ds = data.load();
    err.printf(Locale.ROOT, "dataset %s: %s, %d classes, views %s%n", ds.name(), ds.splitCounts(), ds.classCount(),
        ds.viewWidths());
    List<String> groups = new ArrayList<>(ds.modalities());
    groups.add("fused");
    MetricsTable testTable = new MetricsTable(groups);
    MetricsTable validTable = new MetricsTable(groups);
    Map<String, Object> summary = new LinkedHashMap<>();
    for (String method : methods) {
      Selection best = null;
      for (Map<String, String> combo : GridSpec.parse(grid).combinations()) {
        IgmConfig config = config(ds, method, combo);
        if (!quiet) {
          err.printf(Locale.ROOT, "== %s %s%n", method, combo.isEmpty() ? "" : combo);
        }
        OfflineFit fit = OfflineFit.of(ds, config, epochs, seed);
        if (initFrom != null) {
          fit.initFrom(TrainerSnapshot.read(initFrom));
        }
        if (!quiet) {
          fit.onEpoch(p -> err.printf(Locale.ROOT, "  epoch %3d/%d  batches %5d  loss %.4f  valid %s %.4f  (%.1fs)%n",
              p.epoch(), p.epochs(), p.batches(), p.meanLoss(), selectBy,
              p.valid().getOrDefault(selectBy, Double.NaN), p.seconds()));
        }
        OfflineFit.Result r = fit.run();
        double score = r.valid().getOrDefault(selectBy, Double.NaN);
        if (best == null || score > best.score) {
          if (best != null) {
            best.result.trainer().close();
          }
          best = new Selection(combo, config, r, score);
        } else {
          r.trainer().close();
        }
      }
      Path dir = out.resolve(method);
      Files.createDirectories(dir);
      Map<String, Double> metrics = new LinkedHashMap<>();
      best.result.valid().forEach((k, v) -> metrics.put("valid." + k, v));
      best.result.test().forEach((k, v) -> metrics.put("test." + k, v));
      TrainerSnapshot.capture(best.result.trainer(), metrics).write(dir.resolve("model.safetensors"));
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("method", method);
      record.put("selected", best.combo);
      record.put("config", best.config.toMap());
      record.put("epochs", epochs);
      record.put("batches", best.result.batches());
      record.put("refusedSteps", best.result.refusedSteps());
      record.put("seconds", best.result.seconds());
      record.put("valid", best.result.valid());
      record.put("test", best.result.test());
      JSON.writeValue(dir.resolve("metrics.json").toFile(), record);
      summary.put(method, record);
      testTable.add(method, best.result.test());
      validTable.add(method, best.result.valid());
      err.printf(Locale.ROOT, "%s: selected %s, %d batches in %.1fs -> %s%n", method, best.combo,
          best.result.batches(), best.result.seconds(), dir.resolve("model.safetensors"));
      best.result.trainer().close();
    }
    Files.createDirectories(out);
    JSON.writeValue(out.resolve("summary.json").toFile(), summary);
    Files.writeString(out.resolve("table.md"), testTable.markdown());
    System.out.println("VALID");
    System.out.print(validTable.text());
    System.out.println("TEST");
    System.out.print(testTable.text());
    return 0;
  }

  private IgmConfig config(MultiViewDataset ds, String method, Map<String, String> combo) {
    IgmConfig.Builder b = IgmConfig.builder()
        .method(method)
        .modalities(OfflineFit.featureModalities(ds))
        .numClasses(ds.classCount())
        .seed(seed)
        .deterministic(true);
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
    return b.build();
  }

  private record Selection(Map<String, String> combo, IgmConfig config, OfflineFit.Result result, double score) {}
}
