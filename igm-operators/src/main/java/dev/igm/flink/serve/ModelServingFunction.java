package dev.igm.flink.serve;

import dev.igm.flink.RawRecord;
import dev.igm.avro.DeadLetter;
import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Prediction;
import dev.igm.codec.AvroBytes;
import dev.igm.core.serve.HoldBuffer;
import dev.igm.core.serve.InvalidSampleException;
import dev.igm.core.serve.ServingModel;
import dev.igm.core.serve.ServingPolicy;
import dev.igm.core.serve.SnapshotLoader;
import dev.igm.core.serve.SnapshotStore;
import dev.igm.core.serve.UnusableSnapshotException;
import dev.igm.core.serve.VersionVerdict;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores sample records with the newest accepted version of each served model, the versions arriving as broadcast
 * {@code ModelSnapshot} records (first input: samples; second input: the broadcast models stream).
 *
 * <p>The broadcast state holds, per model id, the {@code ModelSnapshot} record in service (Avro bytes), not the
 * weights: a restore re-fetches the files it names. Every parallel instance receives every model record, decides on
 * it, fetches the file through Flink's file system, checks its SHA-256 and loads it itself, so each holds exactly
 * one loaded model per served id (opened here, closed in {@link #close()}). The decision before the file is read
 * (served? newer? quality gate?) depends only on the record and the state, so all instances agree on it. Fetching
 * can fail on one instance and not on another (a store that is briefly unreachable); each then reports its own
 * refusal (the dead letter names the instance) and keeps its previous version, which is the best it can do.
 *
 * <p>Outputs: predictions on the main output; dead letters (bad sample records, samples a model cannot score,
 * samples refused before a first version, refused versions with the reason) on the side output passed in.
 */
public final class ModelServingFunction extends BroadcastProcessFunction<RawRecord, RawRecord, Prediction>
    implements CheckpointedFunction {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ModelServingFunction.class);

  /** Broadcast state: model id -> Avro bytes of the {@code ModelSnapshot} in service. */
  public static final MapStateDescriptor<String, byte[]> IN_SERVICE =
      new MapStateDescriptor<>("igm-serving-models", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

  private static final ListStateDescriptor<HeldSample> HELD =
      new ListStateDescriptor<>("igm-serving-held-samples", HeldSample.class);

  private final ServingPolicy policy;
  private final OutputTag<DeadLetter> deadLetters;
  private final SerializableStoreFactory storeFactory;

  private transient AvroBytes<MultimodalSample> samples;
  private transient AvroBytes<ModelSnapshot> snapshots;
  private transient SnapshotLoader loader;
  private transient Map<String, ServingModel> live;
  private transient HoldBuffer<RawRecord> held;
  private transient ListState<HeldSample> heldState;
  private transient List<ModelSnapshot> toRestore;
  private transient ServingMetrics metrics;
  private transient InServiceMarker marker;
  private transient String instance;

  /** Creates the model store on the task (stores need not be serializable). */
  @FunctionalInterface
  public interface SerializableStoreFactory extends Supplier<SnapshotStore>, java.io.Serializable {}

  public ModelServingFunction(ServingPolicy policy, OutputTag<DeadLetter> deadLetters) {
    this(policy, deadLetters, FlinkFileSystemSnapshotStore::new);
  }

  public ModelServingFunction(ServingPolicy policy, OutputTag<DeadLetter> deadLetters, SerializableStoreFactory storeFactory) {
    this.policy = policy;
    this.deadLetters = deadLetters;
    this.storeFactory = storeFactory;
  }

  // ------------------------------------------------------------------------------------------ lifecycle

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    held = new HoldBuffer<>(policy.holdCapacity());
    heldState = context.getOperatorStateStore().getListState(HELD);
    BroadcastState<String, byte[]> inService = context.getOperatorStateStore().getBroadcastState(IN_SERVICE);
    toRestore = new ArrayList<>();
    AvroBytes<ModelSnapshot> codec = AvroBytes.of(ModelSnapshot.class);
    for (Map.Entry<String, byte[]> e : inService.entries()) {
      toRestore.add(codec.decode(e.getValue()));
    }
    if (context.isRestored()) {
      for (HeldSample h : heldState.get()) {
        // A held sample was consumed before the checkpoint, so only this state still has it. Past the capacity
        // (a restore onto fewer instances) it is still kept: dropping it silently would lose a valid record.
        if (!held.hold(h.modelId, h.record)) {
          LOG.warn("hold buffer over capacity after restore; keeping {} for {} anyway", h.record, h.modelId);
        }
      }
    }
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    int index = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    int of = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
    instance = "subtask " + index + " of " + of;
    samples = AvroBytes.of(MultimodalSample.class);
    snapshots = AvroBytes.of(ModelSnapshot.class);
    loader = new SnapshotLoader(storeFactory.get());
    live = new LinkedHashMap<>();
    if (held == null) { // not run as a checkpointed operator (never in a job; some test harnesses)
      held = new HoldBuffer<>(policy.holdCapacity());
      toRestore = List.of();
    }
    metrics = new ServingMetrics(getRuntimeContext().getMetricGroup(), policy.models(), held::size);
    marker = new InServiceMarker(getRuntimeContext());
    for (ModelSnapshot s : toRestore) {
      if (!policy.serves(s.getModelId())) {
        continue;
      }
      try {
        putInService(s);
        LOG.info("{}: restored {} v{} from {}", instance, s.getModelId(), s.getVersion(), s.getUri());
      } catch (UnusableSnapshotException e) {
        // No dead letter can be written before the first record; the log and the metric report it, and the
        // model's samples are held or rejected until a newer version arrives.
        metrics.versionsUnusable.inc();
        LOG.error("{}: cannot restore {} v{}: {}", instance, s.getModelId(), s.getVersion(), e.getMessage());
      }
    }
  }

  @Override
  public void close() throws Exception {
    if (live != null) {
      live.values().forEach(ServingModel::close);
      live.clear();
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    List<HeldSample> all = new ArrayList<>(held.size());
    held.contents().forEach((model, records) -> records.forEach(r -> all.add(new HeldSample(model, r))));
    heldState.update(all);
  }

  // ------------------------------------------------------------------------------------------ samples

  @Override
  public void processElement(RawRecord raw, ReadOnlyContext ctx, Collector<Prediction> out) throws Exception {
    Consumer<DeadLetter> dead = d -> ctx.output(deadLetters, d);
    MultimodalSample sample;
    try {
      sample = samples.decode(raw.value);
    } catch (IOException e) {
      metrics.samplesInvalid.inc();
      dead.accept(DeadLetters.of(raw, e.getMessage(), ctx.currentProcessingTime()));
      return;
    }
    for (String modelId : policy.models()) {
      ServingModel model = live.get(modelId);
      if (model != null) {
        score(model, raw, sample, out, dead, ctx.currentProcessingTime());
      } else if (policy.beforeFirstModel() == ServingPolicy.BeforeFirstModel.REJECT) {
        metrics.samplesRejectedNoModel.inc();
        dead.accept(DeadLetters.of(raw,
            "no version of model " + modelId + " in service yet (policy: reject)", ctx.currentProcessingTime()));
      } else if (held.hold(modelId, raw)) {
        metrics.samplesHeld.inc();
      } else {
        metrics.samplesHoldOverflow.inc();
        dead.accept(DeadLetters.of(raw, "no version of model " + modelId + " in service yet and the hold buffer is full ("
            + held.capacity() + " samples, " + instance + ")", ctx.currentProcessingTime()));
      }
    }
  }

  private void score(ServingModel model, RawRecord raw, MultimodalSample sample, Collector<Prediction> out,
      Consumer<DeadLetter> dead, long now) {
    try {
      out.collect(model.score(sample));
      metrics.scored(raw.timestamp, now);
    } catch (InvalidSampleException e) {
      metrics.samplesInvalid.inc();
      dead.accept(DeadLetters.of(raw, "model " + model + " cannot score it: " + e.getMessage(), now));
    }
  }

  // ------------------------------------------------------------------------------------------ versions

  @Override
  public void processBroadcastElement(RawRecord raw, Context ctx, Collector<Prediction> out) throws Exception {
    long now = ctx.currentProcessingTime();
    ModelSnapshot candidate;
    try {
      candidate = snapshots.decode(raw.value);
    } catch (IOException e) {
      metrics.modelRecordsCorrupt.inc();
      ctx.output(deadLetters, DeadLetters.of(raw, "corrupt ModelSnapshot record: " + e.getMessage(), now));
      return;
    }
    BroadcastState<String, byte[]> inService = ctx.getBroadcastState(IN_SERVICE);
    ModelSnapshot current = currentOf(inService, candidate.getModelId());
    VersionVerdict verdict = VersionVerdict.of(policy.serves(candidate.getModelId()), current, candidate, policy.gate());
    switch (verdict.kind()) {
      case NOT_SERVED -> metrics.modelRecordsNotServed.inc();
      case STALE -> {
        metrics.versionsStale.inc();
        LOG.info("{}: ignored: {}", instance, verdict.reason());
      }
      case REFUSED_BY_GATE -> {
        metrics.versionsRefusedByGate.inc();
        refuse(raw, candidate, verdict.reason(), now, ctx);
      }
      case LOAD -> {
        try {
          putInService(candidate);
        } catch (UnusableSnapshotException e) {
          metrics.versionsUnusable.inc();
          refuse(raw, candidate, e.getMessage(), now, ctx);
          return;
        }
        inService.put(candidate.getModelId(), raw.value);
        LOG.info("{}: {} v{} in service (was {})", instance, candidate.getModelId(), candidate.getVersion(),
            current == null ? "none" : "v" + current.getVersion());
        ServingModel model = live.get(candidate.getModelId());
        for (RawRecord waiting : held.release(candidate.getModelId())) {
          score(model, waiting, samples.decode(waiting.value), out, d -> ctx.output(deadLetters, d), now);
        }
      }
    }
  }

  private void refuse(RawRecord raw, ModelSnapshot candidate, String reason, long now, Context ctx) {
    String message = "model " + candidate.getModelId() + " version " + candidate.getVersion() + " refused ("
        + instance + "), the current version stays in service: " + reason;
    LOG.warn(message);
    ctx.output(deadLetters, DeadLetters.of(raw, message, now));
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

  private ModelSnapshot currentOf(ReadOnlyBroadcastState<String, byte[]> state, String modelId) throws Exception {
    byte[] bytes = state.get(modelId);
    return bytes == null ? null : snapshots.decode(bytes);
  }
}
