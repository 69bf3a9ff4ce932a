package dev.igm.kafka;

import dev.igm.local.LocalScripts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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
 * <p>It delegates to {@code deploy/local/kafka.sh start|stop}, so the broker settings
 * ({@code deploy/local/server.properties.template}), the log4j2 configuration and the launch
 * command exist once. A shutdown hook kills the broker if {@link #close()} was never called.
 *
 * <pre>{@code
 * try (LocalKafkaBroker kafka = LocalKafkaBroker.builder().port(0).build().start()) {
 *   kafka.createTopics("igm.samples");
 *   String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 */
public final class LocalKafkaBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaBroker.class);

  /** The script every local broker goes through, relative to the repository root. */
  public static final String SCRIPT = "deploy/local/kafka.sh";

  public static final String HOST = "127.0.0.1";

  private static final int PORT_RETRIES = 3;

  private final Path projectRoot;
  private final Path requestedDataDir;
  private final int requestedPort;
  private final int requestedControllerPort;
  private final Duration startTimeout;
  private final Duration stopTimeout;
  private final String heapOpts;

  private Path dataDir;
  private boolean tempDataDir;
  private int port;
  private int controllerPort;
  private long pid = -1;
  private ProcessHandle process;
  private Thread shutdownHook;
  private boolean closed;

  private LocalKafkaBroker(Builder b) {
    this.projectRoot = b.projectRoot != null ? b.projectRoot : locateProjectRoot();
    this.requestedDataDir = b.dataDir;
    this.requestedPort = b.port;
    this.requestedControllerPort = b.controllerPort;
    this.startTimeout = b.startTimeout;
    this.stopTimeout = b.stopTimeout;
    this.heapOpts = b.heapOpts;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the broker and waits until it logs "Kafka Server started". With port 0, free ports are
   * picked (and picked again if another process took them before the broker bound them). After {@link #stop()}, starts
   * the same broker again: same ports, same data.
   *
   * @return this broker, running
   * @throws IOException when the broker does not start; the message holds the script's output
   *     and the tail of the broker log
   */
  public synchronized LocalKafkaBroker start() throws IOException {
    if (pid > 0) {
      throw new IllegalStateException("already running: " + bootstrapServers());
    }
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (dataDir != null) {
      return restart();
    }
    if (requestedDataDir != null) {
      dataDir = requestedDataDir.toAbsolutePath().normalize();
    } else {
      Path parent = projectRoot.resolve("var").resolve("tmp");
      Files.createDirectories(parent);
      dataDir = Files.createTempDirectory(parent, "kafka-");
      tempDataDir = true;
    }
    boolean dynamicPorts = requestedPort == 0 || requestedControllerPort == 0;
    int attempts = dynamicPorts ? PORT_RETRIES : 1;
    String output = "";
    for (int attempt = 1; attempt <= attempts; attempt++) {
      port = requestedPort != 0 ? requestedPort : freePort();
      controllerPort = requestedControllerPort != 0 ? requestedControllerPort : freePort(port);
      LocalScripts.Result r = runScript("start", startTimeout.plusMinutes(5));
      output = r.output();
      if (r.exitCode() == 0) {
        return started();
      }
      boolean portClash = output.contains("already in use");
      if (!(dynamicPorts && portClash)) {
        break;
      }
      LOG.warn("Port clash starting Kafka (attempt {}/{}); retrying on other ports", attempt, attempts);
    }
    if (tempDataDir) {
      deleteRecursively(dataDir);
    }
    throw new IOException("Kafka broker did not start (" + SCRIPT + " start, data " + dataDir + "):\n" + output);
  }

  /**
   * Stops the broker process but keeps its data folder and ports, so that {@link #start()} brings the same broker
   * back (same topics, offsets, consumer groups and transaction state): a broker outage, as clients see one.
   */
  public synchronized void stop() throws IOException {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (pid <= 0) {
      return;
    }
    LocalScripts.Result r = runScript("stop", stopTimeout.plusSeconds(30));
    if (r.exitCode() != 0) {
      LOG.warn("{} stop exited with {}:\n{}", SCRIPT, r.exitCode(), r.output());
    }
    killQuietly();
    removeShutdownHook();
    LOG.info("Kafka broker pid {} on {} stopped (data {} kept)", pid, bootstrapServers(), dataDir);
    pid = -1;
    process = null;
  }

  /** Starts a stopped broker again on its ports with its data. */
  private LocalKafkaBroker restart() throws IOException {
    LocalScripts.Result r = runScript("start", startTimeout.plusMinutes(5));
    if (r.exitCode() != 0) {
      throw new IOException("Kafka broker did not restart (" + SCRIPT + " start, data " + dataDir + "):\n" + r.output());
    }
    return started();
  }

  private LocalKafkaBroker started() throws IOException {
    pid = readPid();
    process = ProcessHandle.of(pid).orElseThrow(() -> new IOException("broker pid " + pid + " is gone"));
    shutdownHook = new Thread(this::onJvmExit, "local-kafka-broker-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    LOG.info("Kafka broker pid {} listening on {} (data {})", pid, bootstrapServers(), dataDir);
    return this;
  }

  private void removeShutdownHook() {
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already shutting down; the hook does the same work
      }
      shutdownHook = null;
    }
  }

  /** {@code 127.0.0.1:<port>}. */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  public int port() {
    return port;
  }

  public int controllerPort() {
    return controllerPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path projectRoot() {
    return projectRoot;
  }

  /** The broker JVM's process id, or -1 before {@link #start()}. */
  public long pid() {
    return pid;
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Creates topics with one partition (replication factor 1); existing topics are fine. */
  public void createTopics(String... names) {
    createTopics(bootstrapServers(), 1, names);
  }

  /**
   * Creates topics on any broker; topics that already exist are left as they are.
   *
   * @param partitions partitions per topic
   */
  public static void createTopics(String bootstrapServers, int partitions, String... names) {
    Properties p = new Properties();
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
            throw new IllegalStateException("creating topic " + e.getKey() + " failed", ex.getCause());
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

  /**
   * Stops the broker ({@code kafka.sh stop}: SIGTERM, wait, SIGKILL after the stop timeout), waits
   * for the process to exit and deletes the data folder if this broker created it. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (pid > 0) {
      try {
        LocalScripts.Result r = runScript("stop", stopTimeout.plusSeconds(30));
        if (r.exitCode() != 0) {
          LOG.warn("{} stop exited with {}:\n{}", SCRIPT, r.exitCode(), r.output());
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("{} stop failed; killing pid {}", SCRIPT, pid, e);
      }
      killQuietly();
      removeShutdownHook();
    }
    if (tempDataDir && dataDir != null) {
      deleteRecursively(dataDir);
    }
  }

  @Override
  public String toString() {
    return "LocalKafkaBroker{" + bootstrapServers() + ", pid " + pid + ", data " + dataDir + "}";
  }

  // ------------------------------------------------------------------ internals

  /** The shutdown-hook safety net: kill the broker, drop a temporary data folder. */
  private void onJvmExit() {
    killQuietly();
    if (tempDataDir && dataDir != null) {
      deleteRecursively(dataDir);
    }
  }

  /** Kills the broker process if it is still alive. */
  private void killQuietly() {
    if (pid <= 0) {
      return;
    }
    // The handle taken at start carries the process start time, so a recycled pid is never killed.
    ProcessHandle h = process;
    if (h == null || !h.isAlive()) {
      return;
    }
    h.destroy();
    try {
      h.onExit().get(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // fall through to SIGKILL
    }
    if (h.isAlive()) {
      h.destroyForcibly();
      try {
        h.onExit().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // nothing more to do
      }
    }
  }

  private long readPid() throws IOException {
    Path pidFile = dataDir.resolve("kafka.pid");
    String text = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IOException("unreadable pid file " + pidFile + ": '" + text + "'", e);
    }
  }

  private LocalScripts.Result runScript(String command, Duration timeout) throws IOException {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("KAFKA_DATA_DIR", dataDir.toString());
    env.put("KAFKA_PORT", Integer.toString(port));
    env.put("KAFKA_CONTROLLER_PORT", Integer.toString(controllerPort));
    env.put("KAFKA_START_TIMEOUT", Long.toString(Math.max(1, startTimeout.toSeconds())));
    env.put("KAFKA_STOP_TIMEOUT", Long.toString(Math.max(1, stopTimeout.toSeconds())));
    if (heapOpts != null) {
      env.put("KAFKA_HEAP_OPTS", heapOpts);
    }
    return LocalScripts.run(projectRoot, SCRIPT, command, env, timeout);
  }

  private static int freePort(int... avoid) throws IOException {
    return LocalScripts.freePort(HOST, avoid);
  }


  private static void deleteRecursively(Path dir) {
    LocalScripts.deleteRecursively(dir);
  }


  /**
   * The repository root: system property {@code igm.project.root}, else the nearest folder at or
   * above the working directory that contains {@code deploy/local/kafka.sh}.
   */
  public static Path locateProjectRoot() {
    String prop = System.getProperty("igm.project.root");
    if (prop != null && !prop.isBlank()) {
      Path root = Paths.get(prop).toAbsolutePath().normalize();
      if (!Files.isRegularFile(root.resolve(SCRIPT))) {
        throw new IllegalStateException("igm.project.root=" + root + " has no " + SCRIPT);
      }
      return root;
    }
    Path start = Paths.get("").toAbsolutePath().normalize();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(SCRIPT))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "cannot find the project root: no " + SCRIPT + " at or above " + start
            + " (set -Digm.project.root=<repository root>)");
  }

  /** Builder; every setting is optional. */
  public static final class Builder {
    private Path projectRoot;
    private Path dataDir;
    private int port = 0;
    private int controllerPort = 0;
    private Duration startTimeout = Duration.ofSeconds(90);
    private Duration stopTimeout = Duration.ofSeconds(30);
    private String heapOpts;

    private Builder() {}

    /** Data folder (kept on close). Default: a fresh folder under {@code <root>/var/tmp}, deleted on close. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
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

    /** Repository root holding {@code deploy/local/kafka.sh}; default {@link #locateProjectRoot()}. */
    public Builder projectRoot(Path projectRoot) {
      this.projectRoot = projectRoot.toAbsolutePath().normalize();
      return this;
    }

    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    public Builder stopTimeout(Duration stopTimeout) {
      this.stopTimeout = stopTimeout;
      return this;
    }

    /** Broker JVM heap options (default: kafka.sh's {@code -Xms128m -Xmx512m}). */
    public Builder heapOpts(String heapOpts) {
      this.heapOpts = heapOpts;
      return this;
    }

    public LocalKafkaBroker build() {
      return new LocalKafkaBroker(this);
    }

    private static int checkPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      return port;
    }
  }
}
