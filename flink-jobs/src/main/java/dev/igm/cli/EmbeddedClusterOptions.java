package dev.igm.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of an embedded Flink cluster that a user may want to reach: where it listens, the
 * port of its web UI and REST API, and a Prometheus endpoint. Shared by the commands that start one
 * ({@code train}, {@code serve}, {@code demo}).
 */
final class EmbeddedClusterOptions {
  @Option(
      names = "--bind-address",
      paramLabel = "ADDRESS",
      description =
          "Interface the embedded cluster's listeners (web UI and REST API, blob server, RPC, metrics) bind"
              + " to (embedded.bind-address). Default: 127.0.0.1, this machine only; 0.0.0.0 exposes them, and Flink's"
              + " REST API accepts job submissions without authentication.")
  String bindAddress;

  @Option(
      names = "--web-port",
      paramLabel = "PORT",
      description =
          "Port of the embedded cluster's web UI and REST API (flink.rest.port). Default: a free one; the"
              + " URL is printed.")
  Integer webPort;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT[-PORT]",
      description =
          "Serve the job's metrics for Prometheus at http://<bind address>:PORT/metrics"
              + " (embedded.metrics-port; a range takes the first free port). Default: none.")
  String metricsPort;

  /** A job-configuration setting an option stands for. */
  record JobSetting(String option, String key, String value) {}

  /** The settings of a training job's configuration that the given options stand for. */
  List<JobSetting> jobSettings() {
    List<JobSetting> out = new ArrayList<>();
    if (bindAddress != null) {
      out.add(new JobSetting("--bind-address", "embedded.bind-address", bindAddress));
    }
    if (metricsPort != null) {
      out.add(new JobSetting("--metrics-port", "embedded.metrics-port", metricsPort));
    }
    if (webPort != null) {
      out.add(new JobSetting("--web-port", "flink.rest.bind-port", Integer.toString(webPort)));
      out.add(new JobSetting("--web-port", "flink.rest.port", Integer.toString(webPort)));
    }
    return out;
  }

  /** Whether an option that only an embedded cluster understands was given. */
  boolean anyGiven() {
    return bindAddress != null || webPort != null || metricsPort != null;
  }
}
