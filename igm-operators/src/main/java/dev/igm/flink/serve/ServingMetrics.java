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
 * The serving operator's Flink metrics, under the group {@code igm_serving} of each parallel instance; per model
 * a subgroup {@code model_<id>} with the version in service ({@code -1} before the first) and the last load time;
 * {@code latencyMillis}, a histogram of the time from a sample's Kafka record timestamp to its prediction (the last
 * 1,000 predictions: queueing, holding before a first model, scoring).
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
  final Histogram latencyMillis;

  private final Map<String, long[]> versionAndLoadMillis = new HashMap<>();

  ServingMetrics(MetricGroup parent, Iterable<String> models, IntSupplier heldNow) {
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
    g.gauge("samplesHeldNow", (Gauge<Integer>) heldNow::getAsInt);
    latencyMillis = g.histogram("latencyMillis", new DescriptiveStatisticsHistogram(1000));
    for (String model : models) {
      long[] cell = {-1, 0};
      versionAndLoadMillis.put(model, cell);
      MetricGroup m = g.addGroup("model_" + model);
      m.gauge("version", (Gauge<Long>) () -> cell[0]);
      m.gauge("loadMillis", (Gauge<Long>) () -> cell[1]);
    }
  }

  /** A prediction was made at {@code now} for a sample whose Kafka record has timestamp {@code recordTimestamp}. */
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
