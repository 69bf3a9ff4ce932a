package dev.igm.local;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/**
 * Where the listeners of an embedded Flink cluster (the MiniCluster behind {@code igm train}, {@code igm serve},
 * {@code igm demo} and the benches) bind: loopback unless the user asks otherwise.
 *
 * <p>Flink's defaults bind the REST endpoint and the blob server to every interface. The REST API accepts jar uploads
 * and job submissions without authentication, so on a shared machine anyone who can reach the port could run code in
 * this process. Every address key is therefore set to {@link #LOOPBACK} unless the configuration names it already;
 * {@code --bind-address} (or the Flink keys themselves) is the explicit way to expose the cluster.
 */
public final class EmbeddedFlink {
  /** The address an embedded cluster binds to by default. */
  public static final String LOOPBACK = LocalService.HOST;

  /** The Flink keys that choose an interface to listen on. */
  static final List<String> BIND_KEYS = List.of("rest.bind-address", "jobmanager.bind-host", "taskmanager.bind-host");

  /** The Flink keys that name the address the listeners are reached at (advertised to clients and peers). */
  static final List<String> ADVERTISED_KEYS = List.of("rest.address", "jobmanager.rpc.address", "taskmanager.host");

  private EmbeddedFlink() {}

  /**
   * Sets the embedded cluster's address keys that {@code conf} leaves open: listeners bind to {@code bindAddress}
   * ({@code null}: loopback) and advertise it, or this host's name when it is a wildcard address.
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
    return conf;
  }

  /** The address a client uses for listeners bound to {@code bind}. */
  static String advertisedFor(String bind) {
    if (!bind.equals("0.0.0.0") && !bind.equals("::") && !bind.equals("*")) {
      return bind;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return LOOPBACK;
    }
  }

  /**
   * Whether this thread runs inside Flink's program runner ({@code flink run}, the REST API's jar run, application
   * mode: {@code PackagedProgram} calls our {@code main}); there the execution environment is the cluster's, not an
   * embedded one.
   */
  public static boolean insideFlinkProgram() {
    return StackWalker.getInstance().walk(frames ->
        frames.anyMatch(f -> f.getClassName().startsWith("org.apache.flink.client.program.PackagedProgram")));
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
      throw new IllegalArgumentException("--bind-address " + address + ": not an address or a known host name");
    }
  }
}
