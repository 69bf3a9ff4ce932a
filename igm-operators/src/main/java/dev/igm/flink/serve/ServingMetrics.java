package dev.igm.flink.serve;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The serving operator's Flink metrics, under the group {@code igm_serving} of each parallel
 * instance; per model a subgroup {@code model_<id>} with the version in service ({@code -1} before
 * the first) and the last load time. Batches: {@code batches} and {@code batchedSamples} count the
 * scored batches and the samples in them (their ratio is the mean batch size), {@code batchSize} is
 * the size distribution of the last 1,000 batches and {@code samplesBatchedNow} the samples waiting
 * in the open batch. {@code latencyMillis}: a histogram of the time from a sample's Kafka record
 * timestamp to its prediction (the last 1,000 predictions: queueing, holding before a first model,
 * batching, scoring).
 */
public final class ServingMetrics {
  final Counter predictions;
  final Counter samplesHeld;
  final Counter samplesRejectedNoModel;
  final Counter samplesHoldOverflow;
  final Counter samplesInvalid;
  final Counter versionsLoaded;
  final Counter versionsStale;
  final Counter versionsRefusedByGate;
  final Counter versionsUnusable;
  final Counter modelRecordsCorrupt;
  final Counter modelRecordsNotServed;
  final Counter versionsOutsideStore;
  final Counter batches;
  final Counter batchedSamples;
  final Histogram batchSize;
  final Histogram latencyMillis;

  private final Map<String, long[]> versionAndLoadMillis = new HashMap<>();

  ServingMetrics(
      MetricGroup parent, Iterable<String> models, IntSupplier heldNow, IntSupplier batchedNow) {
    MetricGroup g = parent.addGroup("igm_serving");
    predictions = g.counter("predictions");
    samplesHeld = g.counter("samplesHeld");
    samplesRejectedNoModel = g.counter("samplesRejectedNoModel");
    samplesHoldOverflow = g.counter("samplesHoldOverflow");
    samplesInvalid = g.counter("samplesInvalid");
    versionsLoaded = g.counter("versionsLoaded");
    versionsStale = g.counter("versionsStale");
    versionsRefusedByGate = g.counter("versionsRefusedByGate");
    versionsUnusable = g.counter("versionsUnusable");
    modelRecordsCorrupt = g.counter("modelRecordsCorrupt");
    modelRecordsNotServed = g.counter("modelRecordsNotServed");
    versionsOutsideStore = g.counter("versionsOutsideStore");
    batches = g.counter("batches");
    batchedSamples = g.counter("batchedSamples");
    batchSize = g.histogram("batchSize", new DescriptiveStatisticsHistogram(1000));
    g.gauge("samplesHeldNow", (Gauge<Integer>) heldNow::getAsInt);
    g.gauge("samplesBatchedNow", (Gauge<Integer>) batchedNow::getAsInt);
    latencyMillis = g.histogram("latencyMillis", new DescriptiveStatisticsHistogram(1000));
    for (String model : models) {
      long[] cell = {-1, 0};
      versionAndLoadMillis.put(model, cell);
      MetricGroup m = g.addGroup("model_" + model);
      m.gauge("version", (Gauge<Long>) () -> cell[0]);
      m.gauge("loadMillis", (Gauge<Long>) () -> cell[1]);
    }
  }

  void batchScored(int samples) {
    batches.inc();
    batchedSamples.inc(samples);
    batchSize.update(samples);
  }

  /**
   * A prediction was made at {@code now} for a sample whose Kafka record has timestamp {@code
   * recordTimestamp}.
   */
  void scored(long recordTimestamp, long now) {
    predictions.inc();
    if (recordTimestamp > 0 && now >= recordTimestamp) {
      latencyMillis.update(now - recordTimestamp);
    }
  }

  void inService(String model, long version, long loadMillis) {
    long[] cell = versionAndLoadMillis.get(model);
    if (cell != null) {
      cell[0] = version;
      cell[1] = loadMillis;
    }
  }
}
