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
 * What IGM knows about the inputs of each modality's head layers: the cumulative covariances {@code
 * C_i^k} (Eq. 2) and the flat modification matrices {@code T_i^k} computed from them (Eq. 4), one
 * {@link Layer} per (modality, head layer). See docs/ALGORITHM.md, "Covariance", "Flat modification
 * matrix" and rules 2–4.
 *
 * <p>Covariance updates run on this part's own {@link BackgroundWorker}: the update (float64 batch
 * means, rank-1 updates of d×d triangles) is pure Java on data copied out of the engine, so it runs
 * while the next step computes. No one sees a covariance before it is done: every reader (phase
 * reset, T refresh, the accessors, snapshots, close) settles it first, and updates stay in order
 * (one pending update at a time).
 *
 * <p>T refreshes (Eq. 4: an eigendecomposition of each d×d covariance, the costliest piece of IGM
 * at d = 512) run on a {@link BackgroundWorker} per modality, off the training thread: {@link
 * #refresh} takes a copy of the settled covariances and returns; the steps go on. The new T becomes
 * the trainer's when something first needs it — the gradient modification that uses it ({@link
 * #transform}), an accessor, a snapshot, a restore, the next refresh of the same modality, {@link
 * #settleRefreshes()} or close — and only then are the listeners told, on the training thread. The
 * result is the same T, computed by the same code from the same numbers, as a refresh done in
 * place: only when the training thread waits for it changes. One refresh per modality is pending at
 * most.
 *
 * <p>Methods without T (joint, unimodal, MLA) get statistics that track no modality: every T stays
 * absent.
 */
final class HeadStatistics implements AutoCloseable {
  /**
   * One head layer of one modality: its covariance (null when not tracked), T (null until the first
   * refresh).
   */
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
  private final BackgroundWorker worker =
      new BackgroundWorker("igm-covariance", "covariance update");

  /** Per modality: the worker that computes its T (a thread only once it refreshes). */
  private final BackgroundWorker[] refreshers;

  /** Per modality: the refresh submitted and not yet taken over, or null. */
  private final PendingRefresh[] pending;

  /**
   * Training-thread time spent waiting for refreshes to finish (benchmarks: is the refresh on the
   * critical path?).
   */
  private long refreshWaitNanos;

  /** Computation time of all refreshes taken over (sum of {@link FlatMatrix#refreshNanos()}). */
  private long refreshComputeNanos;

  private long refreshesTaken;

  /**
   * A refresh in flight: T of every head layer once the worker is done (written by it, read after
   * settling).
   */
  private static final class PendingRefresh {
    final long batchIndex;

    /** Submission order: refreshes are taken over (and heard of) in this order. */
    final long sequence;

    final FlatMatrix[] t = new FlatMatrix[ModalityNet.HEAD_LAYERS];

    PendingRefresh(long batchIndex, long sequence) {
      this.batchIndex = batchIndex;
      this.sequence = sequence;
    }
  }

  private long refreshesSubmitted;

  /**
   * @param tracked whether the method keeps covariances and T at all
   * @param resetPerPhase {@code covariance.reset: per-phase}
   */
  HeadStatistics(
      List<ModalityNet> nets,
      boolean tracked,
      boolean resetPerPhase,
      double decay,
      double tau,
      NDManager manager,
      DataType dtype,
      List<TrainingListener> listeners) {
    this.nets = nets;
    this.resetPerPhase = resetPerPhase;
    this.modifier = new FlatModifier(tau);
    this.manager = manager;
    this.dtype = dtype;
    this.listeners = listeners;
    this.layers = new Layer[nets.size()][ModalityNet.HEAD_LAYERS];
    this.tracked = new boolean[nets.size()];
    this.refreshers = new BackgroundWorker[nets.size()];
    this.pending = new PendingRefresh[nets.size()];
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

  /**
   * Whether modality {@code j}'s covariances are kept (so its steps must {@link #record} their head
   * inputs).
   */
  boolean tracks(int j) {
    return tracked[j];
  }

  /**
   * Stops keeping modality {@code j}'s covariances (benchmarks: a step without the covariance
   * work).
   */
  void untrack(int j) {
    takeRefresh(j);
    settle();
    tracked[j] = false;
    for (Layer l : layers[j]) {
      l.covariance = null;
    }
  }

  /**
   * Eq. 2 for one applied step of modality {@code j}: {@code C_i^j ← γ C_i^j + x̄ᵀx̄} on the
   * worker, from the step's unperturbed head inputs, or from their means when the step computed
   * them already.
   */
  void record(int j, HeadInputs inputs, double[][] knownMeans) {
    Layer[] target = layers[j];
    worker.submit(
        () -> {
          double[][] means = knownMeans != null ? knownMeans : inputs.means();
          for (int i = 0; i < target.length; i++) {
            target[i].covariance.updateWithMean(means[i]);
          }
        });
  }

  /**
   * {@code covariance.reset: per-phase}: modality {@code k}'s covariances start empty (a phase or
   * window begins).
   */
  void resetIfPerPhase(int k) {
    if (!tracked[k] || !resetPerPhase) {
      return;
    }
    settle();
    for (Layer l : layers[k]) {
      l.covariance.reset();
    }
  }

  /**
   * Eq. 4: starts recomputing {@code T_i^k} from {@code C_i^k} for every head layer (batch {@code
   * batchIndex} ended k's phase or refresh interval). The covariances are copied as they are now,
   * so resets and updates may follow at once; the new T is taken over when first needed (see the
   * class comment).
   */
  void refresh(int k, long batchIndex) {
    if (!tracked[k]) {
      return;
    }
    takeRefresh(k);
    settle();
    CovarianceAccumulator[] copies = new CovarianceAccumulator[ModalityNet.HEAD_LAYERS];
    for (int i = 0; i < copies.length; i++) {
      copies[i] = layers[k][i].covariance.copy();
    }
    PendingRefresh p = new PendingRefresh(batchIndex, refreshesSubmitted++);
    if (refreshers[k] == null) {
      refreshers[k] = new BackgroundWorker("igm-t-refresh-" + nets.get(k).name(), "T refresh");
    }
    refreshers[k].submit(
        () -> {
          for (int i = 0; i < copies.length; i++) {
            p.t[i] = modifier.compute(copies[i]);
          }
        });
    pending[k] = p;
  }

  /**
   * Takes over modality {@code k}'s pending refresh, if any, and every refresh submitted before it,
   * oldest first: waits for each, makes its T current, tells the listeners. The listeners hear of
   * refreshes in the order they were started.
   */
  private void takeRefresh(int k) {
    PendingRefresh p = pending[k];
    if (p == null) {
      return;
    }
    while (true) {
      int oldest = -1;
      for (int j = 0; j < pending.length; j++) {
        if (pending[j] != null && (oldest < 0 || pending[j].sequence < pending[oldest].sequence)) {
          oldest = j;
        }
      }
      takeOne(oldest);
      if (oldest == k) {
        return;
      }
    }
  }

  private void takeOne(int k) {
    PendingRefresh p = pending[k];
    pending[k] = null;
    long start = System.nanoTime();
    refreshers[k].settle();
    refreshWaitNanos += System.nanoTime() - start;
    refreshesTaken++;
    for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
      FlatMatrix t = p.t[i];
      refreshComputeNanos += t.refreshNanos();
      install(k, i, t);
      for (TrainingListener l : listeners) {
        l.onRefresh(nets.get(k).name(), i, t, p.batchIndex);
      }
    }
  }

  /** Takes over every pending refresh (so that listeners have heard of every refresh so far). */
  void settleRefreshes() {
    for (int k = 0; k < pending.length; k++) {
      takeRefresh(k);
    }
  }

  /**
   * Training-thread nanoseconds spent waiting for refreshes to finish, summed over the trainer's
   * life.
   */
  long refreshWaitNanos() {
    return refreshWaitNanos;
  }

  /** Nanoseconds the refreshes taken over so far computed (on their workers), summed. */
  long refreshComputeNanos() {
    return refreshComputeNanos;
  }

  /** Refreshes taken over so far (one per modality and refresh point). */
  long refreshesTaken() {
    return refreshesTaken;
  }

  /**
   * Replaces T of modality {@code k}'s head layer {@code i} (a restore; benchmarks), after any
   * pending refresh.
   */
  void setFlat(int k, int i, FlatMatrix t) {
    takeRefresh(k);
    install(k, i, t);
  }

  private void install(int k, int i, FlatMatrix t) {
    Layer l = layers[k][i];
    if (l.transform != null) {
      l.transform.close();
    }
    l.t = t;
    l.transform = FlatTransform.of(t, manager, dtype);
  }

  /**
   * T of modality {@code k}'s head layer {@code i} in the engine, null while it would change
   * nothing.
   */
  FlatTransform transform(int k, int i) {
    takeRefresh(k);
    return layers[k][i].transform;
  }

  /** T of modality {@code j}'s head layer {@code i}; null while it is the identity by rule 2. */
  FlatMatrix flatMatrix(int j, int i) {
    takeRefresh(j);
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

  /**
   * {@code <modality>.cov.<i>}, {@code <modality>.T.<i>[.eigenvalues|.damping]} and their metadata.
   */
  void export(int j, StateWriter out) {
    takeRefresh(j);
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
    takeRefresh(j);
    String name = nets.get(j).name();
    for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
      CovarianceAccumulator c = covariance(j, i);
      String cn = name + ".cov." + i;
      NDArray saved = in.optional(cn);
      if (c != null && saved != null) {
        Long updates = in.metadata().covarianceUpdates().get(cn);
        if (updates == null) {
          throw new IllegalArgumentException(
              "snapshot has covariance " + cn + " but no update count for it");
        }
        c.restore(saved.toDoubleArray(), updates);
      }
      String tn = name + ".T." + i;
      NDArray t = in.optional(tn);
      if (t != null) {
        NDArray damping = in.optional(tn + ".damping");
        setFlat(
            j,
            i,
            FlatMatrix.restore(
                (int) t.getShape().get(0),
                t.toDoubleArray(),
                in.require(tn + ".eigenvalues").toDoubleArray(),
                Boolean.TRUE.equals(in.metadata().tIdentity().get(tn)),
                damping == null ? null : damping.toDoubleArray()));
      }
    }
  }

  /**
   * Takes over pending refreshes, settles the pending update and stops the workers; the T arrays go
   * with the trainer's manager.
   */
  @Override
  public void close() {
    try {
      settleRefreshes();
    } finally {
      for (BackgroundWorker r : refreshers) {
        if (r != null) {
          r.close();
        }
      }
      worker.close();
    }
  }
}
