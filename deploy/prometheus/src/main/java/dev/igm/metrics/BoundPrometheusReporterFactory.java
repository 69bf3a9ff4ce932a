package dev.igm.metrics;

import java.util.Properties;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.util.PortRange;

/**
 * Creates {@link BoundPrometheusReporter}s: Flink's Prometheus reporter with its HTTP endpoint on
 * one address.
 *
 * <pre>
 * metrics.reporter.prom.factory.class: dev.igm.metrics.BoundPrometheusReporterFactory
 * metrics.reporter.prom.bind-address: 127.0.0.1     # default; 0.0.0.0 for every interface
 * metrics.reporter.prom.port: 9249-9259             # a port or a range: the first free one is taken
 * </pre>
 */
public final class BoundPrometheusReporterFactory implements MetricReporterFactory {
  /** This factory's class name, for {@code metrics.reporter.<name>.factory.class}. */
  public static final String NAME = BoundPrometheusReporterFactory.class.getName();

  public static final String BIND_ADDRESS = "bind-address";
  public static final String PORT = "port";
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

  /** Flink's own reporter's default port. */
  public static final String DEFAULT_PORT = "9249";

  @Override
  public BoundPrometheusReporter createMetricReporter(Properties properties) {
    MetricConfig config = (MetricConfig) properties;
    String address = config.getString(BIND_ADDRESS, DEFAULT_BIND_ADDRESS).strip();
    PortRange ports = new PortRange(config.getString(PORT, DEFAULT_PORT).strip());
    return new BoundPrometheusReporter(address, ports);
  }
}
