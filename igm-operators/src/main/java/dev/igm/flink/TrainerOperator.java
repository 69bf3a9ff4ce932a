package dev.igm.flink;

import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.Prediction;
import dev.igm.avro.TrainingMetrics;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.ingest.ValidSample;
import dev.igm.core.linalg.Blas;
import dev.igm.core.train.ModelSession;
import dev.igm.core.train.SessionCheckpoint;
import dev.igm.core.train.TrainerSnapshot;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training operator, keyed by model id: one live {@link ModelSession} per key in memory,
 * checkpointed to keyed state (RocksDB in production) only when a checkpoint is taken.
 *
 * <p><b>Why a custom operator.</b> Serialising a trainer (parameters, optimizer state, covariances,
 * T, pending batch: megabytes) on every record would dominate training; a {@code
 * KeyedProcessFunction} can only write keyed state for the key of the current record. Here {@link
 * #snapshotState(StateSnapshotContext)} — which Flink calls before the keyed state backend takes
 * its snapshot — selects each session touched since the previous checkpoint with {@code
 * setCurrentKey} and writes its {@link SessionCheckpoint} into the {@code ValueState}. On restore
 * nothing is deserialised up front: a session is rebuilt from its keyed state the first time its
 * key is seen again.
 *
 * <p>Outputs: predictions (main output), {@link TrainingMetrics} and {@link ModelSnapshot} records
 * (side outputs). Snapshot files go to the {@link ModelStore}, written off the task thread, before
 * their record is emitted.
 */
public final class TrainerOperator extends AbstractStreamOperator<Prediction>
    implements OneInputStreamOperator<ModelSample, Prediction>, BoundedOneInput {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(TrainerOperator.class);

  private final ModelRegistry models;
  private final TrainerSettings settings;
  private final OutputTag<TrainingMetrics> metricsTag;
  private final OutputTag<ModelSnapshot> snapshotTag;

  private transient Map<String, ModelSession> sessions;
  private transient Set<String> dirty;
  private transient Map<String, Long> deadLetters;

  /**
   * Per model, what the gauges show: replaced (never mutated) by the task thread, read by the
   * metrics thread.
   */
  private transient ConcurrentHashMap<String, ModelView> views;

  private transient ValueState<SessionState> state;
  private transient ModelStore store;
  private transient ModelStoreRetention retention;

  /** Per model, the newest version whose record has been emitted. */
  private transient Map<String, Long> emittedVersions;

  /**
   * Per checkpoint, the newest version of each model whose record that checkpoint's transactions
   * hold.
   */
  private transient TreeMap<Long, Map<String, Long>> versionsByCheckpoint;

  private transient Map<String, Counter> trainedCounters;
  private transient TreeMap<Long, Long> checkpointStarts;
  private transient TreeMap<Long, Boolean> checkpointHadTraining;
  private transient boolean trainedCheckpointCompleted;
  private transient boolean failureInjected;
  private transient LongCounter restores;
  private transient LongCounter checkpoints;
  private transient LongCounter capturedCheckpoints;
  private transient LongCounter captureMicros;
  private transient LongCounter checkpointBytes;
  private transient LongCounter endToEndMillis;
  private transient ExecutorService publisher;
  private transient ArrayDeque<Future<ModelSnapshot>> publications;

  /**
   * Captured states not yet written (closed by the publisher, or in {@link #close()} if it never
   * got to them).
   */
  private transient Set<TrainerSnapshot.Capture> captures;

  public TrainerOperator(
      ModelRegistry models,
      TrainerSettings settings,
      OutputTag<TrainingMetrics> metricsTag,
      OutputTag<ModelSnapshot> snapshotTag) {
    this.models = models;
    this.settings = settings;
    this.metricsTag = metricsTag;
    this.snapshotTag = snapshotTag;
  }

  @Override
  public void open() throws Exception {
    super.open();
    if (settings.blasThreads() > 0) {
      Blas.setThreads(settings.blasThreads());
    }
    sessions = new LinkedHashMap<>();
    dirty = new HashSet<>();
    deadLetters = new HashMap<>();
    views = new ConcurrentHashMap<>();
    state =
        getRuntimeContext().getState(new ValueStateDescriptor<>("igm-session", SessionState.class));
    store = new ModelStore(settings.modelStoreUri());
    retention = new ModelStoreRetention(settings.modelStoreUri(), settings.keepVersions());
    emittedVersions = new HashMap<>();
    versionsByCheckpoint = new TreeMap<>();
    publications = new ArrayDeque<>();
    captures = ConcurrentHashMap.newKeySet();
    publisher =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t =
                  new Thread(
                      r,
                      "igm-snapshot-publisher "
                          + getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks());
              t.setDaemon(true);
              return t;
            });
    checkpointStarts = new TreeMap<>();
    checkpointHadTraining = new TreeMap<>();
    restores = counter("igm.trainers.restored");
    checkpoints = counter("igm.checkpoint.count");
    capturedCheckpoints = counter("igm.checkpoint.captured");
    captureMicros = counter("igm.checkpoint.capture.micros");
    checkpointBytes = counter("igm.checkpoint.state.bytes");
    endToEndMillis = counter("igm.checkpoint.e2e.millis");
    trainedCounters = new HashMap<>();
    for (String id : models.ids()) {
      registerMetrics(id, getMetricGroup().addGroup("model", id));
    }
  }

  private LongCounter counter(String name) {
    LongCounter c = new LongCounter();
    getRuntimeContext().addAccumulator(name, c);
    return c;
  }

  /**
   * Flink metrics of one model. The gauges read the model's {@link ModelView} (0 / NaN before its
   * first sample), which only the task thread replaces: the reporter thread never reads a live
   * session.
   */
  private void registerMetrics(String id, MetricGroup g) {
    Counter trained = g.counter("samplesTrained");
    trainedCounters.put(id, trained);
    g.meter("samplesPerSecond", new MeterView(trained));
    g.gauge("modelVersion", (Gauge<Long>) () -> view(id).modelVersion());
    g.gauge("publishedVersion", (Gauge<Long>) () -> view(id).publishedVersion());
    g.gauge("loss", (Gauge<Double>) () -> view(id).loss());
    g.gauge("tRefreshMillis", (Gauge<Double>) () -> view(id).tRefreshMillis());
    g.gauge("refusedSteps", (Gauge<Long>) () -> view(id).refusedSteps());
    g.gauge("deadLetters", (Gauge<Long>) () -> view(id).deadLetters());
    for (String m : models.get(id).modalities().stream().map(s -> s.name()).toList()) {
      g.gauge("prequentialAccuracy." + m, (Gauge<Double>) () -> view(id).accuracy(m));
    }
    g.gauge("prequentialAccuracy.fused", (Gauge<Double>) () -> view(id).accuracy("fused"));
  }

  /** What the gauges of model {@code id} show now; any thread. */
  ModelView view(String id) {
    return views == null ? ModelView.NONE : views.getOrDefault(id, ModelView.NONE);
  }

  /** Publishes model {@code s}'s current view to the gauges (task thread). */
  private void publishView(ModelSession s) {
    views.put(s.modelId(), ModelView.of(s, deadLetters.getOrDefault(s.modelId(), 0L)));
  }

  @Override
  public void processElement(StreamRecord<ModelSample> element) throws Exception {
    if (!publications.isEmpty()) {
      emitPublished(false);
    }
    ModelSample in = element.getValue();
    ModelSession session = session(in.modelId);
    dirty.add(in.modelId);
    Long before = deadLetters.put(in.modelId, in.deadLetters);
    ValidSample sample = in.toValid();
    if (!sample.trains()) {
      output.collect(new StreamRecord<>(session.score(sample)));
    } else {
      ModelSession.TrainOutcome outcome = session.train(sample);
      for (Prediction p : outcome.predictions()) {
        output.collect(new StreamRecord<>(p));
      }
      if (outcome.trained()) {
        afterBatch(session, in.deadLetters);
        return; // afterBatch published the view
      }
    }
    if (before == null || before != in.deadLetters) {
      publishView(session);
    }
  }

  /** The live session of {@code id}: in memory, else rebuilt from keyed state, else new. */
  private ModelSession session(String id) throws Exception {
    ModelSession s = sessions.get(id);
    if (s != null) {
      return s;
    }
    SessionState saved = state.value();
    if (saved != null) {
      s = ModelSession.restore(id, saved.toCheckpoint(id));
      try {
        checkRestored(id, models.get(id), s.config());
      } catch (IllegalStateException e) {
        s.close();
        throw e;
      }
      restores.add(1);
      LOG.info(
          "Model {} restored from checkpointed state at version {} ({} samples trained, {} pending)",
          id,
          s.version(),
          s.trainer().samplesTrained(),
          s.trainer().pendingCount());
    } else {
      s = ModelSession.create(id, models.get(id));
      LOG.info(
          "Model {} starts fresh: method {}, batch size {}",
          id,
          s.config().methodName(),
          s.config().batchSize());
    }
    sessions.put(id, s);
    publishView(s);
    return s;
  }

  /**
   * A restored model trains on with the settings it was checkpointed with (a restore resumes
   * exactly where it left off); a configuration that now says otherwise would be silently ignored,
   * so it is refused, naming the knobs.
   */
  static void checkRestored(String id, IgmConfig configured, IgmConfig restored) {
    if (configured.equals(restored)) {
      return;
    }
    Map<String, Object> now = configured.toMap();
    Map<String, Object> then = restored.toMap();
    java.util.List<String> checkpointed = new java.util.ArrayList<>();
    java.util.List<String> asked = new java.util.ArrayList<>();
    java.util.Set<String> keys = new java.util.LinkedHashSet<>(then.keySet());
    keys.addAll(now.keySet());
    for (String k : keys) {
      if (!java.util.Objects.equals(then.get(k), now.get(k))) {
        checkpointed.add(k + "=" + then.get(k));
        asked.add(k + "=" + now.get(k));
      }
    }
    throw new IllegalStateException(
        "model "
            + id
            + " was checkpointed with "
            + String.join(", ", checkpointed)
            + ", but the configuration now says "
            + String.join(", ", asked)
            + "; a restore continues the checkpointed"
            + " model as it was: restore with its settings, or train the new ones under another model id");
  }

  private void afterBatch(ModelSession s, long deadLetterCount) throws Exception {
    trainedCounters.get(s.modelId()).inc(s.config().batchSize());
    if (s.metricsDue(settings.metricsEveryBatches())) {
      output.collect(
          metricsTag,
          new StreamRecord<>(s.emitMetrics(System.currentTimeMillis(), deadLetterCount)));
    }
    if (s.snapshotDue(settings.snapshotEveryBatches())) {
      publish(s);
    }
    publishView(s);
    if (settings.failAfterBatches() > 0
        && !failureInjected
        && trainedCheckpointCompleted
        && s.version() >= settings.failAfterBatches()
        && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0) {
      failureInjected = true;
      throw new IllegalStateException(
          "injected failure (debug.fail.after.batches="
              + settings.failAfterBatches()
              + ") in model "
              + s.modelId()
              + " at batch "
              + s.version());
    }
    if (settings.batchDelayMillis() > 0) {
      Thread.sleep(settings.batchDelayMillis());
    }
  }

  /**
   * Publishes the model's current version. The state is captured here, on the task thread, between
   * two batches; the file write and its sha256 (most of the cost: a few MB) run on the publisher
   * thread while training goes on. The ModelSnapshot record is emitted from the task thread once
   * its file is written: at the next record, at the latest before the next checkpoint barrier
   * ({@link #prepareSnapshotPreBarrier}), so it belongs to the same checkpoint as the state that
   * counts the version as published, and it is never visible before its file.
   */
  private void publish(ModelSession s) throws Exception {
    long version = s.version();
    TrainerSnapshot.Capture snap = s.publish();
    String modelId = s.modelId();
    String method = s.config().methodName();
    String config = ModelRegistry.toJson(s.config()); // what this model trains with
    captures.add(snap);
    publications.add(
        publisher.submit(
            () -> {
              try (snap) {
                ModelStore.Written w = store.write(modelId, version, snap);
                Map<String, Double> metrics = new LinkedHashMap<>();
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) snap.metadataMap().get("metrics");
                m.forEach((k, v) -> metrics.put(k, ((Number) v).doubleValue()));
                LOG.info(
                    "Model {} version {} published to {} (sha256 {})",
                    modelId,
                    version,
                    w.uri(),
                    w.sha256());
                return SnapshotRecords.announce(
                    modelId, version, method, w.uri(), w.sha256(), config, metrics);
              } finally {
                captures.remove(snap);
              }
            }));
  }

  /**
   * Emits the records of written snapshots, in publication order; with {@code all}, waits for every
   * pending one.
   */
  private void emitPublished(boolean all) throws Exception {
    while (!publications.isEmpty() && (all || publications.peek().isDone())) {
      ModelSnapshot record;
      try {
        record = publications.peek().get();
      } catch (ExecutionException e) {
        throw new IOException("writing a model snapshot failed", e.getCause());
      }
      publications.poll();
      output.collect(snapshotTag, new StreamRecord<>(record));
      emittedVersions.put(record.getModelId(), record.getVersion());
    }
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    emitPublished(true);
  }

  /** End of a bounded input: publish every model's final version and a last metrics record. */
  @Override
  public void endInput() throws Exception {
    for (ModelSession s : sessions.values()) {
      dirty.add(s.modelId());
      if (s.version() > s.publishedVersion()) {
        publish(s);
      }
      output.collect(
          metricsTag,
          new StreamRecord<>(
              s.emitMetrics(
                  System.currentTimeMillis(), deadLetters.getOrDefault(s.modelId(), 0L))));
      publishView(s);
      LOG.info(
          "Model {} finished its input: {} batches, {} samples trained, {} pending (never trained)",
          s.modelId(),
          s.version(),
          s.trainer().samplesTrained(),
          s.trainer().pendingCount());
    }
    emitPublished(true);
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    long t0 = System.nanoTime();
    long bytes = 0;
    for (String id : dirty) {
      ModelSession s = sessions.get(id);
      setCurrentKey(id);
      SessionCheckpoint cp = s.checkpoint();
      state.update(SessionState.of(cp));
      bytes += cp.size();
    }
    dirty.clear();
    long id = context.getCheckpointId();
    checkpointStarts.put(id, t0);
    checkpointHadTraining.put(id, sessions.values().stream().anyMatch(s -> s.version() > 0));
    if (!emittedVersions.isEmpty()) {
      versionsByCheckpoint.put(id, new HashMap<>(emittedVersions));
    }
    checkpoints.add(1);
    if (bytes > 0) { // a checkpoint with no session touched since the previous one captures nothing
      capturedCheckpoints.add(1);
      captureMicros.add((System.nanoTime() - t0) / 1000);
      checkpointBytes.add(bytes);
    }
    LOG.debug(
        "Checkpoint {}: {} bytes of model state captured in {} ms",
        id,
        bytes,
        (System.nanoTime() - t0) / 1e6);
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    super.notifyCheckpointComplete(checkpointId);
    Long start = checkpointStarts.remove(checkpointId);
    if (start != null) {
      endToEndMillis.add((System.nanoTime() - start) / 1_000_000);
    }
    if (Boolean.TRUE.equals(checkpointHadTraining.remove(checkpointId))) {
      trainedCheckpointCompleted = true;
    }
    checkpointStarts.headMap(checkpointId).clear();
    checkpointHadTraining.headMap(checkpointId).clear();
    Map<String, Long> committed = versionsByCheckpoint.remove(checkpointId);
    versionsByCheckpoint.headMap(checkpointId).clear();
    if (committed != null && settings.keepVersions() > 0) {
      pruneModelStore(committed);
    }
  }

  /**
   * The records of {@code committed} versions are now committed: older files can go (on the
   * publisher thread, after the writes queued before; a failure is logged, training goes on).
   */
  private void pruneModelStore(Map<String, Long> committed) {
    if (publisher.isShutdown()) {
      return;
    }
    publisher.submit(
        () -> {
          committed.forEach(
              (modelId, version) -> {
                try {
                  var deleted = retention.prune(modelId, version);
                  if (!deleted.isEmpty()) {
                    LOG.debug(
                        "Model {}: versions {} deleted from the model store (newest committed: {})",
                        modelId,
                        deleted,
                        version);
                  }
                } catch (IOException | RuntimeException e) {
                  LOG.warn(
                      "Model {}: model store retention failed (nothing deleted this time): {}",
                      modelId,
                      e.toString());
                }
              });
        });
  }

  @Override
  public void close() throws Exception {
    if (publisher != null) {
      publisher
          .shutdownNow(); // a failed or cancelled task: unemitted snapshots are published again
      // after a restore
      if (publisher.awaitTermination(10, TimeUnit.SECONDS)) {
        captures.forEach(TrainerSnapshot.Capture::close); // the ones it never started
      }
    }
    if (sessions != null) {
      sessions.values().forEach(ModelSession::close);
      sessions.clear();
    }
    super.close();
  }
}
