package dev.igm.core.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.igm.core.CovarianceAccumulator;
import dev.igm.core.FlatMatrix;
import dev.igm.core.MlaProjector;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.model.ModalityNet;
import dev.igm.core.model.Rng;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Trains one multimodal model with one of the methods of docs/ALGORITHM.md on a stream of labelled
 * samples.
 *
 * <p>Samples are offered one at a time; every {@code batch.size} of them form a mini-batch that is
 * trained at once ({@link MiniBatcher}, rule 1), so an offline run and a streaming run that see the
 * same sample order train identical batches. What a batch does is the method's: its {@link
 * TrainingSchedule} chooses the steps, each {@link ModalityStep} (or {@link JointStep}) combines a
 * {@link GradientEstimator}, a {@link GradientModifier} and the {@link Optimizers}; {@link
 * HeadStatistics} keeps covariances and T; the {@link Scorer} scores. {@link MethodParts} builds
 * them. The whole state is exported and imported part by part by {@link TrainerSnapshot}.
 *
 * <p>Not thread-safe: one trainer per model, driven by one thread. {@link #close()} stops its
 * worker threads.
 */
public final class IgmTrainer implements AutoCloseable {
  private final IgmConfig config;
  private final NDManager manager;
  private final DataType dtype;
  private final List<ModalityNet> nets;
  private final Rng rng;
  private final List<TrainingListener> listeners = new CopyOnWriteArrayList<>();
  private final MethodParts parts;
  private final MiniBatcher batcher;
  private final ModalityStep modalityStep;
  private final JointStep jointStep;
  private final Scorer scorer;
  private final TrainingCounters counters = new TrainingCounters();

  /**
   * Set only while {@link #offerScored} trains a batch: the steps hand it their unperturbed logits.
   */
  private ScoreSheet sheet;

  public IgmTrainer(IgmConfig config) {
    this(config, DataType.FLOAT32);
  }

  /** A trainer computing in {@code dtype} (FLOAT32 normally; FLOAT64 for gradient checks). */
  public IgmTrainer(IgmConfig config, DataType dtype) {
    GradMode.offOnThisThread();
    this.config = config;
    this.dtype = dtype;
    this.manager = NDManager.newBaseManager();
    this.rng = new Rng(config.seed());
    // Initialisation draws from its own stream: mixup draws never shift parameter initialisation
    // (rule 10).
    this.nets = ModalityNet.forEach(manager, config, new Rng(config.seed() ^ 0x5DEECE66DL), dtype);
    BatchArrays arrays = new BatchArrays(manager, dtype, config.numClasses());
    this.parts = MethodParts.of(config, nets, arrays, rng, listeners);
    this.batcher = new MiniBatcher(config.batchSize(), config.numClasses(), nets);
    this.modalityStep = parts.modalityStep(nets, arrays);
    this.jointStep = new JointStep(nets, arrays, parts.optimizers());
    this.scorer = new Scorer(nets, arrays, parts.fusion());
  }

  public IgmTrainer addListener(TrainingListener l) {
    listeners.add(l);
    return this;
  }

  public IgmConfig config() {
    return config;
  }

  public List<ModalityNet> nets() {
    return Collections.unmodifiableList(nets);
  }

  /** Mini-batches trained so far (the schedule cursor). */
  public long batches() {
    return counters.batches;
  }

  public long samplesTrained() {
    return counters.samplesTrained;
  }

  public long refusedSteps() {
    return counters.refusedSteps;
  }

  public int pendingCount() {
    return batcher.pending().size();
  }

  /**
   * The current T matrix of modality {@code j}'s head layer {@code i}; null while it is the
   * identity by rule 2.
   */
  public FlatMatrix flatMatrix(int j, int i) {
    return parts.statistics().flatMatrix(j, i);
  }

  /**
   * Makes the T refreshes still computing beside the steps current (a metrics record reports them
   * all).
   */
  public void settleRefreshes() {
    parts.statistics().settleRefreshes();
  }

  /** The covariance of modality {@code j}'s head layer {@code i}; null for methods without T. */
  public CovarianceAccumulator covariance(int j, int i) {
    return parts.statistics().covariance(j, i);
  }

  /**
   * MLA's projector of head layer {@code layer} at input width {@code width}; null for other
   * methods.
   */
  public MlaProjector projector(int layer, int width) {
    return parts.modifier() instanceof MlaProjection p ? p.projector(layer, width) : null;
  }

  /** The learning rate of batch {@code b}. */
  public double learningRate(long b) {
    return parts.optimizers().learningRate(b);
  }

  /**
   * Adds one training sample; when it completes a mini-batch, trains on that batch.
   *
   * @return the reports of the steps taken (empty when the batch is not complete yet)
   */
  public List<StepReport> offer(LabeledSample sample) {
    GradMode.offOnThisThread();
    List<LabeledSample> batch = batcher.add(sample);
    return batch == null ? List.of() : trainBatch(batch);
  }

  /**
   * What {@link #offerScored} returns: the step reports and, when a batch was trained, its
   * prequential scores.
   */
  public record ScoredOffer(List<StepReport> steps, Scores scores) {}

  /**
   * {@link #offer}, and when the sample completes a mini-batch, also that batch's prequential
   * scores: every sample scored by the model as it was before the batch's step(s), exactly what
   * {@link #score} returns when called just before {@link #offer}. A modality whose step makes the
   * unperturbed training pass on this batch (stateless encoder, no mixup) hands that pass's logits
   * over instead of a second forward pass; modalities the batch does not step are scored on a
   * worker beside the step; the others first. Training itself is unchanged.
   */
  public ScoredOffer offerScored(LabeledSample sample) {
    GradMode.offOnThisThread();
    if (!batcher.completes()) {
      return new ScoredOffer(offer(sample), null);
    }
    List<float[][]> inputs = batcher.inputsWith(sample);
    if (dtype != DataType.FLOAT32) {
      Scores scores = score(inputs);
      return new ScoredOffer(offer(sample), scores);
    }
    boolean[] stepped = parts.schedule().stepped(counters.batches);
    // a stepped modality's pass runs on the batch as it is, before its own step: its logits can be
    // reused
    boolean reusable = scorer.statelessEncoders() && parts.estimator().passSeesTheBatchAsIs();
    boolean[] reuse = reusable ? stepped.clone() : new boolean[nets.size()];
    List<List<StepReport>> steps = new ArrayList<>(1);
    Scores scores =
        scorer.whileTraining(
            inputs,
            stepped,
            reuse,
            s -> {
              sheet = s;
              try {
                steps.add(offer(sample));
              } finally {
                sheet = null;
              }
            });
    return new ScoredOffer(steps.get(0), scores);
  }

  /**
   * Scores samples without training: per-modality softmax probabilities and the fused prediction
   * (rule 12).
   */
  public Scores score(List<float[][]> inputs) {
    GradMode.offOnThisThread();
    return scorer.score(inputs);
  }

  private List<StepReport> trainBatch(List<LabeledSample> batch) {
    long b = counters.batches;
    double lr = learningRate(b);
    List<StepReport> reports =
        parts
            .schedule()
            .train(
                b,
                TrainingSchedule.Steps.of(
                    j -> modalityStep.run(j, batch, b, lr, sheet),
                    () -> jointStep.run(batch, b, lr, sheet)));
    counters.batchTrained(batch.size(), reports);
    reports.forEach(r -> listeners.forEach(l -> l.onStep(r)));
    return reports;
  }

  /**
   * One optimizer step of modality {@code j} on {@code batch}, outside the schedule (benchmarks).
   */
  StepReport stepModality(int j, List<LabeledSample> batch) {
    return modalityStep.run(j, batch, counters.batches, learningRate(counters.batches), null);
  }

  /**
   * What {@link TrainerSnapshot} exports and imports, and {@link ModelSession} completes a batch
   * with.
   */
  record Internals(
      NDManager manager,
      Rng rng,
      MethodParts parts,
      MiniBatcher batcher,
      TrainingCounters counters) {}

  Internals internals() {
    return new Internals(manager, rng, parts, batcher, counters);
  }

  /** Stops the workers (settling their last task) and releases every array. */
  @Override
  public void close() {
    try (manager;
        scorer) {
      parts.statistics().close();
    }
  }
}
