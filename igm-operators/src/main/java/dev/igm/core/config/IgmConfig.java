package dev.igm.core.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Every knob of one model, named as in DESIGN.md §4, validated once in {@link Builder#build()}. Immutable.
 *
 * <p>{@link #toMap()} / {@link #fromMap(Map)} use the documented knob names ({@code phase.batches}, {@code sam.rho},
 * ...) so the same names work in the job YAML, on the command line and in snapshot metadata.
 */
public final class IgmConfig {
  /** The training method (DESIGN §4 "Methods"). */
  public enum Method {
    JOINT("joint"),
    UNIMODAL("unimodal"),
    MLA("mla"),
    IGM_NOSAM("igm-nosam"),
    IGM("igm");

    final String wire;

    Method(String wire) {
      this.wire = wire;
    }

    /** Methods that train one modality per optimizer step. */
    public boolean alternating() {
      return this == MLA || this == IGM_NOSAM || this == IGM;
    }
  }

  public enum Schedule {
    PHASED,
    INTERLEAVED
  }

  public enum CovarianceReset {
    PER_PHASE,
    NEVER
  }

  public enum SamVariant {
    PAPER,
    REFERENCE
  }

  public enum OptimizerKind {
    SGD,
    ADAM
  }

  private final Method method;
  private final String unimodalTarget;
  private final List<ModalitySpec> modalities;
  private final int numClasses;
  private final List<Integer> headWidths;
  private final int batchSize;
  private final Schedule schedule;
  private final int phaseBatches;
  private final int tRefreshBatches;
  private final double tau;
  private final CovarianceReset covarianceReset;
  private final double covarianceDecay;
  private final SamVariant samVariant;
  private final double samRho;
  private final double samRhoEncoder;
  private final double samFlatRatio;
  private final double samMixupAlpha;
  private final OptimizerKind optimizer;
  private final double lr;
  private final double momentum;
  private final double weightDecay;
  private final double adamBeta1;
  private final double adamBeta2;
  private final double adamEps;
  private final int lrDecayBatches;
  private final double lrDecayFactor;
  private final double mlaAlpha;
  private final int mlaBatchesPerEpoch;
  private final long seed;
  private final boolean deterministic;
  private final List<Double> fusionWeights;

  private IgmConfig(Builder b) {
    this.method = b.method;
    this.unimodalTarget = b.unimodalTarget;
    this.modalities = List.copyOf(b.modalities);
    this.numClasses = b.numClasses;
    this.headWidths = List.copyOf(b.headWidths);
    this.batchSize = b.batchSize;
    this.schedule = b.schedule;
    this.phaseBatches = b.phaseBatches;
    this.tRefreshBatches = b.tRefreshBatches;
    this.tau = b.tau;
    this.covarianceReset = b.covarianceReset;
    this.covarianceDecay = b.covarianceDecay;
    this.samVariant = b.samVariant;
    this.samRho = b.samRho;
    this.samRhoEncoder = Double.isNaN(b.samRhoEncoder) ? b.samRho : b.samRhoEncoder;
    this.samFlatRatio = b.samFlatRatio;
    this.samMixupAlpha = b.samMixupAlpha;
    this.optimizer = b.optimizer;
    this.lr = b.lr;
    this.momentum = b.momentum;
    this.weightDecay = b.weightDecay;
    this.adamBeta1 = b.adamBeta1;
    this.adamBeta2 = b.adamBeta2;
    this.adamEps = b.adamEps;
    this.lrDecayBatches = b.lrDecayBatches;
    this.lrDecayFactor = b.lrDecayFactor;
    this.mlaAlpha = b.mlaAlpha;
    this.mlaBatchesPerEpoch = b.mlaBatchesPerEpoch;
    this.seed = b.seed;
    this.deterministic = b.deterministic;
    this.fusionWeights = b.fusionWeights == null ? List.of() : List.copyOf(b.fusionWeights);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder pre-filled with this configuration, for variations. */
  public Builder toBuilder() {
    return fromMap(toMap());
  }

  public Method method() {
    return method;
  }

  /** The method as written in configuration: {@code joint}, {@code unimodal-<name>}, {@code mla}, ... */
  public String methodName() {
    return method == Method.UNIMODAL ? "unimodal-" + unimodalTarget : method.wire;
  }

  /** For {@code unimodal-<name>}: the one modality trained. */
  public String unimodalTarget() {
    return unimodalTarget;
  }

  public List<ModalitySpec> modalities() {
    return modalities;
  }

  public int modalityCount() {
    return modalities.size();
  }

  public int modalityIndex(String name) {
    for (int i = 0; i < modalities.size(); i++) {
      if (modalities.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  public int numClasses() {
    return numClasses;
  }

  /** Hidden widths of the 3-layer head (default 256, 64); the last layer maps to numClasses. */
  public List<Integer> headWidths() {
    return headWidths;
  }

  public int batchSize() {
    return batchSize;
  }

  public Schedule schedule() {
    return schedule;
  }

  public int phaseBatches() {
    return phaseBatches;
  }

  public int tRefreshBatches() {
    return tRefreshBatches;
  }

  public double tau() {
    return tau;
  }

  public CovarianceReset covarianceReset() {
    return covarianceReset;
  }

  public double covarianceDecay() {
    return covarianceDecay;
  }

  public SamVariant samVariant() {
    return samVariant;
  }

  public double samRho() {
    return samRho;
  }

  /** The reference variant's separate perturbation radius for encoder tensors (defaults to sam.rho). */
  public double samRhoEncoder() {
    return samRhoEncoder;
  }

  public double samFlatRatio() {
    return samFlatRatio;
  }

  public double samMixupAlpha() {
    return samMixupAlpha;
  }

  public OptimizerKind optimizer() {
    return optimizer;
  }

  public double lr() {
    return lr;
  }

  public double momentum() {
    return momentum;
  }

  public double weightDecay() {
    return weightDecay;
  }

  public double adamBeta1() {
    return adamBeta1;
  }

  public double adamBeta2() {
    return adamBeta2;
  }

  public double adamEps() {
    return adamEps;
  }

  /** Divide the learning rate by 1/lr.decay.factor every this many batches; 0 = never. */
  public int lrDecayBatches() {
    return lrDecayBatches;
  }

  public double lrDecayFactor() {
    return lrDecayFactor;
  }

  public double mlaAlpha() {
    return mlaAlpha;
  }

  /** When &gt; 0, MLA's alpha follows 0.1^(1 + b/nb) with b the batch index within an epoch of this many batches. */
  public int mlaBatchesPerEpoch() {
    return mlaBatchesPerEpoch;
  }

  public long seed() {
    return seed;
  }

  public boolean deterministic() {
    return deterministic;
  }

  /** Optional weights for weighted fusion; empty = mean of the per-modality softmaxes. */
  public List<Double> fusionWeights() {
    return fusionWeights;
  }

  /** Whether modality {@code m} is trained at all by this method. */
  public boolean trains(int m) {
    return method != Method.UNIMODAL || modalities.get(m).name().equals(unimodalTarget);
  }

  /** The knobs under their documented names, in a stable order. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("method", methodName());
    List<Object> mods = new ArrayList<>();
    for (ModalitySpec s : modalities) {
      mods.add(s.toMap());
    }
    m.put("modalities", mods);
    m.put("num.classes", numClasses);
    m.put("head.widths", new ArrayList<>(headWidths));
    m.put("batch.size", batchSize);
    m.put("schedule", schedule.name().toLowerCase(Locale.ROOT));
    m.put("phase.batches", phaseBatches);
    m.put("t.refresh.batches", tRefreshBatches);
    m.put("tau", tau);
    m.put("covariance.reset", covarianceReset == CovarianceReset.PER_PHASE ? "per-phase" : "never");
    m.put("covariance.decay", covarianceDecay);
    m.put("sam.variant", samVariant.name().toLowerCase(Locale.ROOT));
    m.put("sam.rho", samRho);
    m.put("sam.rho.encoder", samRhoEncoder);
    m.put("sam.flat-ratio", samFlatRatio);
    m.put("sam.mixup-alpha", samMixupAlpha);
    m.put("optimizer", optimizer.name().toLowerCase(Locale.ROOT));
    m.put("lr", lr);
    m.put("momentum", momentum);
    m.put("weight-decay", weightDecay);
    m.put("adam.beta1", adamBeta1);
    m.put("adam.beta2", adamBeta2);
    m.put("adam.eps", adamEps);
    m.put("lr.decay.batches", lrDecayBatches);
    m.put("lr.decay.factor", lrDecayFactor);
    m.put("mla.alpha", mlaAlpha);
    m.put("mla.batches-per-epoch", mlaBatchesPerEpoch);
    m.put("seed", seed);
    m.put("deterministic", deterministic);
    if (!fusionWeights.isEmpty()) {
      m.put("fusion.weights", new ArrayList<>(fusionWeights));
    }
    return m;
  }

  /** A builder from documented knob names; unknown keys are an error (a typo must not be silently ignored). */
  @SuppressWarnings("unchecked")
  public static Builder fromMap(Map<String, Object> map) {
    Builder b = builder();
    for (Map.Entry<String, Object> e : map.entrySet()) {
      b.set(e.getKey(), e.getValue());
    }
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IgmConfig && ((IgmConfig) o).toMap().equals(toMap());
  }

  @Override
  public int hashCode() {
    return toMap().hashCode();
  }

  @Override
  public String toString() {
    return "IgmConfig" + toMap();
  }

  /** Fluent builder; {@link #build()} validates every knob once. */
  public static final class Builder {
    private Method method = Method.IGM;
    private String unimodalTarget;
    private List<ModalitySpec> modalities = new ArrayList<>();
    private int numClasses = -1;
    private List<Integer> headWidths = List.of(256, 64);
    private int batchSize = 64;
    private Schedule schedule = Schedule.PHASED;
    private int phaseBatches = 10;
    private int tRefreshBatches = 10;
    private double tau = 0.4;
    private CovarianceReset covarianceReset = CovarianceReset.PER_PHASE;
    private double covarianceDecay = 1.0;
    private SamVariant samVariant = SamVariant.PAPER;
    private double samRho = 0.05;
    private double samRhoEncoder = Double.NaN;
    private double samFlatRatio = 0.3;
    private double samMixupAlpha = 1.0;
    private OptimizerKind optimizer = OptimizerKind.SGD;
    private double lr = 1e-2;
    private double momentum = 0.9;
    private double weightDecay = 1e-4;
    private double adamBeta1 = 0.9;
    private double adamBeta2 = 0.999;
    private double adamEps = 1e-8;
    private int lrDecayBatches = 0;
    private double lrDecayFactor = 0.1;
    private double mlaAlpha = 0.1;
    private int mlaBatchesPerEpoch = 0;
    private long seed = 42;
    private boolean deterministic = false;
    private List<Double> fusionWeights;

    private Builder() {}

    /** {@code joint}, {@code unimodal-<name>}, {@code mla}, {@code igm-nosam} or {@code igm}. */
    public Builder method(String name) {
      String n = name.trim().toLowerCase(Locale.ROOT);
      if (n.startsWith("unimodal-")) {
        this.method = Method.UNIMODAL;
        this.unimodalTarget = name.trim().substring("unimodal-".length());
        return this;
      }
      for (Method m : Method.values()) {
        if (m != Method.UNIMODAL && m.wire.equals(n)) {
          this.method = m;
          this.unimodalTarget = null;
          return this;
        }
      }
      throw new IllegalArgumentException(
          "unknown method '" + name + "' (joint, unimodal-<modality>, mla, igm-nosam, igm)");
    }

    public Builder modalities(List<ModalitySpec> specs) {
      this.modalities = new ArrayList<>(specs);
      return this;
    }

    public Builder addModality(ModalitySpec spec) {
      this.modalities.add(spec);
      return this;
    }

    public Builder numClasses(int n) {
      this.numClasses = n;
      return this;
    }

    public Builder headWidths(List<Integer> widths) {
      this.headWidths = List.copyOf(widths);
      return this;
    }

    public Builder batchSize(int n) {
      this.batchSize = n;
      return this;
    }

    public Builder schedule(Schedule s) {
      this.schedule = s;
      return this;
    }

    public Builder phaseBatches(int n) {
      this.phaseBatches = n;
      return this;
    }

    public Builder tRefreshBatches(int n) {
      this.tRefreshBatches = n;
      return this;
    }

    public Builder tau(double t) {
      this.tau = t;
      return this;
    }

    public Builder covarianceReset(CovarianceReset r) {
      this.covarianceReset = r;
      return this;
    }

    public Builder covarianceDecay(double g) {
      this.covarianceDecay = g;
      return this;
    }

    public Builder samVariant(SamVariant v) {
      this.samVariant = v;
      return this;
    }

    public Builder samRho(double rho) {
      this.samRho = rho;
      return this;
    }

    public Builder samRhoEncoder(double rho) {
      this.samRhoEncoder = rho;
      return this;
    }

    public Builder samFlatRatio(double r) {
      this.samFlatRatio = r;
      return this;
    }

    public Builder samMixupAlpha(double a) {
      this.samMixupAlpha = a;
      return this;
    }

    public Builder optimizer(OptimizerKind k) {
      this.optimizer = k;
      return this;
    }

    public Builder lr(double v) {
      this.lr = v;
      return this;
    }

    public Builder momentum(double v) {
      this.momentum = v;
      return this;
    }

    public Builder weightDecay(double v) {
      this.weightDecay = v;
      return this;
    }

    public Builder adam(double beta1, double beta2, double eps) {
      this.adamBeta1 = beta1;
      this.adamBeta2 = beta2;
      this.adamEps = eps;
      return this;
    }

    public Builder lrDecay(int everyBatches, double factor) {
      this.lrDecayBatches = everyBatches;
      this.lrDecayFactor = factor;
      return this;
    }

    public Builder mlaAlpha(double a) {
      this.mlaAlpha = a;
      return this;
    }

    public Builder mlaBatchesPerEpoch(int n) {
      this.mlaBatchesPerEpoch = n;
      return this;
    }

    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    public Builder deterministic(boolean d) {
      this.deterministic = d;
      return this;
    }

    public Builder fusionWeights(List<Double> w) {
      this.fusionWeights = w == null ? null : List.copyOf(w);
      return this;
    }

    /** Sets one knob by its documented name (values may be strings, as from a command-line override). */
    @SuppressWarnings("unchecked")
    public Builder set(String key, Object v) {
      switch (key) {
        case "method":
          return method(str(v));
        case "modalities":
          {
            List<ModalitySpec> specs = new ArrayList<>();
            for (Object o : (List<Object>) v) {
              specs.add(o instanceof ModalitySpec ? (ModalitySpec) o : ModalitySpec.fromMap((Map<String, Object>) o));
            }
            return modalities(specs);
          }
        case "num.classes":
          return numClasses(integer(key, v));
        case "head.widths":
          return headWidths(intList(key, v));
        case "batch.size":
          return batchSize(integer(key, v));
        case "schedule":
          return schedule(enumOf(Schedule.class, key, v));
        case "phase.batches":
          return phaseBatches(integer(key, v));
        case "t.refresh.batches":
          return tRefreshBatches(integer(key, v));
        case "tau":
          return tau(dbl(key, v));
        case "covariance.reset":
          return covarianceReset(enumOf(CovarianceReset.class, key, v));
        case "covariance.decay":
          return covarianceDecay(dbl(key, v));
        case "sam.variant":
          return samVariant(enumOf(SamVariant.class, key, v));
        case "sam.rho":
          return samRho(dbl(key, v));
        case "sam.rho.encoder":
          return samRhoEncoder(dbl(key, v));
        case "sam.flat-ratio":
          return samFlatRatio(dbl(key, v));
        case "sam.mixup-alpha":
          return samMixupAlpha(dbl(key, v));
        case "optimizer":
          return optimizer(enumOf(OptimizerKind.class, key, v));
        case "lr":
          return lr(dbl(key, v));
        case "momentum":
          return momentum(dbl(key, v));
        case "weight-decay":
          return weightDecay(dbl(key, v));
        case "adam.beta1":
          adamBeta1 = dbl(key, v);
          return this;
        case "adam.beta2":
          adamBeta2 = dbl(key, v);
          return this;
        case "adam.eps":
          adamEps = dbl(key, v);
          return this;
        case "lr.decay.batches":
          lrDecayBatches = integer(key, v);
          return this;
        case "lr.decay.factor":
          lrDecayFactor = dbl(key, v);
          return this;
        case "mla.alpha":
          return mlaAlpha(dbl(key, v));
        case "mla.batches-per-epoch":
          return mlaBatchesPerEpoch(integer(key, v));
        case "seed":
          return seed(v instanceof Number ? ((Number) v).longValue() : Long.parseLong(str(v)));
        case "deterministic":
          return deterministic(v instanceof Boolean ? (Boolean) v : Boolean.parseBoolean(str(v)));
        case "fusion.weights":
          {
            List<Double> w = new ArrayList<>();
            for (Object o : listOf(v)) {
              w.add(dbl(key, o));
            }
            return fusionWeights(w);
          }
        default:
          throw new IllegalArgumentException("unknown model setting '" + key + "'");
      }
    }

    /** Validates every knob and their combinations. */
    public IgmConfig build() {
      require(!modalities.isEmpty(), "at least one modality is required");
      java.util.Set<String> names = new java.util.HashSet<>();
      for (ModalitySpec s : modalities) {
        require(names.add(s.name()), "modality '" + s.name() + "' is listed twice");
      }
      require(numClasses >= 2, "num.classes must be at least 2, got " + numClasses);
      require(headWidths.size() == 2 && headWidths.stream().allMatch(w -> w > 0),
          "head.widths must be two positive widths (FC(D->w1) -> ReLU -> FC(w1->w2) -> FC(w2->c)), got " + headWidths);
      require(batchSize >= 1, "batch.size must be >= 1, got " + batchSize);
      require(phaseBatches >= 1, "phase.batches must be >= 1, got " + phaseBatches);
      require(tRefreshBatches >= 1, "t.refresh.batches must be >= 1, got " + tRefreshBatches);
      require(tau >= 0 && Double.isFinite(tau), "tau must be finite and >= 0, got " + tau);
      require(covarianceDecay > 0 && covarianceDecay <= 1, "covariance.decay must be in (0, 1], got " + covarianceDecay);
      require(samRho >= 0 && Double.isFinite(samRho), "sam.rho must be finite and >= 0, got " + samRho);
      require(Double.isNaN(samRhoEncoder) || samRhoEncoder >= 0, "sam.rho.encoder must be >= 0");
      require(samFlatRatio >= 0 && samFlatRatio <= 1, "sam.flat-ratio must be in [0, 1], got " + samFlatRatio);
      require(samMixupAlpha > 0, "sam.mixup-alpha must be > 0, got " + samMixupAlpha);
      require(lr > 0 && Double.isFinite(lr), "lr must be finite and > 0, got " + lr);
      require(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got " + momentum);
      require(weightDecay >= 0, "weight-decay must be >= 0, got " + weightDecay);
      require(adamBeta1 >= 0 && adamBeta1 < 1 && adamBeta2 >= 0 && adamBeta2 < 1, "adam betas must be in [0, 1)");
      require(adamEps > 0, "adam.eps must be > 0");
      require(lrDecayBatches >= 0, "lr.decay.batches must be >= 0");
      require(lrDecayFactor > 0 && lrDecayFactor <= 1, "lr.decay.factor must be in (0, 1]");
      require(mlaAlpha > 0, "mla.alpha must be > 0");
      require(mlaBatchesPerEpoch >= 0, "mla.batches-per-epoch must be >= 0");
      if (method == Method.UNIMODAL) {
        require(modalities.stream().anyMatch(s -> s.name().equals(unimodalTarget)),
            "method unimodal-" + unimodalTarget + " names no configured modality");
      }
      if (method.alternating()) {
        require(modalities.size() >= 2, "method " + method.wire + " alternates between modalities: configure at least two");
      }
      if (fusionWeights != null && !fusionWeights.isEmpty()) {
        require(fusionWeights.size() == modalities.size(), "fusion.weights needs one weight per modality");
      }
      return new IgmConfig(this);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }

    private static String str(Object v) {
      return Objects.requireNonNull(v, "value").toString().trim();
    }

    private static int integer(String key, Object v) {
      try {
        return v instanceof Number ? ((Number) v).intValue() : Integer.parseInt(str(v));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'");
      }
    }

    private static double dbl(String key, Object v) {
      try {
        return v instanceof Number ? ((Number) v).doubleValue() : Double.parseDouble(str(v));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + " must be a number, got '" + v + "'");
      }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> listOf(Object v) {
      if (v instanceof List) {
        return (List<Object>) v;
      }
      List<Object> out = new ArrayList<>();
      for (String s : str(v).replace("[", "").replace("]", "").split(",")) {
        if (!s.isBlank()) {
          out.add(s.trim());
        }
      }
      return out;
    }

    private static List<Integer> intList(String key, Object v) {
      List<Integer> out = new ArrayList<>();
      for (Object o : listOf(v)) {
        out.add(integer(key, o));
      }
      return out;
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, String key, Object v) {
      String s = str(v).toUpperCase(Locale.ROOT).replace('-', '_');
      try {
        return Enum.valueOf(type, s);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ": unknown value '" + v + "'");
      }
    }
  }
}
