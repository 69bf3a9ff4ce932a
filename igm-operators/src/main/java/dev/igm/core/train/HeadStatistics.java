package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.igm.core.CovarianceAccumulator;
import dev.igm.core.FlatMatrix;
import dev.igm.core.FlatModifier;
import dev.igm.core.model.ModalityNet;
import java.util.List;
import java.util.Map;

/**
 * What IGM knows about the inputs of each modality's head layers: the cumulative covariances {@code C_i^k} (Eq. 2)
 * and the flat modification matrices {@code T_i^k} computed from them (Eq. 4), one {@link Layer} per (modality, head
 * layer). See docs/ALGORITHM.md, "Covariance", "Flat modification matrix" and rules 2–4.
 *
 * <p>Covariance updates run on this part's own {@link BackgroundWorker}: the update (float64 batch means, rank-1
 * updates of d×d triangles) is pure Java on data copied out of the engine, so it runs while the next step computes.
 * No one sees a covariance before it is done: every reader (phase reset, T refresh, the accessors, snapshots, close)
 * settles it first, and updates stay in order (one pending update at a time).
 *
 * <p>Methods without T (joint, unimodal, MLA) get statistics that track no modality: every T stays absent.
 */
final class HeadStatistics implements AutoCloseable {
  /** One head layer of one modality: its covariance (null when not tracked), T (null until the first refresh). */
  private static final class Layer {
    CovarianceAccumulator covariance;
    FlatMatrix t;
    FlatTransform transform;
  }

  private final List<ModalityNet> nets;
  private final Layer[][] layers;
  private final boolean[] tracked;
  private final boolean resetPerPhase;
  private final FlatModifier modifier;
  private final NDManager manager;
  private final DataType dtype;
  private final List<TrainingListener> listeners;
  private final BackgroundWorker worker = new BackgroundWorker("igm-covariance", "covariance update");

  /**
   * @param tracked whether the method keeps covariances and T at all
   * @param resetPerPhase {@code covariance.reset: per-phase}
   */
  HeadStatistics(List<ModalityNet> nets, boolean tracked, boolean resetPerPhase, double decay, double tau,
      NDManager manager, DataType dtype, List<TrainingListener> listeners) {
    this.nets = nets;
    this.resetPerPhase = resetPerPhase;
    this.modifier = new FlatModifier(tau);
    this.manager = manager;
    this.dtype = dtype;
    this.listeners = listeners;
    this.layers = new Layer[nets.size()][ModalityNet.HEAD_LAYERS];
    this.tracked = new boolean[nets.size()];
    for (int j = 0; j < nets.size(); j++) {
      this.tracked[j] = tracked;
      for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
        layers[j][i] = new Layer();
        if (tracked) {
          layers[j][i].covariance = new CovarianceAccumulator(nets.get(j).headInputWidth(i), decay);
        }
      }
    }
  }

  /** Whether modality {@code j}'s covariances are kept (so its steps must {@link #record} their head inputs). */
  boolean tracks(int j) {
    return tracked[j];
  }

  /** Stops keeping modality {@code j}'s covariances (benchmarks: a step without the covariance work). */
  void untrack(int j) {
    settle();
    tracked[j] = false;
    for (Layer l : layers[j]) {
      l.covariance = null;
    }
  }

  /**
   * Eq. 2 for one applied step of modality {@code j}: {@code C_i^j ← γ C_i^j + x̄ᵀx̄} on the worker, from the step's
   * unperturbed head inputs, or from their means when the step computed them already.
   */
  void record(int j, HeadInputs inputs, double[][] knownMeans) {
    Layer[] target = layers[j];
    worker.submit(() -> {
      double[][] means = knownMeans != null ? knownMeans : inputs.means();
      for (int i = 0; i < target.length; i++) {
        target[i].covariance.updateWithMean(means[i]);
      }
    });
  }

  /** {@code covariance.reset: per-phase}: modality {@code k}'s covariances start empty (a phase or window begins). */
  void resetIfPerPhase(int k) {
    if (!tracked[k] || !resetPerPhase) {
      return;
    }
    settle();
    for (Layer l : layers[k]) {
      l.covariance.reset();
    }
  }

  /** Eq. 4: recomputes {@code T_i^k} from {@code C_i^k} for every head layer, on this thread (deterministic). */
  void refresh(int k, long batchIndex) {
    if (!tracked[k]) {
      return;
    }
    settle();
    for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
      FlatMatrix t = modifier.compute(layers[k][i].covariance);
      setFlat(k, i, t);
      for (TrainingListener l : listeners) {
        l.onRefresh(nets.get(k).name(), i, t, batchIndex);
      }
    }
  }

  void setFlat(int k, int i, FlatMatrix t) {
    Layer l = layers[k][i];
    if (l.transform != null) {
      l.transform.close();
    }
    l.t = t;
    l.transform = FlatTransform.of(t, manager, dtype);
  }

  /** T of modality {@code k}'s head layer {@code i} in the engine, null while it would change nothing. */
  FlatTransform transform(int k, int i) {
    return layers[k][i].transform;
  }

  /** T of modality {@code j}'s head layer {@code i}; null while it is the identity by rule 2. */
  FlatMatrix flatMatrix(int j, int i) {
    return layers[j][i].t;
  }

  /** C of modality {@code j}'s head layer {@code i}, settled; null when not tracked. */
  CovarianceAccumulator covariance(int j, int i) {
    settle();
    return layers[j][i].covariance;
  }

  private void settle() {
    worker.settle();
  }

  /** {@code <modality>.cov.<i>}, {@code <modality>.T.<i>[.eigenvalues|.damping]} and their metadata. */
  void export(int j, StateWriter out) {
    String name = nets.get(j).name();
    Map<String, Long> updates = out.map("covarianceUpdates");
    Map<String, Boolean> identity = out.map("tIdentity");
    for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
      CovarianceAccumulator c = covariance(j, i);
      if (c != null) {
        out.doubles(name + ".cov." + i, c.matrix(), new Shape(c.dim(), c.dim()));
        updates.put(name + ".cov." + i, c.updates());
      }
      FlatMatrix t = layers[j][i].t;
      if (t != null) {
        String tn = name + ".T." + i;
        out.doubles(tn, t.matrix(), new Shape(t.dim(), t.dim()));
        double[] ev = t.eigenvalues();
        out.doubles(tn + ".eigenvalues", ev, new Shape(ev.length));
        if (t.dampingRank() > 0) {
          out.doubles(tn + ".damping", t.dampingFactor(), new Shape(t.dim(), t.dampingRank()));
        }
        identity.put(tn, t.isIdentity());
      }
    }
  }

  void restore(int j, StateReader in) {
    String name = nets.get(j).name();
    for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
      CovarianceAccumulator c = covariance(j, i);
      String cn = name + ".cov." + i;
      NDArray saved = in.optional(cn);
      if (c != null && saved != null) {
        Long updates = in.metadata().covarianceUpdates().get(cn);
        if (updates == null) {
          throw new IllegalArgumentException("snapshot has covariance " + cn + " but no update count for it");
        }
        c.restore(saved.toDoubleArray(), updates);
      }
      String tn = name + ".T." + i;
      NDArray t = in.optional(tn);
      if (t != null) {
        NDArray damping = in.optional(tn + ".damping");
        setFlat(j, i, FlatMatrix.restore((int) t.getShape().get(0), t.toDoubleArray(),
            in.require(tn + ".eigenvalues").toDoubleArray(),
            Boolean.TRUE.equals(in.metadata().tIdentity().get(tn)), damping == null ? null : damping.toDoubleArray()));
      }
    }
  }

  /** Settles the pending update and stops the worker; the T arrays go with the trainer's manager. */
  @Override
  public void close() {
    worker.close();
  }
}
