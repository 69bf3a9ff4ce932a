package dev.igm.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the listeners of an embedded Flink cluster (the MiniCluster behind {@code igm train},
 * {@code igm serve}, {@code igm demo} and the benches) bind, and what they offer: loopback unless
 * the user asks otherwise, Flink's web UI on a port known before the job starts (so its URL can be
 * printed), and optionally a Prometheus endpoint.
 *
 * <p>Flink's defaults bind the REST endpoint and the blob server to every interface. The REST API
 * accepts jar uploads and job submissions without authentication, so on a shared machine anyone who
 * can reach the port could run code in this process. Every address key is therefore set to {@link
 * #LOOPBACK} unless the configuration names it already; {@code --bind-address} (or the Flink keys
 * themselves) is the explicit way to expose the cluster. An embedded cluster runs the one job it
 * was started for: the web UI's jar upload and submission are switched off ({@code
 * web.submit.enable}), cancelling stays possible.
 */
public final class EmbeddedFlink {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedFlink.class);

  /** The address an embedded cluster binds to by default. */
  public static final String LOOPBACK = LocalService.HOST;

  /** The Flink keys that choose an interface to listen on. */
  static final List<String> BIND_KEYS =
      List.of("rest.bind-address", "jobmanager.bind-host", "taskmanager.bind-host");

  /**
   * The Flink keys that name the address the listeners are reached at (advertised to clients and
   * peers).
   */
  static final List<String> ADVERTISED_KEYS =
      List.of("rest.address", "jobmanager.rpc.address", "taskmanager.host");

  /** The name of the Prometheus reporter an embedded cluster gets with a metrics port. */
  public static final String REPORTER = "prom";

  /**
   * The reporter factory (deploy/prometheus): Flink's Prometheus reporter with its endpoint on one
   * address.
   */
  static final String REPORTER_FACTORY = "dev.igm.metrics.BoundPrometheusReporterFactory";

  private static final String REPORTER_PREFIX = "metrics.reporter." + REPORTER + ".";

  private EmbeddedFlink() {}

  /**
   * What an embedded cluster offers, for the user to open: the web UI (also the REST API) and the
   * Prometheus endpoint ({@code null} without one).
   */
  public record Endpoints(String webUi, String metrics) {}

  /**
   * Sets the embedded cluster's address keys that {@code conf} leaves open: listeners bind to
   * {@code bindAddress} ({@code null}: loopback) and advertise it, or this host's name when it is a
   * wildcard address. The REST endpoint (web UI) gets a free port unless {@code rest.bind-port} or
   * {@code rest.port} names one.
   *
   * @return {@code conf}
   */
  public static Configuration bind(Configuration conf, String bindAddress) {
    String bind = bindAddress == null || bindAddress.isBlank() ? LOOPBACK : bindAddress.strip();
    String advertised = advertisedFor(bind);
    Map<String, String> present = conf.toMap();
    for (String key : BIND_KEYS) {
      if (!present.containsKey(key)) {
        conf.setString(key, bind);
      }
    }
    for (String key : ADVERTISED_KEYS) {
      if (!present.containsKey(key)) {
        conf.setString(key, advertised);
      }
    }
    if (!present.containsKey("rest.bind-port") && !present.containsKey("rest.port")) {
      // Flink's local environments pick a random port themselves, but then nobody can tell the user
      // where the UI is
      try {
        int port = LocalScripts.freePort(conf.getString("rest.bind-address", bind));
        conf.setString("rest.bind-port", Integer.toString(port));
        conf.setString("rest.port", Integer.toString(port));
      } catch (IOException e) {
        throw new UncheckedIOException("no free port for the embedded cluster's REST endpoint", e);
      }
    }
    if (!present.containsKey("web.submit.enable")) {
      conf.setString("web.submit.enable", "false");
    }
    String tmp = conf.toMap().get("io.tmp.dirs");
    if (!present.containsKey("web.tmpdir") && tmp != null && !tmp.isBlank()) {
      // the web UI unpacks its files here; Flink's default is the system temp folder
      conf.setString("web.tmpdir", tmp.split("[,:]")[0] + "/flink-web");
    }
    return conf;
  }

  /**
   * Adds a Prometheus endpoint on {@code port} (a port or a range such as {@code 9249-9259}), bound
   * to the cluster's REST bind address (loopback unless exposed). Reporter settings {@code conf}
   * names already ({@code metrics.reporter.prom.*}) are kept. Call after {@link #bind}.
   *
   * @return {@code conf}
   */
  public static Configuration prometheus(Configuration conf, String port) {
    checkMetricsPort(port);
    Map<String, String> present = conf.toMap();
    String bind = present.getOrDefault("rest.bind-address", LOOPBACK);
    if (!present.containsKey(REPORTER_PREFIX + "factory.class")) {
      conf.setString(REPORTER_PREFIX + "factory.class", REPORTER_FACTORY);
    }
    if (!present.containsKey(REPORTER_PREFIX + "port")) {
      conf.setString(REPORTER_PREFIX + "port", port.strip());
    }
    if (!present.containsKey(REPORTER_PREFIX + "bind-address")) {
      conf.setString(REPORTER_PREFIX + "bind-address", bind);
    }
    return conf;
  }

  /**
   * The web UI and Prometheus URLs of a cluster configured by {@link #bind} (and {@link
   * #prometheus}).
   */
  public static Endpoints endpoints(Configuration conf) {
    Map<String, String> c = conf.toMap();
    String host = urlHost(c.getOrDefault("rest.address", LOOPBACK));
    String web =
        "http://"
            + host
            + ":"
            + c.getOrDefault("rest.bind-port", c.getOrDefault("rest.port", "8081"))
            + "/";
    String metrics = null;
    if (c.containsKey(REPORTER_PREFIX + "factory.class")) {
      String bind = c.getOrDefault(REPORTER_PREFIX + "bind-address", LOOPBACK);
      String metricsHost = urlHost(isWildcard(bind) ? advertisedFor(bind) : bind);
      metrics =
          "http://"
              + metricsHost
              + ":"
              + c.getOrDefault(REPORTER_PREFIX + "port", "9249")
              + "/metrics";
    }
    return new Endpoints(web, metrics);
  }

  /**
   * Logs where the embedded cluster's web UI and metrics are (the CLI shows {@code dev.igm} INFO
   * lines).
   */
  public static Endpoints announce(String command, Configuration conf) {
    Endpoints e = endpoints(conf);
    LOG.info("{}: Flink web UI {}", command, e.webUi());
    if (e.metrics() != null) {
      LOG.info("{}: Prometheus metrics {}", command, e.metrics());
    }
    return e;
  }

  /** Validates a {@code --metrics-port} value: a port (1-65535) or a range {@code from-to}. */
  public static String checkMetricsPort(String port) {
    if (port == null || !port.strip().matches("\\d{1,5}(-\\d{1,5})?")) {
      throw new IllegalArgumentException(
          "--metrics-port " + port + ": a port (e.g. 9249) or a range (e.g. 9249-9259)");
    }
    for (String p : port.strip().split("-")) {
      int n = Integer.parseInt(p);
      if (n < 1 || n > 65535) {
        throw new IllegalArgumentException("--metrics-port " + port + ": ports are 1-65535");
      }
    }
    return port.strip();
  }

  private static String urlHost(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  private static boolean isWildcard(String bind) {
    return bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("*");
  }

  /** The address a client uses for listeners bound to {@code bind}. */
  static String advertisedFor(String bind) {
    if (!isWildcard(bind)) {
      return bind;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return LOOPBACK;
    }
  }

  /**
   * Whether this thread runs inside Flink's program runner ({@code flink run}, the REST API's jar
   * run, application mode: {@code PackagedProgram} calls our {@code main}); there the execution
   * environment is the cluster's, not an embedded one.
   */
  public static boolean insideFlinkProgram() {
    return StackWalker.getInstance()
        .walk(
            frames ->
                frames.anyMatch(
                    f ->
                        f.getClassName()
                            .startsWith("org.apache.flink.client.program.PackagedProgram")));
  }

  /** Validates a {@code --bind-address} value: a literal address or a resolvable host name. */
  public static String checkBindAddress(String address) {
    if (address == null) {
      return null;
    }
    if (address.equals("*")) {
      return "0.0.0.0";
    }
    try {
      InetAddress.getByName(address);
      return address;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "--bind-address " + address + ": not an address or a known host name");
    }
  }
}
