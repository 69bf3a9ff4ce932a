package dev.igm.core.fit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.model.ModalityNet;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.TrainerSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A trainer that continues a snapshot with another configuration ({@code igm fit --init-from}): the
 * model of the snapshot, trained on with the settings of this run.
 *
 * <p>The architecture must be the snapshot's: the same modalities in the same order, input shapes,
 * encoders, head widths and number of classes; any difference is an error that names it. Everything
 * else comes from this run's configuration. The snapshot's state carries over where the new
 * settings give it a meaning, and starts fresh where they do not:
 *
 * <ul>
 *   <li>parameters and BatchNorm statistics, the batch counters (the schedule's cursor): always;
 *   <li>optimizer state (momentum, Adam moments, step counts): when the optimizer is the same kind;
 *   <li>covariances: when both methods keep them (igm, igm-nosam) with the same covariance
 *       settings; the flat matrices T also need the same tau (else T is the identity until a
 *       modality completes a phase again);
 *   <li>MLA's projectors: when both methods are mla;
 *   <li>the random stream (mixup draws): when the seed is the same, else it starts from this run's
 *       seed;
 *   <li>the samples of the pending partial batch: when they are fewer than this run's batch size.
 * </ul>
 *
 * <p>{@link #notes()} says which of these carried over. The trainer is built from this run's
 * configuration (so {@link IgmTrainer#config()} and every snapshot of it record what is actually
 * trained) and the carried state is loaded into it through an ordinary snapshot restore.
 */
public final class SnapshotContinuation {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TrainerSnapshot snapshot;
  private final IgmConfig from;
  private final IgmConfig to;
  private final boolean optimizer;
  private final boolean covariances;
  private final boolean flats;
  private final boolean projectors;
  private final boolean rng;
  private final boolean pending;
  private final List<String> notes = new ArrayList<>();

  private SnapshotContinuation(TrainerSnapshot snapshot, IgmConfig from, IgmConfig to) {
    this.snapshot = snapshot;
    this.from = from;
    this.to = to;
    Map<String, Object> meta = snapshot.metadataMap();
    optimizer = from.optimizer() == to.optimizer();
    covariances =
        usesT(from)
            && usesT(to)
            && from.covarianceReset() == to.covarianceReset()
            && from.covarianceDecay() == to.covarianceDecay();
    flats = covariances && from.tau() == to.tau();
    projectors = from.method() == IgmConfig.Method.MLA && to.method() == IgmConfig.Method.MLA;
    rng = from.seed() == to.seed();
    int pendingCount = ((List<?>) meta.getOrDefault("pending", List.of())).size();
    pending = pendingCount < to.batchSize();

    notes.add(
        "parameters, BatchNorm statistics and the batch count ("
            + meta.get("batches")
            + ") carried over");
    notes.add(
        optimizer
            ? "optimizer state (" + name(to.optimizer()) + ") carried over"
            : "optimizer state starts fresh: the snapshot used "
                + name(from.optimizer())
                + ", this run "
                + name(to.optimizer()));
    if (usesT(to)) {
      if (!usesT(from)) {
        notes.add("covariances and T start empty: method " + from.methodName() + " kept none");
      } else if (!covariances) {
        notes.add(
            "covariances and T start empty: covariance.reset/decay differ from the snapshot's");
      } else {
        notes.add(
            flats
                ? "covariances and T carried over"
                : "covariances carried over; T is the identity until the next refresh: tau "
                    + to.tau()
                    + " differs from the snapshot's "
                    + from.tau());
      }
    }
    if (to.method() == IgmConfig.Method.MLA) {
      notes.add(
          projectors
              ? "MLA projectors carried over"
              : "MLA projectors start as the identity: method " + from.methodName() + " kept none");
    }
    notes.add(
        rng
            ? "random stream carried over"
            : "random stream starts from seed "
                + to.seed()
                + " (the snapshot's seed was "
                + from.seed()
                + ")");
    if (pendingCount > 0) {
      notes.add(
          pending
              ? pendingCount + " pending samples of the snapshot's partial batch carried over"
              : pendingCount
                  + " pending samples of the snapshot's partial batch dropped: batch.size "
                  + to.batchSize()
                  + " is not larger");
    }
  }

  /**
   * Checks that {@code snapshot} holds a model of {@code config}'s architecture and plans what
   * carries over.
   *
   * @throws IllegalArgumentException naming every architectural difference, or when the file is not
   *     a snapshot
   */
  public static SnapshotContinuation of(TrainerSnapshot snapshot, IgmConfig config) {
    IgmConfig from = configOf(snapshot);
    List<String> diffs = architectureDifferences(from, config);
    if (!diffs.isEmpty()) {
      throw new IllegalArgumentException(
          "the snapshot's model has another architecture than this run's: "
              + String.join("; ", diffs)
              + " (a snapshot continues with the same modalities, input shapes, encoders, head.widths and classes)");
    }
    return new SnapshotContinuation(snapshot, from, Objects.requireNonNull(config, "config"));
  }

  /** The configuration the snapshot was trained with. */
  @SuppressWarnings("unchecked")
  public static IgmConfig configOf(TrainerSnapshot snapshot) {
    Map<String, Object> meta = snapshot.metadataMap();
    if (!TrainerSnapshot.FORMAT.equals(meta.get("format"))
        || !(meta.get("config") instanceof Map)) {
      throw new IllegalArgumentException(
          "not an " + TrainerSnapshot.FORMAT + " snapshot (format " + meta.get("format") + ")");
    }
    return IgmConfig.fromMap((Map<String, Object>) meta.get("config")).build();
  }

  /**
   * Human-readable differences of the parts that fix the model's tensors; empty when they agree.
   */
  static List<String> architectureDifferences(IgmConfig from, IgmConfig to) {
    List<String> diffs = new ArrayList<>();
    List<String> a = from.modalities().stream().map(ModalitySpec::name).toList();
    List<String> b = to.modalities().stream().map(ModalitySpec::name).toList();
    if (!a.equals(b)) {
      diffs.add("modalities " + a + " in the snapshot, " + b + " here");
    } else {
      for (int j = 0; j < a.size(); j++) {
        ModalitySpec x = from.modalities().get(j);
        ModalitySpec y = to.modalities().get(j);
        if (!x.inputShape().equals(y.inputShape())) {
          diffs.add(
              "modality "
                  + x.name()
                  + " has input shape "
                  + x.inputShape()
                  + " in the snapshot, "
                  + y.inputShape()
                  + " here");
        }
        if (!x.encoder().equals(y.encoder()) || !x.encoderHidden().equals(y.encoderHidden())) {
          diffs.add(
              "modality "
                  + x.name()
                  + " has encoder "
                  + encoder(x)
                  + " in the snapshot, "
                  + encoder(y)
                  + " here");
        }
      }
    }
    if (!from.headWidths().equals(to.headWidths())) {
      diffs.add(
          "head.widths " + from.headWidths() + " in the snapshot, " + to.headWidths() + " here");
    }
    if (from.numClasses() != to.numClasses()) {
      diffs.add(from.numClasses() + " classes in the snapshot, " + to.numClasses() + " here");
    }
    return diffs;
  }

  /** What carries over from the snapshot and what starts fresh, one line each. */
  public List<String> notes() {
    return List.copyOf(notes);
  }

  /** The configuration the snapshot was trained with. */
  public IgmConfig snapshotConfig() {
    return from;
  }

  /**
   * A new trainer of this run's configuration holding the snapshot's state that carries over. The
   * caller closes it.
   */
  @SuppressWarnings("unchecked")
  public IgmTrainer start() {
    Map<String, Object> old = snapshot.metadataMap();
    try (NDManager manager = NDManager.newBaseManager()) {
      TrainerSnapshot base;
      List<String> stateNames = new ArrayList<>();
      try (IgmTrainer fresh = new IgmTrainer(to)) {
        base = TrainerSnapshot.capture(fresh, Map.of());
        for (ModalityNet net : fresh.nets()) {
          stateNames.addAll(net.parameterNames());
          stateNames.addAll(net.bufferNames());
        }
      }
      Map<String, NDArray> baseTensors = byName(manager, base.tensors());
      Map<String, NDArray> oldTensors = byName(manager, snapshot.tensors());
      Map<String, Object> meta = base.metadataMap();
      Map<String, NDArray> out = new LinkedHashMap<>(baseTensors);
      for (String name : stateNames) {
        NDArray a = oldTensors.get(name);
        if (a == null || !a.getShape().equals(baseTensors.get(name).getShape())) {
          throw new IllegalArgumentException(
              "the snapshot's tensor "
                  + name
                  + (a == null
                      ? " is missing"
                      : " has shape "
                          + a.getShape()
                          + ", this run's model needs "
                          + baseTensors.get(name).getShape()));
        }
        out.put(name, a);
      }
      for (String key : List.of("batches", "samplesTrained", "refusedSteps")) {
        meta.put(key, old.get(key));
      }
      if (optimizer) {
        oldTensors.forEach(
            (name, a) -> {
              if (name.endsWith(".momentum")
                  || name.endsWith(".adam_m")
                  || name.endsWith(".adam_v")) {
                out.put(name, a);
              }
            });
        meta.put("optimizerSteps", old.get("optimizerSteps"));
      }
      if (covariances) {
        Map<String, Object> updates = (Map<String, Object>) meta.get("covarianceUpdates");
        Map<String, Object> oldUpdates = (Map<String, Object>) old.get("covarianceUpdates");
        for (String name : List.copyOf(updates.keySet())) {
          if (oldTensors.containsKey(name) && oldUpdates.containsKey(name)) {
            out.put(name, oldTensors.get(name));
            updates.put(name, oldUpdates.get(name));
          }
        }
      }
      if (flats) {
        oldTensors.forEach(
            (name, a) -> {
              if (name.matches(".+\\.T\\.\\d+(\\.eigenvalues|\\.damping)?")) {
                out.put(name, a);
              }
            });
        meta.put("tIdentity", old.get("tIdentity"));
      }
      if (projectors) {
        for (String name : List.copyOf(out.keySet())) {
          if (name.startsWith("mla.P.") && oldTensors.containsKey(name)) {
            out.put(name, oldTensors.get(name));
          }
        }
      }
      if (rng) {
        meta.put("rngState", old.get("rngState"));
      }
      if (pending) {
        oldTensors.forEach(
            (name, a) -> {
              if (name.startsWith("pending.")) {
                out.put(name, a);
              }
            });
        meta.put("pending", old.get("pending"));
      }
      NDList tensors = new NDList();
      out.forEach(
          (name, a) -> {
            a.setName(name);
            tensors.add(a);
          });
      return new TrainerSnapshot(
              tensors.encode(NDList.Encoding.SAFETENSORS), JSON.writeValueAsString(meta))
          .restore();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, NDArray> byName(NDManager manager, byte[] safetensors) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (NDArray a : NDList.decode(manager, safetensors)) {
      out.put(a.getName(), a);
    }
    return out;
  }

  private static boolean usesT(IgmConfig c) {
    return c.method() == IgmConfig.Method.IGM || c.method() == IgmConfig.Method.IGM_NOSAM;
  }

  private static String encoder(ModalitySpec m) {
    return m.encoder() + (m.encoderHidden().isEmpty() ? "" : " " + m.encoderHidden());
  }

  private static String name(IgmConfig.OptimizerKind k) {
    return k.name().toLowerCase(Locale.ROOT);
  }
}
