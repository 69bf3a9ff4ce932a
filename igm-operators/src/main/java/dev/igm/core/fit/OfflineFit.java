package dev.igm.core.fit;

import dev.igm.avro.Split;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.LabeledSample;
import dev.igm.core.train.StepReport;
import dev.igm.core.train.TrainerSnapshot;
import dev.igm.data.MultiViewDataset;
import dev.igm.data.ReplayPlan;
import dev.igm.data.ViewStandardizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code igm fit}: trains one model offline on a multi-view dataset, batch by batch in exactly the
 * order a streamed replay of the same dataset delivers (the shared {@link ReplayPlan}), and
 * evaluates it on VALID after every epoch and on VALID and TEST at the end. With {@link
 * #selectBestEpoch} the model kept is the one of the epoch with the best VALID score (ties: the
 * earliest), not the last epoch's: its state is captured whenever VALID improves, and restored at
 * the end.
 */
public final class OfflineFit {
  /**
   * Progress after each epoch; {@code best}: this epoch's VALID score is the best so far
   * (best-epoch selection).
   */
  public record EpochProgress(
      int epoch,
      int epochs,
      long batches,
      double meanLoss,
      long refused,
      Map<String, Double> valid,
      double seconds,
      boolean best) {}

  /**
   * One epoch's VALID figures (empty without VALID rows) and its rows with a non-finite score;
   * {@code test}: the same epoch's TEST figures when {@link #scoreTestEachEpoch} asked for them
   * (empty otherwise), never used for any choice.
   */
  public record EpochScore(
      int epoch,
      long batches,
      double meanLoss,
      Map<String, Double> valid,
      int nonFiniteValid,
      Map<String, Double> test) {}

  /**
   * The outcome of a fit. {@code trainer}: the model kept (of epoch {@code epoch}); {@code
   * valid}/{@code test} its figures; {@code batches}, {@code refusedSteps} its counters; {@code
   * seconds} the whole fit's. {@code nonFiniteValid}/{@code nonFiniteTest}: rows the model gave a
   * non-finite score (their split's figures are NaN then); {@link #diverged()} says whether there
   * were any. {@code curve}: every epoch's VALID figures.
   */
  public record Result(
      IgmTrainer trainer,
      Map<String, Double> valid,
      Map<String, Double> test,
      double seconds,
      long batches,
      long refusedSteps,
      int nonFiniteValid,
      int nonFiniteTest,
      int epoch,
      List<EpochScore> curve) {
    public boolean diverged() {
      return nonFiniteValid > 0 || nonFiniteTest > 0;
    }
  }

  private final MultiViewDataset dataset;
  private final IgmConfig config;
  private final int epochs;
  private final long shuffleSeed;
  private SnapshotContinuation initFrom;
  private Consumer<EpochProgress> progress = p -> {};
  private String selectBy;
  private boolean testEachEpoch;

  private OfflineFit(MultiViewDataset dataset, IgmConfig config, int epochs, long shuffleSeed) {
    this.dataset = dataset;
    this.config = config;
    this.epochs = epochs;
    this.shuffleSeed = shuffleSeed;
  }

  /**
   * A fit of {@code config} on {@code dataset} (already prepared: see {@link #prepare}) for {@code
   * epochs} epochs with the epoch order drawn from {@code shuffleSeed}.
   */
  public static OfflineFit of(
      MultiViewDataset dataset, IgmConfig config, int epochs, long shuffleSeed) {
    for (ModalitySpec m : config.modalities()) {
      if (!dataset.modalities().contains(m.name())) {
        throw new IllegalArgumentException(
            "the dataset has no view '" + m.name() + "' (views: " + dataset.modalities() + ")");
      }
      if (dataset.viewWidth(m.name()) != m.inputSize()) {
        throw new IllegalArgumentException(
            "view '"
                + m.name()
                + "' has width "
                + dataset.viewWidth(m.name())
                + " but the model expects "
                + m.inputSize());
      }
    }
    if (config.numClasses() != dataset.classCount()) {
      throw new IllegalArgumentException(
          "the dataset has " + dataset.classCount() + " classes, the model " + config.numClasses());
    }
    if (dataset.rows(Split.TRAIN).isEmpty()) {
      throw new IllegalArgumentException(
          "the dataset " + dataset.name() + " has no TRAIN rows to fit on");
    }
    return new OfflineFit(dataset, config, epochs, shuffleSeed);
  }

  /**
   * Mini-batches per epoch of {@code dataset}'s TRAIN rows at {@code batchSize}, what MLA's α
   * schedule counts ({@code mla.batches-per-epoch}). Batches are cut from the concatenated epochs,
   * so an epoch holds rows / batch size of them on average: rounded to the nearest whole batch, at
   * least 1.
   */
  public static int batchesPerEpoch(MultiViewDataset dataset, int batchSize) {
    int rows = dataset.rows(Split.TRAIN).size();
    return (int) Math.max(1, Math.round((double) rows / batchSize));
  }

  /** Standardises every view with statistics of the TRAIN rows (what replay does too). */
  public static MultiViewDataset prepare(MultiViewDataset dataset, boolean standardize) {
    return standardize ? ViewStandardizer.fit(dataset).apply(dataset) : dataset;
  }

  /**
   * Feature modalities with the identity encoder for every view of {@code dataset}, in its order.
   */
  public static List<ModalitySpec> featureModalities(MultiViewDataset dataset) {
    List<ModalitySpec> out = new ArrayList<>();
    for (String m : dataset.modalities()) {
      out.add(ModalitySpec.features(m, dataset.viewWidth(m)));
    }
    return out;
  }

  /**
   * Continue the model of a snapshot instead of a fresh initialisation, with this fit's
   * configuration (see {@link SnapshotContinuation}: the architecture must match, else an
   * IllegalArgumentException names the difference).
   */
  public OfflineFit initFrom(TrainerSnapshot snapshot) {
    this.initFrom = SnapshotContinuation.of(snapshot, config);
    return this;
  }

  /** What carries over from the {@link #initFrom} snapshot; empty without one. */
  public List<String> initNotes() {
    return initFrom == null ? List.of() : initFrom.notes();
  }

  /**
   * Keep the model of the epoch with the highest VALID {@code metric} (a key of {@link
   * Evaluation#metricKeys}; ties: the earliest epoch; an epoch with a non-finite score never
   * counts) instead of the last epoch's. Needs VALID rows.
   */
  public OfflineFit selectBestEpoch(String metric) {
    if (dataset.rows(Split.VALID).isEmpty()) {
      throw new IllegalArgumentException(
          "choosing the best epoch on VALID needs VALID rows, and " + dataset.name() + " has none");
    }
    if (!Evaluation.metricKeys(config).contains(metric)) {
      throw new IllegalArgumentException(
          metric
              + " is not a metric of method "
              + config.methodName()
              + " (metrics: "
              + Evaluation.metricKeys(config)
              + ")");
    }
    this.selectBy = metric;
    return this;
  }

  /**
   * Also score the TEST rows after every epoch, for a picture of how each modality learns (the
   * imbalance chart). The figures go into {@link EpochScore#test} only: the epoch kept and the grid
   * point chosen read VALID alone. Scoring leaves the model as it was, so the fit trains the same
   * tensors with or without it.
   */
  public OfflineFit scoreTestEachEpoch() {
    this.testEachEpoch = true;
    return this;
  }

  public OfflineFit onEpoch(Consumer<EpochProgress> listener) {
    this.progress = listener;
    return this;
  }

  /** The samples a trainer is offered, in order (also what a parity test replays). */
  public List<LabeledSample> trainingSamples() {
    List<LabeledSample> out = new ArrayList<>();
    for (ReplayPlan.Entry e :
        ReplayPlan.of(dataset, epochs, shuffleSeed, false).trainingEntries()) {
      out.add(
          new LabeledSample(e.sampleId(), e.row().label(), Evaluation.inputsOf(config, e.row())));
    }
    return out;
  }

  public Result run() {
    long start = System.nanoTime();
    IgmTrainer trainer = initFrom == null ? new IgmTrainer(config) : initFrom.start();
    TrainerSnapshot.Capture best = null;
    try {
      List<ReplayPlan.Entry> plan =
          ReplayPlan.of(dataset, epochs, shuffleSeed, false).trainingEntries();
      int perEpoch = dataset.rows(Split.TRAIN).size();
      List<EpochScore> curve = new ArrayList<>();
      int bestEpoch = epochs;
      double bestScore = Double.NaN;
      double lossSum = 0;
      long lossCount = 0;
      for (int i = 0; i < plan.size(); i++) {
        ReplayPlan.Entry e = plan.get(i);
        for (StepReport r :
            trainer.offer(
                new LabeledSample(
                    e.sampleId(), e.row().label(), Evaluation.inputsOf(config, e.row())))) {
          if (!r.refused()) {
            lossSum += r.loss();
            lossCount++;
          }
        }
        if ((i + 1) % perEpoch == 0) {
          int epoch = (i + 1) / perEpoch;
          Evaluation.Report valid =
              dataset.rows(Split.VALID).isEmpty()
                  ? Evaluation.Report.empty()
                  : Evaluation.report(trainer, dataset.rows(Split.VALID));
          double meanLoss = lossCount == 0 ? Double.NaN : lossSum / lossCount;
          Map<String, Double> testNow =
              !testEachEpoch || dataset.rows(Split.TEST).isEmpty()
                  ? Map.of()
                  : Evaluation.report(trainer, dataset.rows(Split.TEST)).metrics();
          curve.add(
              new EpochScore(
                  epoch,
                  trainer.batches(),
                  meanLoss,
                  valid.metrics(),
                  valid.nonFiniteRows(),
                  testNow));
          boolean improved = false;
          if (selectBy != null) {
            double score = valid.metrics().getOrDefault(selectBy, Double.NaN);
            // strictly better: on a tie the earlier epoch stays; a model with non-finite scores
            // never counts
            if (valid.nonFiniteRows() == 0
                && !Double.isNaN(score)
                && (Double.isNaN(bestScore) || score > bestScore)) {
              improved = true;
              bestScore = score;
              bestEpoch = epoch;
              if (epoch < epochs) {
                if (best != null) {
                  best.close();
                }
                best = TrainerSnapshot.captureLater(trainer, null);
              } else if (best != null) {
                best.close(); // the last epoch is the best: the trainer itself is the model
                best = null;
              }
            }
          }
          progress.accept(
              new EpochProgress(
                  epoch,
                  epochs,
                  trainer.batches(),
                  meanLoss,
                  trainer.refusedSteps(),
                  valid.metrics(),
                  (System.nanoTime() - start) / 1e9,
                  improved));
          lossSum = 0;
          lossCount = 0;
        }
      }
      if (best != null && bestEpoch < epochs) {
        // the model of the best epoch replaces the last one's
        IgmTrainer chosen = best.encode().restore();
        trainer.close();
        trainer = chosen;
      }
      int epoch = selectBy == null ? epochs : bestEpoch;
      Evaluation.Report valid =
          dataset.rows(Split.VALID).isEmpty()
              ? Evaluation.Report.empty()
              : Evaluation.report(trainer, dataset.rows(Split.VALID));
      Evaluation.Report test =
          dataset.rows(Split.TEST).isEmpty()
              ? Evaluation.Report.empty()
              : Evaluation.report(trainer, dataset.rows(Split.TEST));
      return new Result(
          trainer,
          valid.metrics(),
          test.metrics(),
          (System.nanoTime() - start) / 1e9,
          trainer.batches(),
          trainer.refusedSteps(),
          valid.nonFiniteRows(),
          test.nonFiniteRows(),
          epoch,
          List.copyOf(curve));
    } catch (RuntimeException e) {
      trainer.close();
      throw e;
    } finally {
      if (best != null) {
        best.close();
      }
    }
  }
}
