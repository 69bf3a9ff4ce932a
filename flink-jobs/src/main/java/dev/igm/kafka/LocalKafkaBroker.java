package dev.igm.kafka;

import dev.igm.local.LocalScripts;
import dev.igm.local.LocalService;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local single-node Kafka broker (KRaft, combined broker + controller) on 127.0.0.1, run as a
 * separate JVM from the Maven-resolved jars in {@code deploy/target/kafka.classpath}.
 *
 * <p>It delegates to {@code deploy/local/kafka.sh start|stop}, so the broker settings ({@code
 * deploy/local/server.properties.template}), the log4j2 configuration and the launch command exist
 * once. A shutdown hook kills the broker if {@link #close()} was never called.
 *
 * <pre>{@code
 * try (LocalKafkaBroker kafka = LocalKafkaBroker.builder().port(0).build().start()) {
 *   kafka.createTopics("igm.samples");
 *   String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 *
 * <p>{@link Builder#saslSsl()} gives the client listener TLS with SASL/SCRAM-SHA-512 instead of
 * PLAINTEXT ({@code KAFKA_SECURITY=sasl_ssl}): the script makes the certificates and the users, and
 * {@link #clientProperties()} / {@link #clientPropertiesFile()} are what a client needs to connect.
 */
public final class LocalKafkaBroker extends LocalService {

  private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaBroker.class);

  /** The script every local broker goes through, relative to the repository root. */
  public static final String SCRIPT = "deploy/local/kafka.sh";

  private final String heapOpts;
  private final int nice;
  private final boolean saslSsl;

  private LocalKafkaBroker(Builder b) {
    super(b, "Kafka broker", SCRIPT, "KAFKA", true, b.port, b.controllerPort);
    this.heapOpts = b.heapOpts;
    this.nice = b.nice;
    this.saslSsl = b.saslSsl;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the broker and waits until it logs "Kafka Server started". With port 0, free ports are
   * picked (and picked again if another process took them before the broker bound them). After
   * {@link #stop()}, starts the same broker again: same ports, same data.
   *
   * @return this broker, running
   * @throws IOException when the broker does not start; the message holds the script's output and
   *     the tail of the broker log
   */
  public LocalKafkaBroker start() throws IOException {
    startService();
    return this;
  }

  /**
   * Stops the broker process but keeps its data folder and ports, so that {@link #start()} brings
   * the same broker back (same topics, offsets, consumer groups and transaction state): a broker
   * outage, as clients see one.
   */
  public synchronized void stop() throws IOException {
    long pid = pid();
    if (stopService()) {
      LOG.info(
          "Kafka broker pid {} on {} stopped (data {} kept)", pid, bootstrapServers(), dataDir());
    }
  }

  @Override
  protected void onStarted() throws IOException {
    long pid =
        LocalScripts.readPid(dataDir().resolve("kafka.pid"))
            .orElseThrow(() -> new IOException("no pid file kafka.pid in " + dataDir()));
    track(pid).orElseThrow(() -> new IOException("broker pid " + pid + " is gone"));
    LOG.info("Kafka broker pid {} listening on {} (data {})", pid, bootstrapServers(), dataDir());
  }

  @Override
  protected void addEnvironment(Map<String, String> env) {
    env.put("KAFKA_PORT", Integer.toString(port()));
    env.put("KAFKA_CONTROLLER_PORT", Integer.toString(controllerPort()));
    if (heapOpts != null) {
      env.put("KAFKA_HEAP_OPTS", heapOpts);
    }
    if (nice > 0) {
      env.put("KAFKA_NICE", Integer.toString(nice));
    }
    env.put("KAFKA_SECURITY", saslSsl ? "sasl_ssl" : "plaintext");
  }

  /** Whether the client listener takes SASL_SSL (SCRAM-SHA-512 over TLS) rather than PLAINTEXT. */
  public boolean saslSsl() {
    return saslSsl;
  }

  /**
   * The client settings of a {@link Builder#saslSsl()} broker ({@code security.protocol}, {@code
   * sasl.mechanism}, {@code sasl.jaas.config} with the client user's password, the truststore), as
   * the script wrote them to {@link #clientPropertiesFile()}; empty for a PLAINTEXT broker.
   */
  public Map<String, String> clientProperties() {
    if (!saslSsl) {
      return Map.of();
    }
    Properties p = new Properties();
    try (var in = java.nio.file.Files.newBufferedReader(clientPropertiesFile())) {
      p.load(in);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + clientPropertiesFile(), e);
    }
    Map<String, String> out = new java.util.TreeMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
    return out;
  }

  /**
   * {@code <data dir>/client.properties}: the file a client passes as {@code
   * --kafka-properties-file}.
   */
  public Path clientPropertiesFile() {
    return dataDir().resolve("client.properties");
  }

  /** {@code 127.0.0.1:<port>}. */
  public String bootstrapServers() {
    return HOST + ":" + port();
  }

  public int port() {
    return firstPort();
  }

  public int controllerPort() {
    return secondPort();
  }

  /** The broker JVM's process id, or -1 while it is not running. */
  public long pid() {
    List<ProcessHandle> p = processes();
    return p.isEmpty() ? -1 : p.get(0).pid();
  }

  public boolean isRunning() {
    List<ProcessHandle> p = processes();
    return !p.isEmpty() && p.get(0).isAlive();
  }

  /** Creates topics with one partition (replication factor 1); existing topics are fine. */
  public void createTopics(String... names) {
    createTopics(bootstrapServers(), clientProperties(), 1, names);
  }

  /**
   * Creates topics on any broker; topics that already exist are left as they are.
   *
   * @param partitions partitions per topic
   */
  public static void createTopics(String bootstrapServers, int partitions, String... names) {
    createTopics(bootstrapServers, Map.of(), partitions, names);
  }

  /**
   * As {@link #createTopics(String, int, String...)}, with client properties (security) for the
   * Admin client.
   */
  public static void createTopics(
      String bootstrapServers,
      Map<String, String> clientProperties,
      int partitions,
      String... names) {
    Properties p = new Properties();
    p.putAll(clientProperties);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
    try (Admin admin = Admin.create(p)) {
      List<NewTopic> topics = new ArrayList<>();
      for (String name : names) {
        topics.add(new NewTopic(name, partitions, (short) 1));
      }
      var result = admin.createTopics(topics, new CreateTopicsOptions().timeoutMs(60_000));
      for (var e : result.values().entrySet()) {
        try {
          e.getValue().get(90, TimeUnit.SECONDS);
        } catch (ExecutionException ex) {
          if (!(ex.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "creating topic " + e.getKey() + " failed", ex.getCause());
          }
        }
      }
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", ex);
    } catch (TimeoutException ex) {
      throw new IllegalStateException("timed out creating topics on " + bootstrapServers, ex);
    }
  }

  @Override
  public String toString() {
    return "LocalKafkaBroker{"
        + bootstrapServers()
        + ", pid "
        + pid()
        + ", data "
        + dataDir()
        + "}";
  }

  /**
   * The repository root: system property {@code igm.project.root}, else the nearest folder at or
   * above the working directory that contains {@code deploy/local/kafka.sh}.
   */
  public static Path locateProjectRoot() {
    return LocalScripts.locateProjectRoot(SCRIPT);
  }

  /** Builder; every setting is optional. */
  public static final class Builder extends LocalService.Builder<Builder> {
    private int port = 0;
    private int controllerPort = 0;
    private String heapOpts;
    private int nice;
    private boolean saslSsl;

    private Builder() {
      super(Duration.ofSeconds(90));
    }

    /** Client port; 0 (the default) picks a free one. */
    public Builder port(int port) {
      this.port = checkPort(port);
      return this;
    }

    /** KRaft controller port; 0 (the default) picks a free one. */
    public Builder controllerPort(int controllerPort) {
      this.controllerPort = checkPort(controllerPort);
      return this;
    }

    /** Broker JVM heap options (default: kafka.sh's {@code -Xms128m -Xmx512m}). */
    public Builder heapOpts(String heapOpts) {
      this.heapOpts = heapOpts;
      return this;
    }

    /**
     * Runs the broker at this niceness (0, the default, leaves it as it is; at most 19): on a
     * machine it shares with the job it feeds, it then takes the CPU the job leaves idle, as a
     * broker on machines of its own would.
     */
    public Builder nice(int nice) {
      if (nice < 0 || nice > 19) {
        throw new IllegalArgumentException(
            "nice must be 0..19 (raising priority needs privileges), got " + nice);
      }
      this.nice = nice;
      return this;
    }

    /**
     * SASL_SSL on the client listener: TLS (a private CA and a certificate for 127.0.0.1, made by
     * the script with keytool) and SASL/SCRAM-SHA-512 (users made when the storage is formatted).
     */
    public Builder saslSsl() {
      this.saslSsl = true;
      return this;
    }

    public LocalKafkaBroker build() {
      return new LocalKafkaBroker(this);
    }
  }
}
