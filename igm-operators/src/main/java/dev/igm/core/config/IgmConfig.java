package dev.igm.core.config;

import static dev.igm.core.config.IgmSettings.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every knob of one model, validated once in {@link IgmConfigBuilder#build()}. Immutable. The knobs
 * themselves (name, type, default, check, help) are described once in {@link IgmSettings};
 * docs/CONFIGURATION.md lists them, and docs/ALGORITHM.md says what they do to the mathematics.
 *
 * <p>{@link #toMap()} / {@link #fromMap(Map)} use the documented knob names ({@code phase.batches},
 * {@code sam.rho}, ...) so the same names work in the job YAML, on the command line and in snapshot
 * metadata.
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
    public boolean alternating() {
      return this == MLA || this == IGM_NOSAM || this == IGM;
    }

    /**
     * Whether the method's own fusion is the softmax of the summed logits, not the mean of the
     * softmaxes.
     */
    public boolean fusesSummedLogits() {
      return this == JOINT;
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

  private final Map<Setting<?>, Object> values;

  IgmConfig(Map<Setting<?>, Object> values) {
    this.values = values;
  }

  public static IgmConfigBuilder builder() {
    return new IgmConfigBuilder();
  }

  /** A builder pre-filled with this configuration, for variations. */
  public IgmConfigBuilder toBuilder() {
    return fromMap(toMap());
  }

  /** The value of any knob. */
  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    return (T) values.get(setting);
  }

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

  /**
   * The method as written in configuration: {@code joint}, {@code unimodal-<name>}, {@code mla},
   * ...
   */
  public String methodName() {
    return get(METHOD);
  }

  /** For {@code unimodal-<name>}: the one modality trained. */
  public String unimodalTarget() {
    return method() == Method.UNIMODAL ? methodName().substring("unimodal-".length()) : null;
  }

  public List<ModalitySpec> modalities() {
    return get(MODALITIES);
  }

  public int modalityCount() {
    return modalities().size();
  }

  public int modalityIndex(String name) {
    for (int i = 0; i < modalities().size(); i++) {
      if (modalities().get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  // Typed accessors of the knobs (described in IgmSettings).
  public int numClasses() {
    return get(NUM_CLASSES);
  }

  public List<Integer> headWidths() {
    return get(HEAD_WIDTHS);
  }

  public int batchSize() {
    return get(BATCH_SIZE);
  }

  public Schedule schedule() {
    return get(SCHEDULE);
  }

  public int phaseBatches() {
    return get(PHASE_BATCHES);
  }

  public int tRefreshBatches() {
    return get(T_REFRESH_BATCHES);
  }

  public double tau() {
    return get(TAU);
  }

  public CovarianceReset covarianceReset() {
    return get(COVARIANCE_RESET);
  }

  public double covarianceDecay() {
    return get(COVARIANCE_DECAY);
  }

  public SamVariant samVariant() {
    return get(SAM_VARIANT);
  }

  public double samRho() {
    return get(SAM_RHO);
  }

  /**
   * The reference variant's separate perturbation radius for encoder tensors (defaults to sam.rho).
   */
  public double samRhoEncoder() {
    Double v = get(SAM_RHO_ENCODER);
    return v == null ? samRho() : v;
  }

  public double samFlatRatio() {
    return get(SAM_FLAT_RATIO);
  }

  public double samMixupAlpha() {
    return get(SAM_MIXUP_ALPHA);
  }

  public OptimizerKind optimizer() {
    return get(OPTIMIZER);
  }

  public double lr() {
    return get(LR);
  }

  public double momentum() {
    return get(MOMENTUM);
  }

  public double weightDecay() {
    return get(WEIGHT_DECAY);
  }

  public double adamBeta1() {
    return get(ADAM_BETA1);
  }

  public double adamBeta2() {
    return get(ADAM_BETA2);
  }

  public double adamEps() {
    return get(ADAM_EPS);
  }

  public int lrDecayBatches() {
    return get(LR_DECAY_BATCHES);
  }

  public double lrDecayFactor() {
    return get(LR_DECAY_FACTOR);
  }

  public int lrWarmupBatches() {
    return get(LR_WARMUP_BATCHES);
  }

  public double mlaAlpha() {
    return get(MLA_ALPHA);
  }

  public int mlaBatchesPerEpoch() {
    return get(MLA_BATCHES_PER_EPOCH);
  }

  public long seed() {
    return get(SEED);
  }

  public boolean deterministic() {
    return get(DETERMINISTIC);
  }

  public List<Double> fusionWeights() {
    return get(FUSION_WEIGHTS);
  }

  /** Whether modality {@code m} is trained at all by this method. */
  public boolean trains(int m) {
    return method() != Method.UNIMODAL || modalities().get(m).name().equals(unimodalTarget());
  }

  /**
   * The knobs under their documented names, in a stable order (knobs added later only when set
   * otherwise).
   */
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
   * A builder from documented knob names; unknown keys and unreadable values are an error (a typo
   * must not be silently ignored), all of them reported at once ({@link ConfigProblems.Failure}),
   * an unknown key with the nearest names.
   */
  public static IgmConfigBuilder fromMap(Map<String, Object> map) {
    IgmConfigBuilder b = builder();
    ConfigProblems problems = new ConfigProblems();
    for (Map.Entry<String, Object> e : map.entrySet()) {
      problems.attempt(() -> b.set(e.getKey(), e.getValue()));
    }
    problems.throwIfAny();
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
}
