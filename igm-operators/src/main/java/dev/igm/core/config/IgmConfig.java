package dev.igm.core.config;

import static dev.igm.core.config.IgmSettings.*;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every knob of one model, validated once in {@link Builder#build()}. Immutable. The knobs themselves (name, type,
 * default, check, help) are described once in {@link IgmSettings}; docs/CONFIGURATION.md lists them, and
 * docs/ALGORITHM.md says what they do to the mathematics.
 *
 * <p>{@link #toMap()} / {@link #fromMap(Map)} use the documented knob names ({@code phase.batches}, {@code sam.rho},
 * ...) so the same names work in the job YAML, on the command line and in snapshot metadata.
 */
public final class IgmConfig {
  /** The training method (docs/ALGORITHM.md, "Methods"). */
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
    public boolean alternating() { return this == MLA || this == IGM_NOSAM || this == IGM; }

    /** Whether the method's own fusion is the softmax of the summed logits, not the mean of the softmaxes. */
    public boolean fusesSummedLogits() { return this == JOINT; }
  }

  public enum Schedule { PHASED, INTERLEAVED }

  public enum CovarianceReset { PER_PHASE, NEVER }

  public enum SamVariant { PAPER, REFERENCE }

  public enum OptimizerKind { SGD, ADAM }

  private final Map<Setting<?>, Object> values;

  private IgmConfig(Map<Setting<?>, Object> values) {
    this.values = values;
  }

  public static Builder builder() { return new Builder(); }

  /** A builder pre-filled with this configuration, for variations. */
  public Builder toBuilder() { return fromMap(toMap()); }

  /** The value of any knob. */
  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) { return (T) values.get(setting); }

  public Method method() {
    String name = get(METHOD);
    if (name.startsWith("unimodal-")) {
      return Method.UNIMODAL;
    }
    for (Method m : Method.values()) {
      if (m.wire.equals(name)) {
        return m;
      }
    }
    throw new IllegalStateException(name);
  }

  /** The method as written in configuration: {@code joint}, {@code unimodal-<name>}, {@code mla}, ... */
  public String methodName() { return get(METHOD); }

  /** For {@code unimodal-<name>}: the one modality trained. */
  public String unimodalTarget() {
    return method() == Method.UNIMODAL ? methodName().substring("unimodal-".length()) : null;
  }

  public List<ModalitySpec> modalities() { return get(MODALITIES); }
  public int modalityCount() { return modalities().size(); }

  public int modalityIndex(String name) {
    for (int i = 0; i < modalities().size(); i++) {
      if (modalities().get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  // Typed accessors of the knobs (described in IgmSettings).
  public int numClasses() { return get(NUM_CLASSES); }
  public List<Integer> headWidths() { return get(HEAD_WIDTHS); }
  public int batchSize() { return get(BATCH_SIZE); }
  public Schedule schedule() { return get(SCHEDULE); }
  public int phaseBatches() { return get(PHASE_BATCHES); }
  public int tRefreshBatches() { return get(T_REFRESH_BATCHES); }
  public double tau() { return get(TAU); }
  public CovarianceReset covarianceReset() { return get(COVARIANCE_RESET); }
  public double covarianceDecay() { return get(COVARIANCE_DECAY); }
  public SamVariant samVariant() { return get(SAM_VARIANT); }
  public double samRho() { return get(SAM_RHO); }

  /** The reference variant's separate perturbation radius for encoder tensors (defaults to sam.rho). */
  public double samRhoEncoder() {
    Double v = get(SAM_RHO_ENCODER);
    return v == null ? samRho() : v;
  }

  public double samFlatRatio() { return get(SAM_FLAT_RATIO); }
  public double samMixupAlpha() { return get(SAM_MIXUP_ALPHA); }
  public OptimizerKind optimizer() { return get(OPTIMIZER); }
  public double lr() { return get(LR); }
  public double momentum() { return get(MOMENTUM); }
  public double weightDecay() { return get(WEIGHT_DECAY); }
  public double adamBeta1() { return get(ADAM_BETA1); }
  public double adamBeta2() { return get(ADAM_BETA2); }
  public double adamEps() { return get(ADAM_EPS); }

  public int lrDecayBatches() { return get(LR_DECAY_BATCHES); }
  public double lrDecayFactor() { return get(LR_DECAY_FACTOR); }
  public int lrWarmupBatches() { return get(LR_WARMUP_BATCHES); }
  public double mlaAlpha() { return get(MLA_ALPHA); }

  public int mlaBatchesPerEpoch() { return get(MLA_BATCHES_PER_EPOCH); }
  public long seed() { return get(SEED); }
  public boolean deterministic() { return get(DETERMINISTIC); }

  public List<Double> fusionWeights() { return get(FUSION_WEIGHTS); }

  /** Whether modality {@code m} is trained at all by this method. */
  public boolean trains(int m) {
    return method() != Method.UNIMODAL || modalities().get(m).name().equals(unimodalTarget());
  }

  /** The knobs under their documented names, in a stable order (knobs added later only when set otherwise). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Setting<?> s : ALL) {
      put(m, s);
    }
    return m;
  }

  @SuppressWarnings("unchecked")
  private <T> void put(Map<String, Object> m, Setting<T> s) {
    // sam.rho.encoder resolved: a reader needs no rule for its default
    T v = s == SAM_RHO_ENCODER ? (T) Double.valueOf(samRhoEncoder()) : get(s);
    if (v != null && (s.writtenAtDefault() || !v.equals(s.defaultValue()))) {
      m.put(s.key(), s.render(v));
    }
  }

  /**
   * A builder from documented knob names; unknown keys and unreadable values are an error (a typo must not be silently
   * ignored), all of them reported at once ({@link ConfigProblems.Failure}), an unknown key with the nearest names.
   */
  public static Builder fromMap(Map<String, Object> map) {
    Builder b = builder();
    ConfigProblems problems = new ConfigProblems();
    for (Map.Entry<String, Object> e : map.entrySet()) {
      problems.attempt(() -> b.set(e.getKey(), e.getValue()));
    }
    problems.throwIfAny();
    return b;
  }

  @Override
  public boolean equals(Object o) { return o instanceof IgmConfig && ((IgmConfig) o).toMap().equals(toMap()); }

  @Override
  public int hashCode() { return toMap().hashCode(); }

  @Override
  public String toString() { return "IgmConfig" + toMap(); }

  /** Fluent builder; {@link #build()} validates every knob once. */
  public static final class Builder {
    private final Map<Setting<?>, Object> values = new LinkedHashMap<>();

    private Builder() {}

    /** Sets any knob to a typed value (checked in {@link #build()}). */
    public <T> Builder with(Setting<T> setting, T value) {
      values.put(setting, value);
      return this;
    }

    /** Sets one knob by its documented name (values may be strings, as from a command-line override). */
    public Builder set(String key, Object v) { return parsed(IgmSettings.named(key), v); }

    private <T> Builder parsed(Setting<T> s, Object raw) {
      return with(s, s.parse(raw));
    }

    /** {@code joint}, {@code unimodal-<name>}, {@code mla}, {@code igm-nosam} or {@code igm}. */
    public Builder method(String name) { return set(METHOD.key(), name); }
    public Builder modalities(List<ModalitySpec> specs) { return with(MODALITIES, List.copyOf(specs)); }

    public Builder addModality(ModalitySpec spec) {
      List<ModalitySpec> specs = new java.util.ArrayList<>(get(MODALITIES));
      specs.add(spec);
      return modalities(specs);
    }

    public Builder numClasses(int n) { return with(NUM_CLASSES, n); }
    public Builder headWidths(List<Integer> widths) { return with(HEAD_WIDTHS, List.copyOf(widths)); }
    public Builder batchSize(int n) { return with(BATCH_SIZE, n); }
    public Builder schedule(Schedule s) { return with(SCHEDULE, s); }
    public Builder phaseBatches(int n) { return with(PHASE_BATCHES, n); }
    public Builder tRefreshBatches(int n) { return with(T_REFRESH_BATCHES, n); }
    public Builder tau(double t) { return with(TAU, t); }
    public Builder covarianceReset(CovarianceReset r) { return with(COVARIANCE_RESET, r); }
    public Builder covarianceDecay(double g) { return with(COVARIANCE_DECAY, g); }
    public Builder samVariant(SamVariant v) { return with(SAM_VARIANT, v); }
    public Builder samRho(double rho) { return with(SAM_RHO, rho); }
    public Builder samRhoEncoder(double rho) { return with(SAM_RHO_ENCODER, Double.isNaN(rho) ? null : rho); }
    public Builder samFlatRatio(double r) { return with(SAM_FLAT_RATIO, r); }
    public Builder samMixupAlpha(double a) { return with(SAM_MIXUP_ALPHA, a); }
    public Builder optimizer(OptimizerKind k) { return with(OPTIMIZER, k); }
    public Builder lr(double v) { return with(LR, v); }
    public Builder momentum(double v) { return with(MOMENTUM, v); }
    public Builder weightDecay(double v) { return with(WEIGHT_DECAY, v); }

    public Builder adam(double beta1, double beta2, double eps) {
      return with(ADAM_BETA1, beta1).with(ADAM_BETA2, beta2).with(ADAM_EPS, eps);
    }

    public Builder lrDecay(int everyBatches, double factor) {
      return with(LR_DECAY_BATCHES, everyBatches).with(LR_DECAY_FACTOR, factor);
    }

    public Builder lrWarmup(int batches) { return with(LR_WARMUP_BATCHES, batches); }
    public Builder mlaAlpha(double a) { return with(MLA_ALPHA, a); }
    public Builder mlaBatchesPerEpoch(int n) { return with(MLA_BATCHES_PER_EPOCH, n); }
    public Builder seed(long s) { return with(SEED, s); }
    public Builder deterministic(boolean d) { return with(DETERMINISTIC, d); }

    public Builder fusionWeights(List<Double> w) {
      return with(FUSION_WEIGHTS, w == null ? List.of() : List.copyOf(w));
    }

    @SuppressWarnings("unchecked")
    private <T> T get(Setting<T> s) {
      return values.containsKey(s) ? (T) values.get(s) : s.defaultValue();
    }

    /** Validates every knob and their combinations. */
    public IgmConfig build() {
      List<ModalitySpec> modalities = get(MODALITIES);
      require(!modalities.isEmpty(), "at least one modality is required");
      Set<String> names = new HashSet<>();
      for (ModalitySpec s : modalities) {
        require(names.add(s.name()), "modality '" + s.name() + "' is listed twice");
      }
      Map<Setting<?>, Object> all = new LinkedHashMap<>();
      ConfigProblems problems = new ConfigProblems();
      for (Setting<?> s : ALL) {
        problems.attempt(() -> all.put(s, checked(s)));
      }
      problems.throwIfAny(); // every knob that breaks its requirement, at once
      IgmConfig config = new IgmConfig(all);
      if (config.method() == Method.UNIMODAL) {
        require(config.modalityIndex(config.unimodalTarget()) >= 0,
            "method " + config.methodName() + " names no configured modality");
      }
      if (config.method().alternating()) {
        require(modalities.size() >= 2,
            "method " + config.methodName() + " alternates between modalities: configure at least two");
      }
      if (!config.fusionWeights().isEmpty()) {
        require(config.fusionWeights().size() == modalities.size(), "fusion.weights needs one weight per modality");
      }
      return config;
    }

    private <T> T checked(Setting<T> s) {
      T v = get(s);
      if (v == null && s.required()) {
        throw new IllegalArgumentException(s.key() + " is required");
      }
      return v == null ? null : s.validate(v); // null: a derived default (sam.rho.encoder)
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
