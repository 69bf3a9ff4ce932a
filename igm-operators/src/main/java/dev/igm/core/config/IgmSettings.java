package dev.igm.core.config;

import dev.igm.core.config.IgmConfig.CovarianceReset;
import dev.igm.core.config.IgmConfig.Method;
import dev.igm.core.config.IgmConfig.OptimizerKind;
import dev.igm.core.config.IgmConfig.SamVariant;
import dev.igm.core.config.IgmConfig.Schedule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every knob of one model, described once: key, type, default, validation and help text. {@link
 * IgmConfig} reads and validates through these descriptions, and docs/CONFIGURATION.md is generated
 * from them. The mathematics behind the knobs is in docs/ALGORITHM.md.
 */
public final class IgmSettings {
  private IgmSettings() {}

  /**
   * {@code joint}, {@code unimodal-<modality>}, {@code mla}, {@code igm-nosam} or {@code igm}, kept
   * as written.
   */
  static final Setting.Type<String> METHOD_TYPE =
      new Setting.Type<>(
          "joint | unimodal-<modality> | mla | igm-nosam | igm",
          r -> {
            String n = r.text().toLowerCase(Locale.ROOT);
            if (n.startsWith("unimodal-")) {
              return "unimodal-" + r.text().substring("unimodal-".length());
            }
            for (Method m : Method.values()) {
              if (m != Method.UNIMODAL && m.wire.equals(n)) {
                return m.wire;
              }
            }
            throw new IllegalArgumentException(
                "unknown method '"
                    + r.value()
                    + "' (joint, unimodal-<modality>, mla, igm-nosam, igm)");
          },
          v -> v);

  @SuppressWarnings("unchecked")
  static final Setting.Type<List<ModalitySpec>> MODALITIES_TYPE =
      new Setting.Type<>(
          "list of modalities",
          r -> {
            if (!(r.value() instanceof List)) {
              throw r.error("a list of {name, input.shape, encoder, ...}");
            }
            List<ModalitySpec> specs = new ArrayList<>();
            for (Object o : (List<Object>) r.value()) {
              if (o instanceof ModalitySpec s) {
                specs.add(s);
              } else if (o instanceof Map) {
                specs.add(ModalitySpec.fromMap((Map<String, Object>) o));
              } else {
                throw r.error("a list of {name, input.shape, encoder, ...}");
              }
            }
            return List.copyOf(specs);
          },
          v -> {
            List<Object> out = new ArrayList<>();
            v.forEach(s -> out.add(s.toMap()));
            return out;
          });

  public static final Setting<String> METHOD =
      Setting.key("method")
          .type(METHOD_TYPE)
          .defaultValue("igm")
          .help(
              "The training method: joint (late-fusion baseline), unimodal-<modality> (that modality alone), mla, "
                  + "igm-nosam (flat gradient modification without SAM) or igm.");

  public static final Setting<List<ModalitySpec>> MODALITIES =
      Setting.key("modalities")
          .type(MODALITIES_TYPE)
          .defaultValue(List.of())
          .check(v -> !v.isEmpty(), "at least one modality")
          .help(
              "The modalities in training order: name, input.shape, encoder (identity, mlp, resnet18, torchscript), "
                  + "encoder.hidden, encoder.path, encoder.frozen.");

  public static final Setting<Integer> NUM_CLASSES =
      Setting.key("num.classes")
          .integer()
          .check(v -> v >= 2, "at least 2")
          .help("Number of classes c (labels are 0..c-1). Required.");

  public static final Setting<List<Integer>> HEAD_WIDTHS =
      Setting.key("head.widths")
          .integers()
          .defaultValue(List.of(256, 64))
          .check(
              v -> v.size() == 2 && v.stream().allMatch(w -> w > 0),
              "two positive widths (FC(D->w1) -> ReLU -> FC(w1->w2) -> FC(w2->c))")
          .help(
              "Hidden widths w1, w2 of every modality's head FC(D->w1) -> ReLU -> FC(w1->w2) -> FC(w2->c).");

  public static final Setting<Integer> BATCH_SIZE =
      Setting.key("batch.size")
          .integer()
          .defaultValue(64)
          .check(v -> v >= 1, ">= 1")
          .help("Samples per mini-batch; a trailing partial batch stays pending.");

  public static final Setting<Schedule> SCHEDULE =
      Setting.key("schedule")
          .oneOf(Schedule.class)
          .defaultValue(Schedule.PHASED)
          .help(
              "phased: one modality per phase of phase.batches batches (Algorithm 1); interleaved: every batch steps "
                  + "every modality in order. Alternating methods only.");

  public static final Setting<Integer> PHASE_BATCHES =
      Setting.key("phase.batches")
          .integer()
          .defaultValue(10)
          .check(v -> v >= 1, ">= 1")
          .help("Mini-batches per phase of the phased schedule; T is refreshed at its end.");

  public static final Setting<Integer> T_REFRESH_BATCHES =
      Setting.key("t.refresh.batches")
          .integer()
          .defaultValue(10)
          .check(v -> v >= 1, ">= 1")
          .help("Interleaved schedule: every modality's T is refreshed every this many batches.");

  public static final Setting<Double> TAU =
      Setting.key("tau")
          .number()
          .defaultValue(0.4)
          .check(v -> v >= 0 && Double.isFinite(v), "finite and >= 0")
          .help(
              "Flatness strength: the highest-variance direction of the other modality is scaled by e^-tau.");

  public static final Setting<CovarianceReset> COVARIANCE_RESET =
      Setting.key("covariance.reset")
          .oneOf(CovarianceReset.class)
          .defaultValue(CovarianceReset.PER_PHASE)
          .help(
              "per-phase: a modality's covariance starts empty with each of its phases (after each refresh when "
                  + "interleaved); never: cumulative.");

  public static final Setting<Double> COVARIANCE_DECAY =
      Setting.key("covariance.decay")
          .number()
          .defaultValue(1.0)
          .check(v -> v > 0 && v <= 1, "in (0, 1]")
          .help("gamma in C <- gamma C + mean^T mean, applied on every update.");

  public static final Setting<SamVariant> SAM_VARIANT =
      Setting.key("sam.variant")
          .oneOf(SamVariant.class)
          .defaultValue(SamVariant.PAPER)
          .help(
              "paper: SAM as Eq. 6-8; reference: what the reference code does (mixup, nudged weights, flat ratio).");

  public static final Setting<Double> SAM_RHO =
      Setting.key("sam.rho")
          .number()
          .defaultValue(0.05)
          .check(v -> v >= 0 && Double.isFinite(v), "finite and >= 0")
          .help("SAM's perturbation radius rho.");

  public static final Setting<Double> SAM_RHO_ENCODER =
      Setting.key("sam.rho.encoder")
          .number()
          .defaultText("as sam.rho")
          .check(v -> v >= 0, ">= 0")
          .help("sam.variant reference: the perturbation radius of encoder tensors.");

  public static final Setting<Double> SAM_FLAT_RATIO =
      Setting.key("sam.flat-ratio")
          .number()
          .defaultValue(0.3)
          .check(v -> v >= 0 && v <= 1, "in [0, 1]")
          .help(
              "sam.variant reference: weight r of the perturbed-head loss in (1-r) L_mixup + r L_flat.");

  public static final Setting<Double> SAM_MIXUP_ALPHA =
      Setting.key("sam.mixup-alpha")
          .number()
          .defaultValue(1.0)
          .check(v -> v > 0, "> 0")
          .help("sam.variant reference: alpha of the Beta(alpha, alpha) mixup coefficient.");

  public static final Setting<OptimizerKind> OPTIMIZER =
      Setting.key("optimizer")
          .oneOf(OptimizerKind.class)
          .defaultValue(OptimizerKind.SGD)
          .help("sgd (momentum, PyTorch semantics) or adam (L2 weight decay).");

  public static final Setting<Double> LR =
      Setting.key("lr")
          .number()
          .defaultValue(1e-2)
          .check(v -> v > 0 && Double.isFinite(v), "finite and > 0")
          .help("Base learning rate.");

  public static final Setting<Double> MOMENTUM =
      Setting.key("momentum")
          .number()
          .defaultValue(0.9)
          .check(v -> v >= 0 && v < 1, "in [0, 1)")
          .help("SGD momentum mu.");

  public static final Setting<Double> WEIGHT_DECAY =
      Setting.key("weight-decay")
          .number()
          .defaultValue(1e-4)
          .check(v -> v >= 0, ">= 0")
          .help("L2 weight decay, added to the (modified) gradient; biases included.");

  public static final Setting<Double> ADAM_BETA1 =
      Setting.key("adam.beta1")
          .number()
          .defaultValue(0.9)
          .check(v -> v >= 0 && v < 1, "in [0, 1)")
          .help("Adam's beta1.");

  public static final Setting<Double> ADAM_BETA2 =
      Setting.key("adam.beta2")
          .number()
          .defaultValue(0.999)
          .check(v -> v >= 0 && v < 1, "in [0, 1)")
          .help("Adam's beta2.");

  public static final Setting<Double> ADAM_EPS =
      Setting.key("adam.eps")
          .number()
          .defaultValue(1e-8)
          .check(v -> v > 0, "> 0")
          .help("Adam's epsilon.");

  public static final Setting<Integer> LR_DECAY_BATCHES =
      Setting.key("lr.decay.batches")
          .integer()
          .defaultValue(0)
          .check(v -> v >= 0, ">= 0")
          .help(
              "Step decay: multiply the learning rate by lr.decay.factor every this many "
                  + "batches; 0 = never.");

  public static final Setting<Double> LR_DECAY_FACTOR =
      Setting.key("lr.decay.factor")
          .number()
          .defaultValue(0.1)
          .check(v -> v > 0 && v <= 1, "in (0, 1]")
          .help("Step decay factor.");

  public static final Setting<Integer> LR_WARMUP_BATCHES =
      Setting.key("lr.warmup.batches")
          .integer()
          .defaultValue(0)
          .check(v -> v >= 0, ">= 0")
          .omittedAtDefault()
          .help(
              "Linear learning-rate warm-up over the first n batches: batch b (from 0) uses min(1, (b+1)/n) times "
                  + "its learning rate; 0 = off.");

  public static final Setting<Double> MLA_ALPHA =
      Setting.key("mla.alpha")
          .number()
          .defaultValue(0.1)
          .check(v -> v > 0, "> 0")
          .help("MLA's alpha when mla.batches-per-epoch is 0.");

  public static final Setting<Integer> MLA_BATCHES_PER_EPOCH =
      Setting.key("mla.batches-per-epoch")
          .integer()
          .defaultValue(0)
          .check(v -> v >= 0, ">= 0")
          .help(
              "When > 0, MLA's alpha is 0.1^(1 + b/nb) with b the batch index within an epoch of this many batches.");

  public static final Setting<Long> SEED =
      Setting.key("seed")
          .longInteger()
          .defaultValue(42L)
          .help("Seed of initialisation and of every random draw.");

  public static final Setting<Boolean> DETERMINISTIC =
      Setting.key("deterministic")
          .bool()
          .defaultValue(false)
          .help(
              "Bit-identical runs over the same stream (one thread, synchronous refresh); a streaming job then needs "
                  + "parallelism 1.");

  public static final Setting<List<Double>> FUSION_WEIGHTS =
      Setting.key("fusion.weights")
          .numbers()
          .defaultValue(List.of())
          .omittedAtDefault()
          .help(
              "Weights of the per-modality softmaxes in the fused prediction, one per modality; empty = equal.");

  /** Every knob, in the order configuration maps list them. */
  public static final List<Setting<?>> ALL =
      List.of(
          METHOD,
          MODALITIES,
          NUM_CLASSES,
          HEAD_WIDTHS,
          BATCH_SIZE,
          SCHEDULE,
          PHASE_BATCHES,
          T_REFRESH_BATCHES,
          TAU,
          COVARIANCE_RESET,
          COVARIANCE_DECAY,
          SAM_VARIANT,
          SAM_RHO,
          SAM_RHO_ENCODER,
          SAM_FLAT_RATIO,
          SAM_MIXUP_ALPHA,
          OPTIMIZER,
          LR,
          MOMENTUM,
          WEIGHT_DECAY,
          ADAM_BETA1,
          ADAM_BETA2,
          ADAM_EPS,
          LR_DECAY_BATCHES,
          LR_DECAY_FACTOR,
          LR_WARMUP_BATCHES,
          MLA_ALPHA,
          MLA_BATCHES_PER_EPOCH,
          SEED,
          DETERMINISTIC,
          FUSION_WEIGHTS);

  /** Every knob's name. */
  public static List<String> keys() {
    return ALL.stream().map(Setting::key).toList();
  }

  /**
   * The knob named {@code key}; an unknown name is an error (a typo must not be silently ignored).
   */
  public static Setting<?> named(String key) {
    for (Setting<?> s : ALL) {
      if (s.key().equals(key)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown model setting '" + key + "'" + DidYouMean.hint(key, keys()));
  }
}
