package dev.igm.flink.serve;

import dev.igm.avro.DeadLetter;
import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Prediction;
import dev.igm.codec.AvroBytes;
import dev.igm.core.serve.BatchingPolicy;
import dev.igm.core.serve.HoldBuffer;
import dev.igm.core.serve.MicroBatch;
import dev.igm.core.serve.ServingModel;
import dev.igm.core.serve.ServingPolicy;
import dev.igm.core.serve.SnapshotLoader;
import dev.igm.core.serve.SnapshotStore;
import dev.igm.core.serve.UnusableSnapshotException;
import dev.igm.core.serve.VersionVerdict;
import dev.igm.flink.RawRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores sample records (first input) in micro-batches with the newest accepted version of each
 * served model, the versions arriving as {@code ModelSnapshot} records on the second input, which
 * is broadcast to every instance.
 *
 * <p><b>Versions.</b> The broadcast state holds, per model id, the {@code ModelSnapshot} record in
 * service (Avro bytes), not the weights: a restore re-fetches the files it names. Every parallel
 * instance receives every model record, decides on it, fetches the file through Flink's file
 * system, checks that it lies under the model store root and matches its SHA-256, and loads it
 * itself, so each holds exactly one loaded model per served id. The decision before the file is
 * read (served? newer? inside the store? quality gate?) depends only on the record and the state,
 * so all instances agree on it. Fetching can fail on one instance and not on another (a store that
 * is briefly unreachable); each then reports its own refusal (the dead letter names the instance)
 * and keeps its previous version, which is the best it can do.
 *
 * <p><b>Batches.</b> Samples are collected in arrival order and decoded and scored together, one
 * pass of each model's networks per batch. A batch is scored
 *
 * <ul>
 *   <li>when it holds {@link BatchingPolicy#maxRecords()} samples;
 *   <li>when the input runs dry: after each sample a mail in the task's mailbox checks, one turn of
 *       the task loop later, whether another sample came in meanwhile; if none did, nothing is
 *       waiting in the input and the batch is scored at once, so a lone sample at a low rate waits
 *       for no one;
 *   <li>when its oldest sample has waited {@link BatchingPolicy#maxDelay()} (a processing-time
 *       timer; a bound for an input that never pauses but never fills a batch either);
 *   <li>before a new version of a served model is put in service, so every sample is scored by the
 *       versions that were in service when it arrived, exactly as if it had been scored on arrival;
 *   <li>before a checkpoint barrier is passed on (so the checkpoint's outputs are out before it),
 *       before a watermark is passed on, and at the end of input.
 * </ul>
 *
 * Outputs keep the arrival order: per sample, one prediction per served model in the policy's order
 * (or its dead letter), samples in the order they arrived, each with its own stream timestamp. A
 * sample that cannot be decoded or does not fit a model goes to the dead-letter output with the
 * reason and takes no part in the pass; its batch-mates are scored. A checkpoint normally finds the
 * batch empty (it was scored before the barrier); whatever is still in it at {@link #snapshotState}
 * is stored in the checkpoint and scored after a restore.
 *
 * <p><b>Before the first version.</b> Samples that meet no version of a model are held (bounded, in
 * the checkpoint) and scored in batches when the first version arrives, or rejected to the
 * dead-letter output, as the policy says.
 *
 * <p>Outputs: predictions on the main output; dead letters (bad sample records, samples a model
 * cannot score, samples refused before a first version, refused versions with the reason) on the
 * side output passed in.
 */
public final class ModelServingOperator extends AbstractStreamOperator<Prediction>
    implements TwoInputStreamOperator<RawRecord, RawRecord, Prediction>, BoundedMultiInput {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ModelServingOperator.class);
  private static final long NO_TIMER = Long.MIN_VALUE;

  /** Broadcast state: model id -> Avro bytes of the {@code ModelSnapshot} in service. */
  public static final MapStateDescriptor<String, byte[]> IN_SERVICE =
      new MapStateDescriptor<>(
          "igm-serving-models",
          Types.STRING,
          PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

  private static final ListStateDescriptor<HeldSample> HELD =
      new ListStateDescriptor<>("igm-serving-held-samples", HeldSample.class);

  private static final ListStateDescriptor<PendingSample> BATCHED =
      new ListStateDescriptor<>("igm-serving-batched-samples", PendingSample.class);

  private final ServingPolicy policy;
  private final BatchingPolicy batching;
  private final OutputTag<DeadLetter> deadLetters;
  private final SerializableStoreFactory storeFactory;

  private transient AvroBytes<MultimodalSample> samples;
  private transient AvroBytes<ModelSnapshot> snapshots;
  private transient SnapshotLoader loader;
  private transient Map<String, ServingModel> live;
  private transient HoldBuffer<RawRecord> held;
  private transient ListState<HeldSample> heldState;
  private transient MicroBatch<PendingSample> batch;
  private transient ListState<PendingSample> batchState;
  private transient BroadcastState<String, byte[]> inService;
  private transient List<ModelSnapshot> toRestore;
  private transient ServingMetrics metrics;
  private transient InServiceMarker marker;
  private transient String instance;
  private transient MailboxExecutor mailbox;

  /** Samples received so far; the idle probe compares it across one turn of the task loop. */
  private transient long samplesSeen;

  /**
   * {@link #samplesSeen} when the queued probe was armed; -1: queued by a sample, not armed yet.
   */
  private transient long samplesSeenAtProbe;

  private transient boolean probeQueued;

  /** The time of the registered batch timer, or {@link #NO_TIMER}. */
  private transient long timerAt;

  private transient StreamRecord<Prediction> predictionOut;
  private transient StreamRecord<DeadLetter> deadLetterOut;

  /** Creates the model store on the task (stores need not be serializable). */
  @FunctionalInterface
  public interface SerializableStoreFactory extends Supplier<SnapshotStore>, java.io.Serializable {}

  public ModelServingOperator(
      ServingPolicy policy, BatchingPolicy batching, OutputTag<DeadLetter> deadLetters) {
    this(policy, batching, deadLetters, FlinkFileSystemSnapshotStore::new);
  }

  public ModelServingOperator(
      ServingPolicy policy,
      BatchingPolicy batching,
      OutputTag<DeadLetter> deadLetters,
      SerializableStoreFactory storeFactory) {
    this.policy = policy;
    this.batching = batching;
    this.deadLetters = deadLetters;
    this.storeFactory = storeFactory;
  }

  // ------------------------------------------------------------------------------------------
  // lifecycle

  @Override
  public void setMailboxExecutor(MailboxExecutor mailboxExecutor) {
    super.setMailboxExecutor(mailboxExecutor);
    this.mailbox = mailboxExecutor;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    OperatorStateStore store = context.getOperatorStateStore();
    held = new HoldBuffer<>(policy.holdCapacity());
    heldState = store.getListState(HELD);
    batch = new MicroBatch<>(batching);
    batchState = store.getListState(BATCHED);
    inService = store.getBroadcastState(IN_SERVICE);
    toRestore = new ArrayList<>();
    AvroBytes<ModelSnapshot> codec = AvroBytes.of(ModelSnapshot.class);
    for (Map.Entry<String, byte[]> e : inService.entries()) {
      toRestore.add(codec.decode(e.getValue()));
    }
    if (context.isRestored()) {
      for (HeldSample h : heldState.get()) {
        // A held sample was consumed before the checkpoint, so only this state still has it. Past
        // the capacity
        // (a restore onto fewer instances) it is still kept: dropping it silently would lose a
        // valid record.
        if (!held.hold(h.modelId, h.record)) {
          LOG.warn(
              "hold buffer over capacity after restore; keeping {} for {} anyway",
              h.record,
              h.modelId);
        }
      }
      long now = getProcessingTimeService().getCurrentProcessingTime();
      for (PendingSample p : batchState.get()) {
        batch.add(p, now); // scored soon after open (see there), in as many batches as it takes
      }
    }
  }

  @Override
  public void open() throws Exception {
    super.open();
    int index = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    int of = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
    instance = "subtask " + index + " of " + of;
    samples = AvroBytes.of(MultimodalSample.class);
    snapshots = AvroBytes.of(ModelSnapshot.class);
    loader = new SnapshotLoader(storeFactory.get(), policy.store());
    live = new LinkedHashMap<>();
    predictionOut = new StreamRecord<>(null);
    deadLetterOut = new StreamRecord<>(null);
    timerAt = NO_TIMER;
    samplesSeenAtProbe = -1;
    if (mailbox == null) { // created without a factory that hands it over (operator test harnesses)
      mailbox =
          getContainingTask()
              .getMailboxExecutorFactory()
              .createExecutor(getOperatorConfig().getChainIndex());
    }
    metrics = new ServingMetrics(getMetricGroup(), policy.models(), held::size, batch::size);
    marker = new InServiceMarker(getRuntimeContext());
    for (ModelSnapshot s : toRestore) {
      if (!policy.serves(s.getModelId())) {
        continue;
      }
      try {
        putInService(s);
        LOG.info(
            "{}: restored {} v{} from {}", instance, s.getModelId(), s.getVersion(), s.getUri());
      } catch (UnusableSnapshotException e) {
        // No dead letter can be written before the first record; the log and the metric report it,
        // and the
        // model's samples are held or rejected until a newer version arrives.
        metrics.versionsUnusable.inc();
        LOG.error(
            "{}: cannot restore {} v{}: {}",
            instance,
            s.getModelId(),
            s.getVersion(),
            e.getMessage());
      }
    }
    if (!batch.isEmpty()) { // restored: score it as soon as the task runs
      scheduleTimer();
      queueProbe();
    }
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    flush(); // the predictions of every sample before the barrier go out before it
    super.prepareSnapshotPreBarrier(checkpointId);
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    List<HeldSample> all = new ArrayList<>(held.size());
    held.contents()
        .forEach((model, records) -> records.forEach(r -> all.add(new HeldSample(model, r))));
    heldState.update(all);
    batchState.update(
        batch.contents()); // empty after prepareSnapshotPreBarrier, unless called without it
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    flush(); // a watermark must not overtake the samples before it
    super.processWatermark(mark);
  }

  @Override
  public void endInput(int inputId) throws Exception {
    if (inputId == 1) {
      flush();
    }
  }

  @Override
  public void finish() throws Exception {
    flush();
    super.finish();
  }

  @Override
  public void close() throws Exception {
    if (live != null) {
      live.values().forEach(ServingModel::close);
      live.clear();
    }
    super.close();
  }

  // ------------------------------------------------------------------------------------------
  // samples

  @Override
  public void processElement1(StreamRecord<RawRecord> element) throws Exception {
    samplesSeen++;
    PendingSample sample =
        new PendingSample(element.getValue(), element.hasTimestamp(), element.getTimestamp());
    if (batch.add(sample, now())) {
      flush();
      return;
    }
    scheduleTimer();
    queueProbe();
  }

  /**
   * Queues the idle probe unless it is queued already. It runs after the current record (first
   * turn: it arms itself) and again after the next turn of the task loop, which either processed
   * another sample (the input is busy: re-arm) or found no input (the batch is scored).
   */
  private void queueProbe() {
    if (probeQueued) {
      return;
    }
    probeQueued = true;
    samplesSeenAtProbe = -1;
    mailbox.execute(this::probe, "score the open batch if the input is idle");
  }

  private void probe() throws Exception {
    probeQueued = false;
    if (batch.isEmpty()) {
      return;
    }
    if (samplesSeenAtProbe == samplesSeen) {
      flush();
      return;
    }
    probeQueued = true;
    samplesSeenAtProbe = samplesSeen;
    mailbox.execute(this::probe, "score the open batch if the input is idle");
  }

  /**
   * Keeps one timer registered for the open batch's deadline (an earlier one re-registers when it
   * fires).
   */
  private void scheduleTimer() {
    if (timerAt != NO_TIMER || batch.isEmpty()) {
      return;
    }
    timerAt = batch.deadline();
    getProcessingTimeService().registerTimer(timerAt, this::onTimer);
  }

  private void onTimer(long time) throws Exception {
    timerAt = NO_TIMER;
    if (batch.due(time)) {
      flush();
    } else {
      scheduleTimer();
    }
  }

  /**
   * Scores the open batch (in pieces of at most the batch size, after a restore onto fewer
   * instances).
   */
  private void flush() {
    if (batch.isEmpty()) {
      return;
    }
    List<PendingSample> items = batch.drain();
    for (int from = 0; from < items.size(); from += batching.maxRecords()) {
      score(items.subList(from, Math.min(items.size(), from + batching.maxRecords())));
    }
  }

  private void score(List<PendingSample> items) {
    long now = now();
    int n = items.size();
    MultimodalSample[] decoded = new MultimodalSample[n];
    String[] corrupt = new String[n];
    List<MultimodalSample> valid = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      try {
        decoded[i] = samples.decode(items.get(i).record.value);
        valid.add(decoded[i]);
      } catch (IOException e) {
        corrupt[i] = e.getMessage();
      }
    }
    List<String> models = policy.models();
    ServingModel[] scoring = new ServingModel[models.size()];
    List<List<ServingModel.Outcome>> outcomes = new ArrayList<>(models.size());
    for (int k = 0; k < models.size(); k++) {
      scoring[k] = live.get(models.get(k));
      outcomes.add(scoring[k] == null || valid.isEmpty() ? null : scoring[k].score(valid));
    }
    int v = 0;
    for (int i = 0; i < n; i++) {
      PendingSample p = items.get(i);
      if (decoded[i] == null) {
        metrics.samplesInvalid.inc();
        deadLetter(p.record, corrupt[i], now, p.hasTimestamp, p.timestamp);
        continue;
      }
      for (int k = 0; k < models.size(); k++) {
        if (scoring[k] != null) {
          emit(scoring[k], outcomes.get(k).get(v), p.record, now, p.hasTimestamp, p.timestamp);
        } else if (policy.beforeFirstModel() == ServingPolicy.BeforeFirstModel.REJECT) {
          metrics.samplesRejectedNoModel.inc();
          deadLetter(
              p.record,
              "no version of model " + models.get(k) + " in service yet (policy: reject)",
              now,
              p.hasTimestamp,
              p.timestamp);
        } else if (held.hold(models.get(k), p.record)) {
          metrics.samplesHeld.inc();
        } else {
          metrics.samplesHoldOverflow.inc();
          deadLetter(
              p.record,
              "no version of model "
                  + models.get(k)
                  + " in service yet and the hold buffer is full ("
                  + held.capacity()
                  + " samples, "
                  + instance
                  + ")",
              now,
              p.hasTimestamp,
              p.timestamp);
        }
      }
      v++;
    }
    metrics.batchScored(n);
  }

  private void emit(
      ServingModel model,
      ServingModel.Outcome outcome,
      RawRecord raw,
      long now,
      boolean hasTimestamp,
      long timestamp) {
    if (outcome.scored()) {
      metrics.scored(hasTimestamp ? timestamp : 0, now);
      output.collect(stamped(predictionOut.replace(outcome.prediction()), hasTimestamp, timestamp));
    } else {
      metrics.samplesInvalid.inc();
      deadLetter(
          raw,
          "model " + model + " cannot score it: " + outcome.refusal(),
          now,
          hasTimestamp,
          timestamp);
    }
  }

  private void deadLetter(
      RawRecord raw, String reason, long now, boolean hasTimestamp, long timestamp) {
    output.collect(
        deadLetters,
        stamped(deadLetterOut.replace(DeadLetters.of(raw, reason, now)), hasTimestamp, timestamp));
  }

  private static <T> StreamRecord<T> stamped(
      StreamRecord<T> r, boolean hasTimestamp, long timestamp) {
    if (hasTimestamp) {
      r.setTimestamp(timestamp);
    } else {
      r.eraseTimestamp();
    }
    return r;
  }

  // ------------------------------------------------------------------------------------------
  // versions

  @Override
  public void processElement2(StreamRecord<RawRecord> element) throws Exception {
    RawRecord raw = element.getValue();
    boolean ts = element.hasTimestamp();
    long now = now();
    ModelSnapshot candidate;
    try {
      candidate = snapshots.decode(raw.value);
    } catch (IOException e) {
      metrics.modelRecordsCorrupt.inc();
      deadLetter(
          raw, "corrupt ModelSnapshot record: " + e.getMessage(), now, ts, element.getTimestamp());
      return;
    }
    ModelSnapshot current = currentOf(candidate.getModelId());
    VersionVerdict verdict =
        VersionVerdict.of(
            policy.serves(candidate.getModelId()),
            current,
            candidate,
            policy.gate(),
            policy.store());
    switch (verdict.kind()) {
      case NOT_SERVED -> metrics.modelRecordsNotServed.inc();
      case STALE -> {
        metrics.versionsStale.inc();
        LOG.info("{}: ignored: {}", instance, verdict.reason());
      }
      case OUTSIDE_STORE -> {
        metrics.versionsOutsideStore.inc();
        refuse(raw, candidate, verdict.reason(), now, element);
      }
      case REFUSED_BY_GATE -> {
        metrics.versionsRefusedByGate.inc();
        refuse(raw, candidate, verdict.reason(), now, element);
      }
      case LOAD -> {
        flush(); // the samples that arrived before this version are scored by the one they met
        try {
          putInService(candidate);
        } catch (UnusableSnapshotException e) {
          metrics.versionsUnusable.inc();
          refuse(raw, candidate, e.getMessage(), now, element);
          return;
        }
        inService.put(candidate.getModelId(), raw.value);
        LOG.info(
            "{}: {} v{} in service (was {})",
            instance,
            candidate.getModelId(),
            candidate.getVersion(),
            current == null ? "none" : "v" + current.getVersion());
        release(candidate.getModelId(), now, ts, element.getTimestamp());
      }
    }
  }

  /** Scores the samples held for {@code modelId}'s first version, in batches, oldest first. */
  private void release(String modelId, long now, boolean hasTimestamp, long timestamp) {
    List<RawRecord> waiting = held.release(modelId);
    ServingModel model = live.get(modelId);
    for (int from = 0; from < waiting.size(); from += batching.maxRecords()) {
      List<RawRecord> part =
          waiting.subList(from, Math.min(waiting.size(), from + batching.maxRecords()));
      List<MultimodalSample> decoded = new ArrayList<>(part.size());
      List<RawRecord> decodedRaw = new ArrayList<>(part.size());
      for (RawRecord r : part) {
        try {
          decoded.add(samples.decode(r.value));
          decodedRaw.add(r);
        } catch (IOException e) { // held only after decoding once: not expected
          metrics.samplesInvalid.inc();
          deadLetter(r, e.getMessage(), now, hasTimestamp, timestamp);
        }
      }
      if (!decoded.isEmpty()) {
        List<ServingModel.Outcome> outcomes = model.score(decoded);
        for (int i = 0; i < outcomes.size(); i++) {
          emit(model, outcomes.get(i), decodedRaw.get(i), now, hasTimestamp, timestamp);
        }
      }
      metrics.batchScored(part.size());
    }
  }

  private void refuse(
      RawRecord raw,
      ModelSnapshot candidate,
      String reason,
      long now,
      StreamRecord<RawRecord> element) {
    String message =
        "model "
            + candidate.getModelId()
            + " version "
            + candidate.getVersion()
            + " refused ("
            + instance
            + "), the current version stays in service: "
            + reason;
    LOG.warn(message);
    deadLetter(raw, message, now, element.hasTimestamp(), element.getTimestamp());
  }

  /** Loads {@code s} and makes it the model in service, closing the one it replaces. */
  private void putInService(ModelSnapshot s) throws UnusableSnapshotException {
    long t0 = System.nanoTime();
    ServingModel loaded = loader.load(s);
    long millis = (System.nanoTime() - t0) / 1_000_000;
    ServingModel previous = live.put(s.getModelId(), loaded);
    if (previous != null) {
      previous.close();
    }
    metrics.versionsLoaded.inc();
    metrics.inService(s.getModelId(), s.getVersion(), millis);
    marker.inService(s);
  }

  private ModelSnapshot currentOf(String modelId) throws Exception {
    byte[] bytes = inService.get(modelId);
    return bytes == null ? null : snapshots.decode(bytes);
  }

  private long now() {
    return getProcessingTimeService().getCurrentProcessingTime();
  }
}
