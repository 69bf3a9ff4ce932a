package dev.igm.core.config;

import static dev.igm.core.config.IgmSettings.*;

import dev.igm.core.config.IgmConfig.CovarianceReset;
import dev.igm.core.config.IgmConfig.OptimizerKind;
import dev.igm.core.config.IgmConfig.SamVariant;
import dev.igm.core.config.IgmConfig.Schedule;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fluent builder of an {@link IgmConfig}: knobs set by typed methods, by {@link #with(Setting,
 * Object)} or by their documented names ({@link #set(String, Object)}); {@link #build()} validates
 * every knob and their combinations once.
 */
public final class IgmConfigBuilder {
  private final Map<Setting<?>, Object> values = new LinkedHashMap<>();

  IgmConfigBuilder() {}

  /** Sets any knob to a typed value (checked in {@link #build()}). */
  public <T> IgmConfigBuilder with(Setting<T> setting, T value) {
    values.put(setting, value);
    return this;
  }

  /**
   * Sets one knob by its documented name (values may be strings, as from a command-line override).
   */
  public IgmConfigBuilder set(String key, Object v) {
    return parsed(IgmSettings.named(key), v);
  }

  private <T> IgmConfigBuilder parsed(Setting<T> s, Object raw) {
    return with(s, s.parse(raw));
  }

  /** {@code joint}, {@code unimodal-<name>}, {@code mla}, {@code igm-nosam} or {@code igm}. */
  public IgmConfigBuilder method(String name) {
    return set(METHOD.key(), name);
  }

  public IgmConfigBuilder modalities(List<ModalitySpec> specs) {
    return with(MODALITIES, List.copyOf(specs));
  }

  public IgmConfigBuilder addModality(ModalitySpec spec) {
    List<ModalitySpec> specs = new java.util.ArrayList<>(get(MODALITIES));
    specs.add(spec);
    return modalities(specs);
  }

  public IgmConfigBuilder numClasses(int n) {
    return with(NUM_CLASSES, n);
  }

  public IgmConfigBuilder headWidths(List<Integer> widths) {
    return with(HEAD_WIDTHS, List.copyOf(widths));
  }

  public IgmConfigBuilder batchSize(int n) {
    return with(BATCH_SIZE, n);
  }

  public IgmConfigBuilder schedule(Schedule s) {
    return with(SCHEDULE, s);
  }

  public IgmConfigBuilder phaseBatches(int n) {
    return with(PHASE_BATCHES, n);
  }

  public IgmConfigBuilder tRefreshBatches(int n) {
    return with(T_REFRESH_BATCHES, n);
  }

  public IgmConfigBuilder tau(double t) {
    return with(TAU, t);
  }

  public IgmConfigBuilder covarianceReset(CovarianceReset r) {
    return with(COVARIANCE_RESET, r);
  }

  public IgmConfigBuilder covarianceDecay(double g) {
    return with(COVARIANCE_DECAY, g);
  }

  public IgmConfigBuilder samVariant(SamVariant v) {
    return with(SAM_VARIANT, v);
  }

  public IgmConfigBuilder samRho(double rho) {
    return with(SAM_RHO, rho);
  }

  public IgmConfigBuilder samRhoEncoder(double rho) {
    return with(SAM_RHO_ENCODER, Double.isNaN(rho) ? null : rho);
  }

  public IgmConfigBuilder samFlatRatio(double r) {
    return with(SAM_FLAT_RATIO, r);
  }

  public IgmConfigBuilder samMixupAlpha(double a) {
    return with(SAM_MIXUP_ALPHA, a);
  }

  public IgmConfigBuilder optimizer(OptimizerKind k) {
    return with(OPTIMIZER, k);
  }

  public IgmConfigBuilder lr(double v) {
    return with(LR, v);
  }

  public IgmConfigBuilder momentum(double v) {
    return with(MOMENTUM, v);
  }

  public IgmConfigBuilder weightDecay(double v) {
    return with(WEIGHT_DECAY, v);
  }

  public IgmConfigBuilder adam(double beta1, double beta2, double eps) {
    return with(ADAM_BETA1, beta1).with(ADAM_BETA2, beta2).with(ADAM_EPS, eps);
  }

  public IgmConfigBuilder lrDecay(int everyBatches, double factor) {
    return with(LR_DECAY_BATCHES, everyBatches).with(LR_DECAY_FACTOR, factor);
  }

  public IgmConfigBuilder lrWarmup(int batches) {
    return with(LR_WARMUP_BATCHES, batches);
  }

  public IgmConfigBuilder mlaAlpha(double a) {
    return with(MLA_ALPHA, a);
  }

  public IgmConfigBuilder mlaBatchesPerEpoch(int n) {
    return with(MLA_BATCHES_PER_EPOCH, n);
  }

  public IgmConfigBuilder seed(long s) {
    return with(SEED, s);
  }

  public IgmConfigBuilder deterministic(boolean d) {
    return with(DETERMINISTIC, d);
  }

  public IgmConfigBuilder fusionWeights(List<Double> w) {
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
    if (config.method() == IgmConfig.Method.UNIMODAL) {
      require(
          config.modalityIndex(config.unimodalTarget()) >= 0,
          "method " + config.methodName() + " names no configured modality");
    }
    if (config.method().alternating()) {
      require(
          modalities.size() >= 2,
          "method "
              + config.methodName()
              + " alternates between modalities: configure at least two");
    }
    if (!config.fusionWeights().isEmpty()) {
      require(
          config.fusionWeights().size() == modalities.size(),
          "fusion.weights needs one weight per modality");
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
