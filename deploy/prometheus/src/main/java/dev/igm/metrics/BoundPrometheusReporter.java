package dev.igm.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Iterator;
import org.apache.flink.metrics.prometheus.AbstractPrometheusReporter;
import org.apache.flink.util.PortRange;

/**
 * Flink's Prometheus reporter (the same collectors, so the same metric names and labels as {@code
 * org.apache.flink.metrics.prometheus.PrometheusReporter}) with its HTTP endpoint bound to one
 * address.
 *
 * <p>Why: Flink's reporter listens on every interface ({@code new InetSocketAddress(port)}) and
 * offers no setting to change that, while everything this product starts listens on loopback unless
 * the user asks otherwise. The collectors live in the base class's registry, which it keeps
 * package-private; it is read once, here, by reflection, and the constructor fails with a plain
 * message should a later Flink version rename it.
 */
public final class BoundPrometheusReporter extends AbstractPrometheusReporter {
  private final HTTPServer server;
  private final String address;
  private final int port;

  BoundPrometheusReporter(String bindAddress, PortRange ports) {
    InetAddress bind;
    try {
      bind = InetAddress.getByName(bindAddress);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Prometheus reporter: bind-address " + bindAddress + " is not an address", e);
    }
    CollectorRegistry registry = registryOf(this);
    HTTPServer started = null;
    int bound = -1;
    IOException last = null;
    for (Iterator<Integer> it = ports.getPortsIterator(); it.hasNext() && started == null; ) {
      int candidate = it.next();
      try {
        started = new HTTPServer(new InetSocketAddress(bind, candidate), registry, true);
        bound = started.getPort();
      } catch (IOException e) {
        last = e; // taken: try the next port of the range
      }
    }
    if (started == null) {
      throw new IllegalStateException(
          "Prometheus reporter: no free port in "
              + ports
              + " on "
              + bind.getHostAddress()
              + (last == null ? "" : " (" + last.getMessage() + ")"),
          last);
    }
    this.server = started;
    this.address = bind.getHostAddress();
    this.port = bound;
    log.info(
        "Prometheus metrics endpoint http://{}:{}/metrics",
        address.contains(":") ? "[" + address + "]" : address,
        port);
  }

  /** The port the endpoint listens on. */
  public int port() {
    return port;
  }

  /** The address the endpoint listens on. */
  public String address() {
    return address;
  }

  @Override
  public void close() {
    server.stop();
    super.close();
  }

  private static CollectorRegistry registryOf(AbstractPrometheusReporter reporter) {
    try {
      Field f = AbstractPrometheusReporter.class.getDeclaredField("registry");
      f.setAccessible(true);
      return (CollectorRegistry) f.get(reporter);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "Prometheus reporter: this Flink version's AbstractPrometheusReporter has no"
              + " collector registry field 'registry'; use org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
          e);
    }
  }
}
