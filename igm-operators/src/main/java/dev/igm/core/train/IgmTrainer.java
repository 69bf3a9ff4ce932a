package dev.igm.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import dev.igm.core.CovarianceAccumulator;
import dev.igm.core.FlatMatrix;
import dev.igm.core.FlatModifier;
import dev.igm.core.MlaProjector;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.IgmConfig.Method;
import dev.igm.core.model.ModalityNet;
import dev.igm.core.model.Pass;
import dev.igm.core.model.Rng;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Trains one multimodal model with one of the methods of DESIGN §4 on a stream of labelled samples.
 *
 * <p>Samples are offered one at a time; every {@code batch.size} of them form a mini-batch that is trained at once
 * (precise rule 1), so an offline run and a streaming run that see the same sample order train identical batches.
 * All state needed to resume exactly (parameters, optimizer state, covariances, T matrices, MLA projectors, the
 * schedule cursor, the RNG and the pending partial batch) is exported by {@link TrainerState}.
 *
 * <p>Not thread-safe: one trainer per model, driven by one thread.
 */
public final class IgmTrainer implements AutoCloseable {
  private final IgmConfig config;
  private final NDManager manager;
  private final DataType dtype;
  private final List<ModalityNet> nets = new ArrayList<>();
  private final List<ParameterOptimizer> optimizers = new ArrayList<>();
  /**
   * Work that runs beside the training thread: covariance updates and the prequential scoring of modalities that the
   * batch's step does not change (daemon threads, shared by all trainers).
   */
  private static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "igm-trainer-worker");
    t.setDaemon(true);
    return t;
  });

  private final CovarianceAccumulator[][] covariances;
  /** The covariance update still running on a worker (see {@link #updateCovariances}); null when settled. */
  private Future<?> pendingCovariance;
  private final FlatMatrix[][] flats;
  private final NDArray[][] flatArrays;
  /** Uᵀ (r×d) of T = I − U Uᵀ, where the low-rank form is used. */
  private final NDArray[][] dampingRows;
  /** −U (d×r), the same factor as a negated Linear weight. */
  private final NDArray[][] dampingNegated;
  private final Map<String, MlaProjector> projectors = new TreeMap<>();
  private final FlatModifier modifier;
  private final Rng rng;
  private final List<LabeledSample> pending = new ArrayList<>();
  private final List<TrainingListener> listeners = new CopyOnWriteArrayList<>();
  /** Set only while {@link #offerScored} trains a batch: the steps hand their unperturbed logits to it. */
  private PrequentialCapture capture;
  private long batches;
  private long samplesTrained;
  private long refusedSteps;

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
    // Initialisation draws from its own stream so that mixup draws never shift parameter initialisation.
    Rng init = new Rng(config.seed() ^ 0x5DEECE66DL);
    int m = config.modalityCount();
    for (int j = 0; j < m; j++) {
      nets.add(new ModalityNet(manager, config.modalities().get(j), config.headWidths(), config.numClasses(), init, dtype));
      optimizers.add(newOptimizer());
    }
    this.modifier = new FlatModifier(config.tau());
    boolean usesT = config.method() == Method.IGM || config.method() == Method.IGM_NOSAM;
    covariances = new CovarianceAccumulator[m][];
    flats = new FlatMatrix[m][ModalityNet.HEAD_LAYERS];
    flatArrays = new NDArray[m][ModalityNet.HEAD_LAYERS];
    dampingRows = new NDArray[m][ModalityNet.HEAD_LAYERS];
    dampingNegated = new NDArray[m][ModalityNet.HEAD_LAYERS];
    for (int j = 0; j < m; j++) {
      if (usesT) {
        covariances[j] = new CovarianceAccumulator[ModalityNet.HEAD_LAYERS];
        for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
          covariances[j][i] = new CovarianceAccumulator(nets.get(j).headInputWidth(i), config.covarianceDecay());
        }
      }
    }
    if (config.method() == Method.MLA) {
      for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
        for (int j = 0; j < m; j++) {
          int width = nets.get(j).headInputWidth(i);
          if (sharedWidth(i, width) && !projectors.containsKey(projectorKey(i, width))) {
            projectors.put(projectorKey(i, width), new MlaProjector(width));
          }
        }
      }
    }
  }

  private ParameterOptimizer newOptimizer() {
    return config.optimizer() == IgmConfig.OptimizerKind.SGD
        ? new Sgd(config.momentum(), config.weightDecay())
        : new Adam(config.adamBeta1(), config.adamBeta2(), config.adamEps(), config.weightDecay());
  }

  /** Whether at least two modalities have head layer {@code i} of input width {@code width} (rule 9). */
  private boolean sharedWidth(int layer, int width) {
    int n = 0;
    for (ModalityNet net : nets) {
      if (net.headInputWidth(layer) == width) {
        n++;
      }
    }
    return n >= 2;
  }

  static String projectorKey(int layer, int width) {
    return layer + ":" + width;
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

  NDManager manager() {
    return manager;
  }

  List<ParameterOptimizer> optimizers() {
    return optimizers;
  }

  CovarianceAccumulator[][] covariances() {
    settleCovariances();
    return covariances;
  }

  FlatMatrix[][] flats() {
    return flats;
  }

  Map<String, MlaProjector> projectors() {
    return projectors;
  }

  Rng rng() {
    return rng;
  }

  List<LabeledSample> pending() {
    return pending;
  }

  /** Mini-batches trained so far (the schedule cursor). */
  public long batches() {
    return batches;
  }

  public long samplesTrained() {
    return samplesTrained;
  }

  public long refusedSteps() {
    return refusedSteps;
  }

  public int pendingCount() {
    return pending.size();
  }

  /** The current T matrix of modality {@code j}'s head layer {@code i}; null while it is the identity by rule 2. */
  public FlatMatrix flatMatrix(int j, int i) {
    return flats[j][i];
  }

  public CovarianceAccumulator covariance(int j, int i) {
    settleCovariances();
    return covariances[j] == null ? null : covariances[j][i];
  }

  public MlaProjector projector(int layer, int width) {
    return projectors.get(projectorKey(layer, width));
  }

  void restoreCounters(long batches, long samplesTrained, long refusedSteps) {
    this.batches = batches;
    this.samplesTrained = samplesTrained;
    this.refusedSteps = refusedSteps;
  }

  /**
   * Adds one training sample; when it completes a mini-batch, trains on that batch.
   *
   * @return the reports of the steps taken (empty when the batch is not complete yet)
   */
  public List<StepReport> offer(LabeledSample sample) {
    GradMode.offOnThisThread();
    validate(sample);
    pending.add(sample);
    if (pending.size() < config.batchSize()) {
      return List.of();
    }
    List<LabeledSample> batch = new ArrayList<>(pending);
    pending.clear();
    return trainBatch(batch);
  }

  /** What {@link #offerScored} returns: the step reports and, when a batch was trained, its prequential scores. */
  public record ScoredOffer(List<StepReport> steps, Scores scores) {}

  /**
   * {@link #offer}, and when the sample completes a mini-batch, also that batch's prequential scores: every sample
   * scored by the model as it was before the batch's step(s), exactly what {@link #score} returns when called just
   * before {@link #offer}. A modality whose step makes the unperturbed training pass on this batch (stateless
   * encoder, no mixup) hands that pass's logits over instead of a second forward pass; the others are scored first.
   * Training itself is unchanged: same steps, same parameters.
   */
  public ScoredOffer offerScored(LabeledSample sample) {
    GradMode.offOnThisThread();
    if (pending.size() + 1 < config.batchSize()) {
      return new ScoredOffer(offer(sample), null);
    }
    validate(sample);
    List<float[][]> inputs = new ArrayList<>(config.batchSize());
    for (LabeledSample s : pending) {
      inputs.add(s.inputs());
    }
    inputs.add(sample.inputs());
    if (dtype != DataType.FLOAT32) {
      Scores scores = score(inputs);
      return new ScoredOffer(offer(sample), scores);
    }
    boolean[] reuse = stepPassesReusable(batches);
    PrequentialCapture c = new PrequentialCapture(inputs.size(), config.numClasses(), nets.size());
    boolean[] beside = scoredBesideStep(batches, reuse);
    boolean[] here = new boolean[reuse.length]; // scored on this thread, before the step
    boolean anyBeside = false;
    for (int j = 0; j < reuse.length; j++) {
      here[j] = !reuse[j] && !beside[j];
      anyBeside |= beside[j];
    }
    scoreInto(c, inputs, here);
    Future<?> besideScoring = !anyBeside ? null : WORKERS.submit(() -> {
      GradMode.offOnThisThread();
      scoreInto(c, inputs, beside);
    });
    capture = c;
    List<StepReport> steps;
    try {
      steps = offer(sample);
    } finally {
      capture = null;
      await(besideScoring, "prequential scoring");
    }
    return new ScoredOffer(steps, c.finish(config));
  }

  /**
   * The modalities whose prequential scores can be computed on a worker while this batch's step runs: scored by an
   * inference pass (not {@code reuse}d) and not changed by any step of batch {@code b}. Under the phased schedule
   * (and unimodal training) a batch steps one modality; every other one is frozen until the step is done, so an
   * inference pass on it gives the same scores beside the step as before it. Joint steps change every modality and
   * its fused score needs one pass over all of them: nothing beside.
   */
  private boolean[] scoredBesideStep(long b, boolean[] reuse) {
    int m = nets.size();
    boolean[] out = new boolean[m];
    Method method = config.method();
    int stepped;
    if (method == Method.JOINT) {
      return out;
    } else if (method == Method.UNIMODAL) {
      stepped = config.modalityIndex(config.unimodalTarget());
    } else if (config.schedule() == IgmConfig.Schedule.PHASED) {
      stepped = phaseModality(b);
    } else {
      return out;
    }
    for (int j = 0; j < m; j++) {
      out[j] = j != stepped && !reuse[j];
    }
    return out;
  }

  /**
   * Which modalities' training passes of batch {@code b} can stand for a scoring pass: the pass runs on the batch
   * as it is (no mixup) with the modality's parameters as they were before the batch (a step changes only its own
   * modality), and the encoder computes the same in training as in inference (identity, mlp: no BatchNorm, no
   * dropout). {@code joint}: all or none (its fused score needs every modality's logits from one kind of pass).
   */
  private boolean[] stepPassesReusable(long b) {
    int m = nets.size();
    boolean[] out = new boolean[m];
    boolean stateless = true;
    for (ModalityNet net : nets) {
      String e = net.spec().encoder();
      stateless &= e.equals("identity") || e.equals("mlp");
    }
    if (!stateless) {
      return out;
    }
    Method method = config.method();
    if (method == Method.JOINT) {
      java.util.Arrays.fill(out, true);
    } else if (method == Method.UNIMODAL) {
      out[config.modalityIndex(config.unimodalTarget())] = true;
    } else if (method == Method.IGM && config.samVariant() == IgmConfig.SamVariant.REFERENCE) {
      return out; // the step's pass sees the mixed-up batch
    } else if (config.schedule() == IgmConfig.Schedule.PHASED) {
      out[phaseModality(b)] = true;
    } else {
      java.util.Arrays.fill(out, true);
    }
    return out;
  }

  /** Inference-pass scores of the modalities {@code which} selects (joint: its logit sum too), as {@link #score}. */
  private void scoreInto(PrequentialCapture c, List<float[][]> inputs, boolean[] which) {
    boolean joint = config.method() == Method.JOINT;
    int n = inputs.size();
    try (NDScope ignored = new NDScope()) {
      NDArray logitSum = null;
      for (int j = 0; j < nets.size(); j++) {
        if (!which[j]) {
          continue;
        }
        ModalityNet net = nets.get(j);
        int d = net.spec().inputSize();
        float[] flat = new float[n * d];
        for (int s = 0; s < n; s++) {
          System.arraycopy(inputs.get(s)[j], 0, flat, s * d, d);
        }
        NDArray x = manager.create(flat, new Shape(n, d)).toType(dtype, false);
        NDArray logits = net.forward(x, net.parameters(), Pass.INFERENCE).logits;
        c.modality(j, logits);
        logitSum = logitSum == null ? logits : logitSum.add(logits);
      }
      if (joint && logitSum != null) {
        c.logitSum(logitSum); // reuse is all or none for joint: here none, so this is the sum over every modality
      }
    }
  }

  private void validate(LabeledSample s) {
    if (s.label() < 0 || s.label() >= config.numClasses()) {
      throw new IllegalArgumentException(
          "sample " + s.id() + ": label " + s.label() + " outside [0, " + config.numClasses() + ")");
    }
    if (s.inputs().length != nets.size()) {
      throw new IllegalArgumentException(
          "sample " + s.id() + ": " + s.inputs().length + " modalities, the model has " + nets.size());
    }
    for (int j = 0; j < nets.size(); j++) {
      int want = nets.get(j).spec().inputSize();
      if (s.inputs()[j] == null || s.inputs()[j].length != want) {
        throw new IllegalArgumentException("sample " + s.id() + ": modality " + nets.get(j).name() + " has "
            + (s.inputs()[j] == null ? "no input" : s.inputs()[j].length + " values") + ", expected " + want);
      }
    }
  }

  /** Learning rate of batch {@code b} under step decay. */
  public double learningRate(long b) {
    if (config.lrDecayBatches() <= 0) {
      return config.lr();
    }
    return config.lr() * Math.pow(config.lrDecayFactor(), b / config.lrDecayBatches());
  }

  /** The modality that batch {@code b} trains under the phased schedule. */
  public int phaseModality(long b) {
    return (int) ((b / config.phaseBatches()) % nets.size());
  }

  private List<StepReport> trainBatch(List<LabeledSample> batch) {
    long b = batches;
    double lr = learningRate(b);
    List<StepReport> reports = new ArrayList<>();
    Method method = config.method();
    if (method == Method.JOINT) {
      reports.add(jointStep(batch, b, lr));
    } else if (method == Method.UNIMODAL) {
      reports.add(modalityStep(config.modalityIndex(config.unimodalTarget()), batch, b, lr));
    } else if (config.schedule() == IgmConfig.Schedule.PHASED) {
      int j = phaseModality(b);
      boolean phaseStart = b % config.phaseBatches() == 0;
      if (phaseStart && covariances[j] != null && config.covarianceReset() == IgmConfig.CovarianceReset.PER_PHASE) {
        settleCovariances();
        for (CovarianceAccumulator c : covariances[j]) {
          c.reset();
        }
      }
      reports.add(modalityStep(j, batch, b, lr));
      if ((b + 1) % config.phaseBatches() == 0) {
        refresh(j, b);
      }
    } else {
      for (int j = 0; j < nets.size(); j++) {
        reports.add(modalityStep(j, batch, b, lr));
      }
      if ((b + 1) % config.tRefreshBatches() == 0) {
        for (int k = 0; k < nets.size(); k++) {
          refresh(k, b);
          if (covariances[k] != null && config.covarianceReset() == IgmConfig.CovarianceReset.PER_PHASE) {
            for (CovarianceAccumulator c : covariances[k]) {
              c.reset();
            }
          }
        }
      }
    }
    batches++;
    samplesTrained += batch.size();
    for (StepReport r : reports) {
      if (r.refused()) {
        refusedSteps++;
      }
      for (TrainingListener l : listeners) {
        l.onStep(r);
      }
    }
    return reports;
  }

  /** One optimizer step of modality {@code j} on {@code batch}, outside the schedule (benchmarks and tests). */
  StepReport stepModality(int j, List<LabeledSample> batch) {
    return config.method() == Method.JOINT ? jointStep(batch, batches, learningRate(batches))
        : modalityStep(j, batch, batches, learningRate(batches));
  }

  /** Recomputes T^k from C^k for every head layer (synchronously; deterministic by construction). */
  private void refresh(int k, long b) {
    if (covariances[k] == null) {
      return;
    }
    settleCovariances();
    for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
      FlatMatrix t = modifier.compute(covariances[k][i]);
      setFlat(k, i, t);
      for (TrainingListener l : listeners) {
        l.onRefresh(nets.get(k).name(), i, t, b);
      }
    }
  }

  void setFlat(int k, int i, FlatMatrix t) {
    for (NDArray[][] cache : List.of(flatArrays, dampingRows, dampingNegated)) {
      if (cache[k][i] != null) {
        cache[k][i].close();
        cache[k][i] = null;
      }
    }
    flats[k][i] = t;
    if (t == null || t.isIdentity()) {
      return;
    }
    try (NDScope ignored = new NDScope()) {
      int d = t.dim();
      int r = t.dampingRank();
      // T = I − U Uᵀ: with few damped directions the two thin products beat one dense d×d product.
      // r = 0 (nothing damped beyond float resolution) leaves the gradient as it is: ∇W − 0.
      if (r == 0) {
        return;
      }
      if (r > 0 && 4 * r <= d) {
        float[] u = toFloats(t.dampingFactor()); // d×r row-major
        float[] rows = new float[u.length];
        float[] negated = new float[u.length];
        for (int a = 0; a < d; a++) {
          for (int q = 0; q < r; q++) {
            rows[q * d + a] = u[a * r + q];
            negated[a * r + q] = -u[a * r + q];
          }
        }
        dampingRows[k][i] = Persistent.keep(manager.create(rows, new Shape(r, d)).toType(dtype, false), manager);
        dampingNegated[k][i] = Persistent.keep(manager.create(negated, new Shape(d, r)).toType(dtype, false), manager);
      } else {
        flatArrays[k][i] = Persistent.keep(manager.create(t.toFloats(), new Shape(d, d)).toType(dtype, false), manager);
      }
    }
  }

  private static float[] toFloats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }

  // ------------------------------------------------------------------------------------------ steps

  /**
   * One step of one modality: unimodal, MLA, IGM without SAM, or IGM (SAM + GM). The encoder's running statistics
   * staged by the unperturbed pass are committed only when the step is applied (rule 8 extended to encoder state).
   */
  private StepReport modalityStep(int j, List<LabeledSample> batch, long b, double lr) {
    ModalityNet net = nets.get(j);
    try (NDScope ignored = new NDScope()) {
      StepReport r = modalityStepInScope(j, net, batch, b, lr);
      if (!r.refused()) {
        net.commitStatistics(); // inside the scope: the staged arrays die with it
      }
      return r;
    } finally {
      net.discardStatistics();
    }
  }

  private StepReport modalityStepInScope(int j, ModalityNet net, List<LabeledSample> batch, long b, double lr) {
    List<Integer> trainable = trainableIndices(net);
    boolean reference = config.method() == Method.IGM && config.samVariant() == IgmConfig.SamVariant.REFERENCE;
    float[] input = stack(batch, j);
    int[] labels = labels(batch);
    int[] mixPartner = null;
    double lambda = 1;
    if (reference) {
      lambda = rng.nextBeta(config.samMixupAlpha(), config.samMixupAlpha());
      mixPartner = rng.permutation(batch.size());
      input = mixup(input, batch.size(), mixPartner, lambda);
    }
    NDArray x = manager.create(input, new Shape(batch.size(), net.spec().inputSize())).toType(dtype, false);
    NDArray y = oneHot(labels);

    zeroGradients(net, trainable);
    ModalityNet.Forward f;
    NDArray loss;
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      f = net.forward(x, net.parameters(), Pass.TRAINING);
      loss = reference ? Losses.mixup(f.logits, y, oneHot(permute(labels, mixPartner)), lambda) : Losses.crossEntropy(f.logits, y);
      gc.backward(loss);
    }
    if (capture != null && !reference) {
      capture.modality(j, f.logits); // prequential scores from this pass (offerScored); ignored if scored already
    }
    double lossValue = loss.toType(DataType.FLOAT64, false).getDouble();
    List<NDArray> grads = gradients(net, trainable);
    double norm2 = squaredNorm(grads);
    if (!Double.isFinite(lossValue) || !Double.isFinite(norm2)) {
      return new StepReport(b, net.name(), lossValue, true, lr, Math.sqrt(norm2));
    }
    double[][] means = config.method() == Method.MLA ? HeadInputs.copyOf(f).means() : null; // MLA's GM needs them now

    List<NDArray> params = trainableParams(net, trainable);
    List<NDArray> finalGrads;
    if (config.method() == Method.IGM && !reference) {
      finalGrads = samGradients(net, trainable, x, y, grads, Math.sqrt(norm2));
    } else if (reference) {
      finalGrads = referenceGradients(net, trainable, x, y, grads, f);
    } else {
      finalGrads = grads;
    }
    if (finalGrads == null || !Double.isFinite(squaredNorm(finalGrads))) {
      return new StepReport(b, net.name(), lossValue, true, lr, Math.sqrt(norm2));
    }
    finalGrads = modifyGradients(j, net, trainable, finalGrads, means, b);
    optimizers.get(j).step(params, finalGrads, lr);
    if (covariances[j] != null) {
      updateCovariances(covariances[j], means != null ? null : HeadInputs.copyOf(f), means);
    }
    return new StepReport(b, net.name(), lossValue, false, lr, Math.sqrt(norm2));
  }

  /**
   * SAM, paper variant: g' = ∇L(θ + ρ g/‖g‖) on the same batch. θ+ε lives on separate leaf arrays, so θ is never
   * moved — except for parameters the network cannot take substitutes for (a TorchScript encoder's): those are
   * perturbed in place and restored by copying θ back, bit for bit, whatever happens in between.
   */
  private List<NDArray> samGradients(
      ModalityNet net, List<Integer> trainable, NDArray x, NDArray y, List<NDArray> g, double norm) {
    double scale = norm > 0 ? config.samRho() / norm : 0;
    List<NDArray> perturbed = new ArrayList<>(net.parameters());
    List<NDArray> leaves = new ArrayList<>();
    List<NDArray> deltas = new ArrayList<>();
    for (int t = 0; t < trainable.size(); t++) {
      deltas.add(g.get(t).mul(scale)); // all of ε before any gradient is zeroed below
    }
    Map<Integer, NDArray> moved = new TreeMap<>();
    try {
      for (int t = 0; t < trainable.size(); t++) {
        int idx = trainable.get(t);
        NDArray theta = net.parameters().get(idx);
        if (net.isSubstitutable(idx)) {
          NDArray p = theta.add(deltas.get(t));
          p.setRequiresGradient(true);
          perturbed.set(idx, p);
          leaves.add(p);
        } else {
          moved.put(idx, theta.duplicate());
          theta.addi(deltas.get(t));
          theta.getGradient().set(new NDIndex("..."), 0); // autograd accumulates into θ's own gradient
          leaves.add(theta);
        }
      }
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = Losses.crossEntropy(net.forward(x, perturbed).logits, y);
        gc.backward(loss);
        if (!Double.isFinite(loss.toType(DataType.FLOAT64, false).getDouble())) {
          return null;
        }
      }
      List<NDArray> out = new ArrayList<>();
      for (NDArray p : leaves) {
        out.add(p.getGradient());
      }
      return out;
    } finally {
      for (Map.Entry<Integer, NDArray> e : moved.entrySet()) {
        net.parameters().get(e.getKey()).set(new NDIndex("..."), e.getValue());
      }
    }
  }

  /**
   * SAM as the reference code does it: the head is nudged by ρ·g/‖g‖ per tensor (the encoder by sam.rho.encoder)
   * and not restored; the gradient is that of {@code (1−r)·L_mixup(θ) + r·L(head_{θ+ε}(z), y)} with z the features of
   * the mixed batch.
   */
  private List<NDArray> referenceGradients(
      ModalityNet net, List<Integer> trainable, NDArray x, NDArray y, List<NDArray> g, ModalityNet.Forward f) {
    double r = config.samFlatRatio();
    int headStart = net.headWeightIndex(0);
    List<NDArray> gOri = new ArrayList<>();
    List<NDArray> eps = new ArrayList<>();
    for (int t = 0; t < trainable.size(); t++) {
      NDArray gt = g.get(t).duplicate();
      gOri.add(gt);
      double n = Math.sqrt(gt.square().sum().toType(DataType.FLOAT64, false).getDouble());
      double rho = trainable.get(t) >= headStart ? config.samRho() : config.samRhoEncoder();
      eps.add(gt.mul(n > 0 ? rho / n : 0));
    }
    List<NDArray> params = new ArrayList<>(net.parameters());
    List<NDArray> headLeaves = new ArrayList<>();
    for (int t = 0; t < trainable.size(); t++) {
      int idx = trainable.get(t);
      if (idx >= headStart) {
        NDArray p = params.get(idx).add(eps.get(t));
        p.setRequiresGradient(true);
        params.set(idx, p);
        headLeaves.add(p);
      }
    }
    zeroGradients(net, trainable);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray z = net.forward(x, params).features();
      NDArray loss = Losses.crossEntropy(net.head(z, params, null), y);
      gc.backward(loss);
      if (!Double.isFinite(loss.toType(DataType.FLOAT64, false).getDouble())) {
        return null;
      }
    }
    List<NDArray> out = new ArrayList<>();
    int h = 0;
    for (int t = 0; t < trainable.size(); t++) {
      int idx = trainable.get(t);
      NDArray gFlat = idx >= headStart ? headLeaves.get(h++).getGradient() : net.parameters().get(idx).getGradient();
      out.add(gOri.get(t).mul(1 - r).add(gFlat.mul(r)));
    }
    // the reference leaves the perturbation in place: the optimizer steps from θ + ε
    for (int t = 0; t < trainable.size(); t++) {
      net.parameters().get(trainable.get(t)).addi(eps.get(t));
    }
    return out;
  }

  /** GM: ∇W_i ← ∇W_i · T_i^k (IGM) or ∇W_i ← ∇W_i · P (MLA) for head weights only; biases and encoders untouched. */
  private List<NDArray> modifyGradients(
      int j, ModalityNet net, List<Integer> trainable, List<NDArray> grads, double[][] means, long b) {
    Method method = config.method();
    if (method != Method.IGM && method != Method.IGM_NOSAM && method != Method.MLA) {
      return grads;
    }
    List<NDArray> out = new ArrayList<>(grads);
    int k = (j - 1 + nets.size()) % nets.size();
    for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
      int t = trainable.indexOf(net.headWeightIndex(i));
      int width = net.headInputWidth(i);
      NDArray m = null;
      if (method == Method.MLA) {
        MlaProjector p = projectors.get(projectorKey(i, width));
        if (p != null) {
          p.update(means[i], mlaAlpha(b));
          m = manager.create(p.toFloats(), new Shape(width, width)).toType(dtype, false);
        }
      } else if (nets.get(k).headInputWidth(i) == width) {
        if (dampingRows[k][i] != null) {
          // ∇W − (∇W U) Uᵀ in two gemm calls: P = Uᵀ ∇Wᵀ (Linear without bias: x·wᵀ with x = Uᵀ, w = ∇W), then one
          // addmm, Pᵀ·(−U)ᵀ + ∇W (Linear with x = Pᵀ, w = −U, b = ∇W). The same products as (∇W U) Uᵀ; libtorch's
          // CPU gemm runs Uᵀ ∇Wᵀ (r×d · d×out) about 4× faster than ∇W U (out×d · d×r), and the addmm saves a
          // separate subtraction and its out×d temporary.
          NDArray g = grads.get(t);
          NDArray p = Linear.linear(dampingRows[k][i], g).singletonOrThrow();
          out.set(t, Linear.linear(p.transpose(), dampingNegated[k][i], g).singletonOrThrow());
        } else {
          m = flatArrays[k][i];
        }
      }
      if (m != null) {
        out.set(t, grads.get(t).matMul(m));
      }
    }
    return out;
  }

  private double mlaAlpha(long b) {
    int nb = config.mlaBatchesPerEpoch();
    return nb > 0 ? MlaProjector.alpha(b % nb, nb) : config.mlaAlpha();
  }

  /** The late-fusion baseline: CE of the summed logits, every modality in one step, no SAM and no GM. */
  private StepReport jointStep(List<LabeledSample> batch, long b, double lr) {
    try (NDScope ignored = new NDScope()) {
      StepReport r = jointStepInScope(batch, b, lr);
      if (!r.refused()) {
        nets.forEach(ModalityNet::commitStatistics);
      }
      return r;
    } finally {
      nets.forEach(ModalityNet::discardStatistics);
    }
  }

  private StepReport jointStepInScope(List<LabeledSample> batch, long b, double lr) {
    NDArray y = oneHot(labels(batch));
    List<List<Integer>> trainable = new ArrayList<>();
    List<NDArray> xs = new ArrayList<>();
    for (int j = 0; j < nets.size(); j++) {
      ModalityNet net = nets.get(j);
      trainable.add(trainableIndices(net));
      xs.add(manager.create(stack(batch, j), new Shape(batch.size(), net.spec().inputSize())).toType(dtype, false));
      zeroGradients(net, trainable.get(j));
    }
    NDArray loss;
    NDArray[] logits = new NDArray[nets.size()];
    NDArray sum = null;
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      for (int j = 0; j < nets.size(); j++) {
        ModalityNet net = nets.get(j);
        logits[j] = net.forward(xs.get(j), net.parameters(), Pass.TRAINING).logits;
        sum = sum == null ? logits[j] : sum.add(logits[j]);
      }
      loss = Losses.crossEntropy(sum, y);
      gc.backward(loss);
    }
    if (capture != null) {
      for (int j = 0; j < nets.size(); j++) {
        capture.modality(j, logits[j]); // prequential scores from this pass (offerScored)
      }
      capture.logitSum(sum);
    }
    double lossValue = loss.toType(DataType.FLOAT64, false).getDouble();
    List<List<NDArray>> grads = new ArrayList<>();
    double norm2 = 0;
    for (int j = 0; j < nets.size(); j++) {
      grads.add(gradients(nets.get(j), trainable.get(j)));
      norm2 += squaredNorm(grads.get(j));
    }
    if (!Double.isFinite(lossValue) || !Double.isFinite(norm2)) {
      return new StepReport(b, "joint", lossValue, true, lr, Math.sqrt(norm2));
    }
    for (int j = 0; j < nets.size(); j++) {
      optimizers.get(j).step(trainableParams(nets.get(j), trainable.get(j)), grads.get(j), lr);
    }
    return new StepReport(b, "joint", lossValue, false, lr, Math.sqrt(norm2));
  }

  // ------------------------------------------------------------------------------------------ scoring

  /**
   * Scores samples without training: per-modality softmax probabilities and the fused prediction (mean of the
   * softmaxes, or weighted; {@code joint} fuses by the softmax of its summed logits, rule 12).
   */
  public Scores score(List<float[][]> inputs) {
    GradMode.offOnThisThread();
    int n = inputs.size();
    int c = config.numClasses();
    float[][] perModality = new float[nets.size()][];
    float[] fused = new float[n * c];
    float[] meanSoftmax = new float[n * c];
    try (NDScope ignored = new NDScope()) {
      NDArray logitSum = null;
      NDArray probSum = null;
      for (int j = 0; j < nets.size(); j++) {
        ModalityNet net = nets.get(j);
        float[] flat = new float[n * net.spec().inputSize()];
        for (int s = 0; s < n; s++) {
          System.arraycopy(inputs.get(s)[j], 0, flat, s * net.spec().inputSize(), net.spec().inputSize());
        }
        NDArray x = manager.create(flat, new Shape(n, net.spec().inputSize())).toType(dtype, false);
        NDArray logits = net.forward(x, net.parameters(), Pass.INFERENCE).logits;
        NDArray probs = logits.softmax(1);
        perModality[j] = probs.toType(DataType.FLOAT32, false).toFloatArray();
        double w = config.fusionWeights().isEmpty() ? 1.0 / nets.size() : config.fusionWeights().get(j);
        NDArray weighted = probs.mul(w);
        probSum = probSum == null ? weighted : probSum.add(weighted);
        logitSum = logitSum == null ? logits : logitSum.add(logits);
      }
      meanSoftmax = probSum.toType(DataType.FLOAT32, false).toFloatArray();
      fused = config.method() == Method.JOINT
          ? logitSum.softmax(1).toType(DataType.FLOAT32, false).toFloatArray()
          : meanSoftmax;
    }
    return new Scores(n, c, perModality, fused, meanSoftmax);
  }

  // ------------------------------------------------------------------------------------------ helpers

  private static List<Integer> trainableIndices(ModalityNet net) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < net.parameters().size(); i++) {
      if (net.isTrainable(i)) {
        out.add(i);
      }
    }
    return out;
  }

  private static List<NDArray> trainableParams(ModalityNet net, List<Integer> trainable) {
    List<NDArray> out = new ArrayList<>();
    for (int i : trainable) {
      out.add(net.parameters().get(i));
    }
    return out;
  }

  private static void zeroGradients(ModalityNet net, List<Integer> trainable) {
    for (int i : trainable) {
      NDArray g = net.parameters().get(i).getGradient();
      g.set(new NDIndex(":"), 0); // set, not multiply: a refused step may have left NaN in the gradient
    }
  }

  private static List<NDArray> gradients(ModalityNet net, List<Integer> trainable) {
    List<NDArray> out = new ArrayList<>();
    for (int i : trainable) {
      out.add(net.parameters().get(i).getGradient());
    }
    return out;
  }

  private static double squaredNorm(List<NDArray> arrays) {
    double s = 0;
    for (NDArray a : arrays) {
      s += a.toType(DataType.FLOAT64, false).square().sum().getDouble();
    }
    return s;
  }

  /**
   * Adds this step's batch means to modality {@code j}'s covariances (rule 3) on a worker thread: the update
   * (float64 means, rank-1 updates of d×d triangles) is pure Java on data copied out of the engine, so it runs while
   * the next step computes, and no one sees a covariance before it is done — every reader (phase reset, T refresh,
   * the accessors, snapshots, close) settles it first. Updates stay in order: one pending update per trainer.
   */
  private void updateCovariances(CovarianceAccumulator[] target, HeadInputs inputs, double[][] knownMeans) {
    settleCovariances();
    pendingCovariance = WORKERS.submit(() -> {
      double[][] means = knownMeans != null ? knownMeans : inputs.means();
      for (int i = 0; i < target.length; i++) {
        target[i].updateWithMean(means[i]);
      }
    });
  }

  /** Waits for the pending covariance update, if any. */
  private void settleCovariances() {
    await(pendingCovariance, "covariance update");
    pendingCovariance = null;
  }

  /** Waits for work handed to a worker; its failure becomes this thread's. */
  private static void await(Future<?> f, String what) {
    if (f == null) {
      return;
    }
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the " + what + " completes", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed", e.getCause());
    }
  }

  /**
   * The head-layer inputs of one forward pass, copied out of the engine in their own type (one native call per
   * layer), and their batch means in float64: summed here in float64, then divided by the row count (as
   * {@code mean} does: sum, then divide).
   */
  private record HeadInputs(int[] rows, float[][] f32, double[][] f64) {
    static HeadInputs copyOf(ModalityNet.Forward f) {
      int n = ModalityNet.HEAD_LAYERS;
      int[] rows = new int[n];
      float[][] f32 = new float[n][];
      double[][] f64 = new double[n][];
      for (int i = 0; i < n; i++) {
        NDArray h = f.headInputs[i];
        rows[i] = Math.toIntExact(h.getShape().get(0));
        if (h.getDataType() == DataType.FLOAT32) {
          f32[i] = h.toFloatArray();
        } else {
          f64[i] = h.toType(DataType.FLOAT64, false).toDoubleArray();
        }
      }
      return new HeadInputs(rows, f32, f64);
    }

    double[][] means() {
      double[][] out = new double[rows.length][];
      for (int i = 0; i < rows.length; i++) {
        int r = rows[i];
        int d = (f32[i] != null ? f32[i].length : f64[i].length) / r;
        double[] sum = new double[d];
        float[] v32 = f32[i];
        double[] v64 = f64[i];
        for (int row = 0, off = 0; row < r; row++, off += d) {
          if (v32 != null) {
            for (int c = 0; c < d; c++) {
              sum[c] += v32[off + c];
            }
          } else {
            for (int c = 0; c < d; c++) {
              sum[c] += v64[off + c];
            }
          }
        }
        for (int c = 0; c < d; c++) {
          sum[c] /= r;
        }
        out[i] = sum;
      }
      return out;
    }
  }

  private NDArray oneHot(int[] labels) {
    return manager.create(labels).oneHot(config.numClasses()).toType(dtype, false);
  }

  private static int[] labels(List<LabeledSample> batch) {
    int[] y = new int[batch.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = batch.get(i).label();
    }
    return y;
  }

  private static int[] permute(int[] v, int[] perm) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[perm[i]];
    }
    return out;
  }

  private static float[] stack(List<LabeledSample> batch, int j) {
    int d = batch.get(0).inputs()[j].length;
    float[] out = new float[batch.size() * d];
    for (int s = 0; s < batch.size(); s++) {
      System.arraycopy(batch.get(s).inputs()[j], 0, out, s * d, d);
    }
    return out;
  }

  private static float[] mixup(float[] x, int n, int[] partner, double lambda) {
    int d = x.length / n;
    float[] out = new float[x.length];
    for (int s = 0; s < n; s++) {
      for (int i = 0; i < d; i++) {
        out[s * d + i] = (float) (lambda * x[s * d + i] + (1 - lambda) * x[partner[s] * d + i]);
      }
    }
    return out;
  }

  @Override
  public void close() {
    try {
      settleCovariances();
    } finally {
      manager.close();
    }
  }

}
