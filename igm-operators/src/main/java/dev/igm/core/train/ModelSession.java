package dev.igm.core.train;

import dev.igm.avro.Prediction;
import dev.igm.avro.Split;
import dev.igm.avro.TrainingMetrics;
import dev.igm.core.ClassificationMetrics;
import dev.igm.core.FlatMatrix;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.ingest.ValidSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One model trained on a stream: an {@link IgmTrainer} plus what a streaming job reports about it —
 * prequential predictions, windowed loss and accuracy, T-refresh time, the published model version.
 * Flink-free, so the training operator stays a thin adapter and the same logic runs from a plain
 * loop.
 *
 * <p><b>Prequential scoring.</b> A TRAIN sample is scored by the model as it is when the sample
 * arrives. The model only changes when a mini-batch completes, so scoring a whole batch just before
 * its step gives the same model for every sample of the batch; the session does exactly that (one
 * scoring per batch instead of one per sample, and the trainer hands over its step's own forward
 * pass where that pass is the scoring pass: {@link IgmTrainer#offerScored}) and emits the batch's
 * predictions when it trains. Predictions of pending samples are therefore part of the pending
 * state, and a restore from a checkpoint emits each of them exactly once.
 *
 * <p><b>Model version.</b> The number of mini-batches trained. In deterministic mode it identifies
 * the parameters exactly, so a run that restored from a checkpoint publishes the same versions as
 * one that did not.
 *
 * <p>Not thread-safe: one session per model, driven by one thread.
 */
public final class ModelSession implements AutoCloseable {
  private final String modelId;
  private final IgmTrainer trainer;
  private final List<String> modalityNames;
  // checkpointed session state
  private SessionCounters c;
  // last refresh, for metrics only (not needed to resume)
  private final Map<String, List<Double>> lastEigenvalues = new LinkedHashMap<>();

  /**
   * The refresh point (batch index) the listener last heard of, and the summed time of its
   * refreshes.
   */
  private long lastRefreshBatch = -1;

  private long lastRefreshNanos;

  /** What one training sample produced. */
  public record TrainOutcome(List<Prediction> predictions, List<StepReport> steps) {
    public boolean trained() {
      return !steps.isEmpty();
    }
  }

  private ModelSession(String modelId, IgmTrainer trainer) {
    this.modelId = modelId;
    this.trainer = trainer;
    this.modalityNames = trainer.config().modalities().stream().map(m -> m.name()).toList();
    this.c = SessionCounters.fresh(modalityNames.size());
    trainer.addListener(
        new TrainingListener() {
          @Override
          public void onRefresh(String modality, int layer, FlatMatrix t, long batchIndex) {
            // refreshes are taken over after their batch (see IgmTrainer#settleRefreshes): sum
            // those of one refresh point
            if (batchIndex != lastRefreshBatch) {
              lastRefreshBatch = batchIndex;
              lastRefreshNanos = 0;
            }
            lastRefreshNanos += t.refreshNanos();
            c.lastRefreshMillis = lastRefreshNanos / 1e6;
            List<Double> ev = new ArrayList<>();
            for (double v : t.eigenvalues()) {
              ev.add(v);
            }
            lastEigenvalues.put(modality + "." + layer, ev);
          }
        });
  }

  /** A fresh model. */
  public static ModelSession create(String modelId, IgmConfig config) {
    return new ModelSession(modelId, new IgmTrainer(config));
  }

  /**
   * The model exactly as checkpointed.
   *
   * @throws IllegalArgumentException naming the model and the problem when the checkpoint cannot be
   *     read
   */
  public static ModelSession restore(String modelId, SessionCheckpoint cp) {
    IgmTrainer trainer;
    try {
      trainer = new TrainerSnapshot(cp.trainerTensors(), cp.trainerMetadata()).restore();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "checkpointed state of model " + modelId + ": " + e.getMessage(), e);
    }
    ModelSession s = new ModelSession(modelId, trainer);
    try {
      s.c =
          SessionCounters.fromJson(
              cp.sessionJson(), s.modalityNames.size(), trainer.pendingCount());
    } catch (IllegalArgumentException e) {
      trainer.close();
      throw new IllegalArgumentException(
          "checkpointed state of model " + modelId + ": " + e.getMessage(), e);
    }
    return s;
  }

  public String modelId() {
    return modelId;
  }

  public IgmTrainer trainer() {
    return trainer;
  }

  public IgmConfig config() {
    return trainer.config();
  }

  /** The model version: mini-batches trained so far. */
  public long version() {
    return trainer.batches();
  }

  public long publishedVersion() {
    return c.publishedVersion;
  }

  public double lastRefreshMillis() {
    return c.lastRefreshMillis;
  }

  /**
   * Offers a TRAIN sample. When it completes a mini-batch, the batch is scored (prequential, before
   * the step) and then trained; the outcome carries the batch's predictions and the step reports.
   */
  public TrainOutcome train(ValidSample sample) {
    LabeledSample labeled = sample.toLabeled();
    List<Prediction> predictions = List.of();
    List<StepReport> steps;
    if (trainer.pendingCount() + 1 == trainer.config().batchSize()) {
      List<LabeledSample> batch = new ArrayList<>(trainer.internals().batcher().pending());
      batch.add(labeled);
      List<Long> times = new ArrayList<>(c.pendingEventTimes);
      times.add(sample.eventTime());
      long scoredVersion = version();
      // scored as the model is before the step; the trainer reuses its step's forward pass where it
      // can
      IgmTrainer.ScoredOffer offer = trainer.offerScored(labeled);
      steps = offer.steps();
      predictions = predictions(batch, times, offer.scores(), scoredVersion);
    } else {
      steps = trainer.offer(labeled);
    }
    if (steps.isEmpty()) {
      c.pendingEventTimes.add(sample.eventTime());
    } else {
      c.pendingEventTimes.clear();
      for (StepReport r : steps) {
        if (!r.refused()) {
          c.windowLossSum += r.loss();
          c.windowSteps++;
        }
        c.lastModality = r.modality();
      }
    }
    return new TrainOutcome(predictions, steps);
  }

  /** Scores a VALID/TEST sample (never trained on) with the current model. */
  public Prediction score(ValidSample sample) {
    Scores s = trainer.score(List.<float[][]>of(sample.inputs()));
    return prediction(
        sample.sampleId(), sample.split(), sample.label(), sample.eventTime(), s, 0, version());
  }

  private List<Prediction> predictions(
      List<LabeledSample> batch, List<Long> times, Scores scores, long scoredVersion) {
    List<Prediction> out = new ArrayList<>(batch.size());
    int classes = scores.classes();
    for (int r = 0; r < batch.size(); r++) {
      LabeledSample s = batch.get(r);
      long time = r < times.size() ? times.get(r) : 0L;
      out.add(prediction(s.id(), Split.TRAIN, s.label(), time, scores, r, scoredVersion));
      c.windowScored++;
      for (int j = 0; j < modalityNames.size(); j++) {
        if (ClassificationMetrics.argmax(scores.perModality()[j], classes, r) == s.label()) {
          c.windowCorrect[j]++;
        }
      }
      if (ClassificationMetrics.argmax(scores.fused(), classes, r) == s.label()) {
        c.windowCorrect[modalityNames.size()]++;
      }
    }
    return out;
  }

  private Prediction prediction(
      String id, Split split, Integer label, long time, Scores scores, int row, long modelVersion) {
    Map<String, List<Float>> perModality = new LinkedHashMap<>();
    for (int j = 0; j < modalityNames.size(); j++) {
      perModality.put(modalityNames.get(j), boxed(scores.modality(j, row)));
    }
    return Prediction.newBuilder()
        .setSampleId(id)
        .setModelId(modelId)
        .setModelVersion(modelVersion)
        .setSplit(split)
        .setModalityProbabilities(perModality)
        .setFusedProbabilities(boxed(scores.fused(row)))
        .setPredicted(ClassificationMetrics.argmax(scores.fused(), scores.classes(), row))
        .setLabel(label)
        .setEventTime(Instant.ofEpochMilli(time))
        .build();
  }

  /** Whether {@code every} batches have passed since the last metrics record. */
  public boolean metricsDue(int every) {
    return trainer.batches() - c.lastMetricsBatch >= every;
  }

  /** Whether the version just reached is a multiple of {@code every} and not yet published. */
  public boolean snapshotDue(int every) {
    long v = version();
    return v > 0 && v % every == 0 && v > c.publishedVersion;
  }

  /**
   * Prequential accuracy per modality and {@code fused} over the current window (empty when nothing
   * was scored).
   */
  public Map<String, Double> windowAccuracy() {
    Map<String, Double> acc = new LinkedHashMap<>();
    if (c.windowScored > 0) {
      for (int j = 0; j < modalityNames.size(); j++) {
        acc.put(modalityNames.get(j), c.windowCorrect[j] / (double) c.windowScored);
      }
      acc.put("fused", c.windowCorrect[modalityNames.size()] / (double) c.windowScored);
    }
    return acc;
  }

  /** Mean training loss over the current window (NaN when no step was accepted). */
  public double windowLoss() {
    return c.windowSteps == 0 ? Double.NaN : c.windowLossSum / c.windowSteps;
  }

  /** The metrics record for the window since the previous one; starts a new window. */
  public TrainingMetrics emitMetrics(long timeMillis, long deadLetters) {
    trainer.settleRefreshes(); // the record reports every refresh up to its batch (eigenvalues,
    // refresh time)
    TrainingMetrics m =
        TrainingMetrics.newBuilder()
            .setModelId(modelId)
            .setMethod(config().methodName())
            .setModelVersion(version())
            .setTime(Instant.ofEpochMilli(timeMillis))
            .setBatches(trainer.batches())
            .setSamplesTrained(trainer.samplesTrained())
            .setModality(c.lastModality)
            .setLoss(windowLoss())
            .setPrequentialAccuracy(windowAccuracy())
            .setRefusedSteps(trainer.refusedSteps())
            .setTRefreshMillis(c.lastRefreshMillis)
            .setEigenvalues(new LinkedHashMap<>(lastEigenvalues))
            .setDeadLetters(deadLetters)
            .build();
    lastEigenvalues.clear();
    c.windowLossSum = 0;
    c.windowSteps = 0;
    c.windowScored = 0;
    c.windowCorrect = new long[modalityNames.size() + 1];
    c.lastMetricsBatch = trainer.batches();
    return m;
  }

  /**
   * The snapshot to publish as the current version, with summary metrics; marks the version
   * published.
   */
  public TrainerSnapshot.Capture publish() {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("batches", (double) trainer.batches());
    metrics.put("samplesTrained", (double) trainer.samplesTrained());
    metrics.put("refusedSteps", (double) trainer.refusedSteps());
    double loss = windowLoss();
    if (!Double.isNaN(loss)) {
      metrics.put("train.loss", loss);
    }
    windowAccuracy().forEach((k, v) -> metrics.put("prequential." + k + ".acc", v));
    c.publishedVersion = version();
    return TrainerSnapshot.captureLater(trainer, metrics);
  }

  /**
   * Everything needed to resume exactly (trainer state incl. the pending batch, and the session
   * counters).
   */
  public SessionCheckpoint checkpoint() {
    TrainerSnapshot snap = TrainerSnapshot.capture(trainer, Map.of());
    return new SessionCheckpoint(snap.tensors(), snap.metadata(), c.toJson());
  }

  private static List<Float> boxed(float[] v) {
    List<Float> out = new ArrayList<>(v.length);
    for (float f : v) {
      out.add(f);
    }
    return out;
  }

  @Override
  public void close() {
    trainer.close();
  }
}
