package dev.igm.compat;

import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.Prediction;
import dev.igm.avro.TrainingMetrics;
import dev.igm.flink.ModelRegistry;
import dev.igm.flink.ModelSample;
import dev.igm.flink.TrainerOperator;
import dev.igm.flink.TrainerSettings;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/**
 * Drives a {@link TrainerOperator} in Flink's keyed operator test harness (heap state backend, mock
 * task) and collects what it emits: predictions, metrics records (with their wall-clock fields
 * cleared) and snapshot announcements.
 */
public final class OperatorRun implements AutoCloseable {
  public static final OutputTag<TrainingMetrics> METRICS = new OutputTag<>("metrics") {};
  public static final OutputTag<ModelSnapshot> MODELS = new OutputTag<>("models") {};

  private final KeyedOneInputStreamOperatorTestHarness<String, ModelSample, Prediction> harness;
  private long nextCheckpoint;

  /**
   * A harness over a fresh operator; {@code restoreFrom} (may be null) is the state it starts from.
   */
  public OperatorRun(
      Map<String, dev.igm.core.config.IgmConfig> models,
      Path store,
      OperatorSubtaskState restoreFrom,
      long firstCheckpointId)
      throws Exception {
    TrainerSettings settings = new TrainerSettings(1000, 3, store.toUri().toString(), 0, 0, 0, 0);
    TrainerOperator op = new TrainerOperator(new ModelRegistry(models), settings, METRICS, MODELS);
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            op, (KeySelector<ModelSample, String>) s -> s.modelId, Types.STRING);
    if (restoreFrom != null) {
      harness.initializeState(restoreFrom);
    }
    harness.open();
    nextCheckpoint = firstCheckpointId;
  }

  public KeyedOneInputStreamOperatorTestHarness<String, ModelSample, Prediction> harness() {
    return harness;
  }

  /**
   * Processes {@code samples}; after every {@code checkpointEvery}-th one (0 = never) a watermark,
   * a checkpoint barrier (pre-barrier hook, snapshot) and its completion notice, as a running job
   * interleaves them with records.
   */
  public OperatorRun process(List<ModelSample> samples, int checkpointEvery) throws Exception {
    for (int i = 0; i < samples.size(); i++) {
      ModelSample s = samples.get(i);
      harness.processElement(new StreamRecord<>(s, s.eventTime));
      if (checkpointEvery > 0 && i % checkpointEvery == checkpointEvery - 1) {
        harness.processWatermark(new Watermark(s.eventTime));
        checkpoint(s.eventTime);
        harness.notifyOfCompletedCheckpoint(nextCheckpoint - 1);
      }
    }
    return this;
  }

  /** A checkpoint barrier: the pre-barrier hook, then the snapshot. */
  public OperatorSubtaskState checkpoint(long timestamp) throws Exception {
    long id = nextCheckpoint++;
    harness.prepareSnapshotPreBarrier(id);
    return harness.snapshot(id, timestamp);
  }

  /** The end of a bounded input: every model publishes its final version. */
  public OperatorRun endInput() throws Exception {
    ((BoundedOneInput) harness.getOperator()).endInput();
    return this;
  }

  public List<Prediction> predictions() {
    return harness.extractOutputValues();
  }

  /** Metrics records with the wall-clock fields (time, T-refresh duration) cleared. */
  public List<TrainingMetrics> metrics() {
    List<TrainingMetrics> out = new ArrayList<>();
    for (StreamRecord<TrainingMetrics> r : harness.getSideOutput(METRICS)) {
      out.add(
          TrainingMetrics.newBuilder(r.getValue())
              .setTime(Instant.EPOCH)
              .setTRefreshMillis(0)
              .build());
    }
    return out;
  }

  /**
   * Snapshot announcements reduced to what identifies the model: id, version, method, sha256 and
   * metrics.
   */
  public List<String> snapshots() {
    List<String> out = new ArrayList<>();
    var side = harness.getSideOutput(MODELS);
    if (side != null) {
      for (StreamRecord<ModelSnapshot> r : side) {
        ModelSnapshot s = r.getValue();
        out.add(
            s.getModelId()
                + " v"
                + s.getVersion()
                + " "
                + s.getMethod()
                + " "
                + s.getSha256()
                + " "
                + new java.util.TreeMap<>(s.getMetrics()));
      }
    }
    return out;
  }

  /** Watermarks that reached the output, in order. */
  public List<Long> watermarks() {
    List<Long> out = new ArrayList<>();
    for (Object o : harness.getOutput()) {
      if (o instanceof Watermark w) {
        out.add(w.getTimestamp());
      }
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    harness.close();
  }
}
