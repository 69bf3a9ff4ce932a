package dev.igm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.flink.metrics.MetricConfig;
import org.junit.jupiter.api.Test;

/**
 * The endpoint binds where it is told (loopback by default), skips taken ports of a range, and
 * serves /metrics.
 */
class BoundPrometheusReporterTest {

  @Test
  void bindsToLoopbackByDefaultAndServesMetrics() throws Exception {
    int port = freePort();
    MetricConfig config = new MetricConfig();
    config.setProperty("port", Integer.toString(port));
    BoundPrometheusReporter reporter =
        new BoundPrometheusReporterFactory().createMetricReporter(config);
    try {
      assertThat(reporter.address()).isEqualTo("127.0.0.1");
      assertThat(reporter.port()).isEqualTo(port);
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
    } finally {
      reporter.close();
    }
  }

  @Test
  void takesTheNextFreePortOfARange() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int first = taken.getLocalPort();
      MetricConfig config = new MetricConfig();
      config.setProperty("port", first + "-" + (first + 20));
      BoundPrometheusReporter reporter =
          new BoundPrometheusReporterFactory().createMetricReporter(config);
      try {
        assertThat(reporter.port()).isGreaterThan(first).isLessThanOrEqualTo(first + 20);
      } finally {
        reporter.close();
      }
    }
  }

  @Test
  void refusesAnAddressThatIsNone() {
    MetricConfig config = new MetricConfig();
    config.setProperty("bind-address", "no-such-host.invalid");
    config.setProperty("port", "0");
    assertThatThrownBy(() -> new BoundPrometheusReporterFactory().createMetricReporter(config))
        .hasMessageContaining("no-such-host.invalid");
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
