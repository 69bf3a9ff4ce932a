package dev.igm.flink;

import dev.igm.avro.DeadLetter;
import dev.igm.core.ingest.Rejection;
import dev.igm.core.ingest.RejectionKind;
import dev.igm.core.ingest.SampleValidator;
import dev.igm.core.ingest.Validation;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes and validates raw Kafka records ({@link SampleValidator}); a valid sample is fanned out
 * once per model, a rejected record goes to the dead-letter side output with its raw bytes, source
 * coordinates, stage and reason. Counts dead letters as Flink metrics ({@code deadLetters}, and per
 * kind under {@code kind=<KIND>}); the running total is operator state so it survives restores
 * exactly.
 */
public final class DecodeValidateFunction extends ProcessFunction<RawRecord, ModelSample>
    implements CheckpointedFunction {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(DecodeValidateFunction.class);

  /** The accumulator counting the records this attempt of the job read from the samples topic. */
  public static final String RECORDS_READ = "igm.records.read";

  private final ModelRegistry models;
  private final long maxTensorBytes;
  private final long maxRecordBytes;
  private final OutputTag<DeadLetter> deadLetterTag;

  private transient SampleValidator validator;
  private transient List<String> modelIds;
  private transient long deadLetters;
  private transient ListState<Long> deadLetterState;
  private transient Counter deadLetterCounter;
  private transient Counter validCounter;
  private transient Map<RejectionKind, Counter> byKind;

  /**
   * Records read in this attempt, valid or not: the command line's progress ({@code
   * JobClient#getAccumulators}).
   */
  private transient LongCounter read;

  public DecodeValidateFunction(
      ModelRegistry models,
      long maxTensorBytes,
      long maxRecordBytes,
      OutputTag<DeadLetter> deadLetterTag) {
    this.models = models;
    this.maxTensorBytes = maxTensorBytes;
    this.maxRecordBytes = maxRecordBytes;
    this.deadLetterTag = deadLetterTag;
  }

  @Override
  public void open(OpenContext openContext) {
    validator = new SampleValidator(models.contract(), maxTensorBytes, maxRecordBytes);
    modelIds = models.ids();
    MetricGroup group = getRuntimeContext().getMetricGroup();
    deadLetterCounter = group.counter("deadLetters");
    validCounter = group.counter("validSamples");
    read = new LongCounter();
    getRuntimeContext().addAccumulator(RECORDS_READ, read);
    byKind = new EnumMap<>(RejectionKind.class);
    for (RejectionKind k : RejectionKind.values()) {
      byKind.put(k, group.addGroup("kind", k.name()).counter("deadLetters"));
    }
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<ModelSample> out) {
    read.add(1);
    Validation v = validator.decode(raw.value);
    if (v instanceof Validation.Valid valid) {
      validCounter.inc();
      for (String id : modelIds) {
        out.collect(ModelSample.of(id, valid.sample(), deadLetters));
      }
      return;
    }
    Rejection r = ((Validation.Rejected) v).rejection();
    deadLetters++;
    deadLetterCounter.inc();
    byKind.get(r.kind()).inc();
    LOG.debug("dead letter {}: {}", raw, r.describe());
    ctx.output(
        deadLetterTag,
        DeadLetter.newBuilder()
            .setSourceTopic(raw.topic)
            .setSourcePartition(raw.partition)
            .setSourceOffset(raw.offset)
            .setRawKey(raw.key == null ? null : ByteBuffer.wrap(raw.key))
            .setRawValue(raw.value == null ? null : ByteBuffer.wrap(raw.value))
            .setStage(r.stage())
            .setReason(r.describe())
            .setTime(Instant.ofEpochMilli(System.currentTimeMillis()))
            .build());
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    deadLetterState.update(List.of(deadLetters));
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    deadLetterState =
        context
            .getOperatorStateStore()
            .getListState(new ListStateDescriptor<>("dead-letters", Long.class));
    deadLetters = 0;
    for (Long n : deadLetterState.get()) {
      deadLetters += n; // after a rescale the subtasks' totals add up
    }
  }
}
