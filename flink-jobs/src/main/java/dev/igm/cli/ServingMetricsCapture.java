package dev.igm.cli;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter that keeps the serving operator's batch metrics of a job running in this
 * process (an embedded cluster), so {@code igm bench-serve} can read the batch sizes the operator
 * saw. Enabled only where {@link #addTo} configures it; it reports nowhere.
 */
public final class ServingMetricsCapture implements MetricReporterFactory, MetricReporter {
  private static final Map<String, Metric> CAPTURED = new ConcurrentHashMap<>();

  /** Configures the embedded cluster of {@code conf} to report to this class. */
  static Configuration addTo(Configuration conf) {
    conf.setString(
        "metrics.reporter.igm_bench.factory.class", ServingMetricsCapture.class.getName());
    return conf;
  }

  /** Forgets what a previous job reported. */
  static void clear() {
    CAPTURED.clear();
  }

  /** The sum over the parallel instances of the serving counter {@code name}. */
  static long counter(String name) {
    long sum = 0;
    for (Map.Entry<String, Metric> e : CAPTURED.entrySet()) {
      if (e.getKey().endsWith("." + name) && e.getValue() instanceof Counter c) {
        sum += c.getCount();
      }
    }
    return sum;
  }

  /**
   * The values in the serving histograms {@code name} of every parallel instance (their recent
   * windows).
   */
  static long[] histogramValues(String name) {
    return CAPTURED.entrySet().stream()
        .filter(e -> e.getKey().endsWith("." + name) && e.getValue() instanceof Histogram)
        .flatMapToLong(
            e -> java.util.Arrays.stream(((Histogram) e.getValue()).getStatistics().getValues()))
        .sorted()
        .toArray();
  }

  @Override
  public MetricReporter createMetricReporter(Properties properties) {
    return this;
  }

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
    String id = group.getMetricIdentifier(name);
    if (id.contains(".igm_serving.")) {
      CAPTURED.put(id, metric);
    }
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    CAPTURED.remove(group.getMetricIdentifier(name), metric);
  }
}
