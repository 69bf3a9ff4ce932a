package dev.igm.cluster;

import dev.igm.local.LocalScripts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Flink session cluster on 127.0.0.1 — one JobManager and N TaskManagers, each a separate JVM run from the
 * Maven-resolved Flink jars ({@code deploy/target/flink.classpath}) — driven through
 * {@code deploy/local/flink-cluster.sh}, so the configuration ({@code config.yaml}: RocksDB, incremental
 * checkpoints, restart strategy, memory) and the launch commands exist once. A shutdown hook kills the processes
 * if {@link #close()} was never called.
 *
 * <pre>{@code
 * try (LocalFlinkCluster flink = LocalFlinkCluster.builder().build().start()) {
 *   String jobId = flink.rest().submit(jar, "dev.igm.jobs.TrainingJob", args, 2);
 * }
 * }</pre>
 */
public final class LocalFlinkCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalFlinkCluster.class);

  /** The script every local cluster goes through, relative to the repository root. */
  public static final String SCRIPT = "deploy/local/flink-cluster.sh";

  public static final String HOST = "127.0.0.1";

  private static final int PORT_RETRIES = 3;

  private final Path projectRoot;
  private final Path requestedDataDir;
  private final int requestedRestPort;
  private final int requestedRpcPort;
  private final int taskManagers;
  private final int slots;
  private final String jmMemory;
  private final String tmMemory;
  private final Map<String, String> properties;
  private final Duration startTimeout;
  private final Duration stopTimeout;

  private Path dataDir;
  private boolean tempDataDir;
  private int restPort;
  private int rpcPort;
  private final List<ProcessHandle> started = new ArrayList<>();
  private Thread shutdownHook;
  private boolean running;
  private boolean closed;

  private LocalFlinkCluster(Builder b) {
    this.projectRoot = b.projectRoot != null ? b.projectRoot : locateProjectRoot();
    this.requestedDataDir = b.dataDir;
    this.requestedRestPort = b.restPort;
    this.requestedRpcPort = b.rpcPort;
    this.taskManagers = b.taskManagers;
    this.slots = b.slots;
    this.jmMemory = b.jmMemory;
    this.tmMemory = b.tmMemory;
    this.properties = new LinkedHashMap<>(b.properties);
    this.startTimeout = b.startTimeout;
    this.stopTimeout = b.stopTimeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the JobManager and the TaskManagers and waits until the REST endpoint lists all of them. With port 0,
   * free ports are picked (and picked again if another process took them first).
   *
   * @throws IOException when the cluster does not start; the message holds the script's output and log tails
   */
  public synchronized LocalFlinkCluster start() throws IOException {
    if (running) {
      throw new IllegalStateException("already started: " + restUrl());
    }
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (requestedDataDir != null) {
      dataDir = requestedDataDir.toAbsolutePath().normalize();
    } else {
      Path parent = projectRoot.resolve("var").resolve("tmp");
      Files.createDirectories(parent);
      dataDir = Files.createTempDirectory(parent, "flink-");
      tempDataDir = true;
    }
    boolean dynamicPorts = requestedRestPort == 0 || requestedRpcPort == 0;
    int attempts = dynamicPorts ? PORT_RETRIES : 1;
    String output = "";
    for (int attempt = 1; attempt <= attempts; attempt++) {
      restPort = requestedRestPort != 0 ? requestedRestPort : freePort();
      rpcPort = requestedRpcPort != 0 ? requestedRpcPort : freePort(restPort);
      LocalScripts.Result r = runScript("start", startTimeout.plusMinutes(5));
      output = r.output();
      if (r.exitCode() == 0) {
        running = true;
        recordProcesses();
        shutdownHook = new Thread(this::onJvmExit, "local-flink-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        LOG.info("Flink session cluster at {} (JobManager pid {}, TaskManager pids {}, data {})",
            restUrl(), jobManagerPid(), taskManagerPids().values(), dataDir);
        return this;
      }
      if (!(dynamicPorts && output.contains("already in use"))) {
        break;
      }
      LOG.warn("Port clash starting Flink (attempt {}/{}); retrying on other ports", attempt, attempts);
    }
    if (tempDataDir) {
      deleteRecursively(dataDir);
    }
    throw new IOException("Flink cluster did not start (" + SCRIPT + " start, data " + dataDir + "):\n" + output);
  }

  /** {@code http://127.0.0.1:<rest port>}. */
  public String restUrl() {
    return "http://" + HOST + ":" + restPort;
  }

  /** {@code 127.0.0.1:<rest port>}, the address {@code igm train --target remote --jobmanager} takes. */
  public String jobManagerAddress() {
    return HOST + ":" + restPort;
  }

  public int restPort() {
    return restPort;
  }

  public int rpcPort() {
    return rpcPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** {@code <data dir>/checkpoints}, the cluster's {@code execution.checkpointing.dir}. */
  public Path checkpointDir() {
    return dataDir.resolve("checkpoints");
  }

  public FlinkRestClient rest() {
    return new FlinkRestClient(restUrl());
  }

  public long jobManagerPid() throws IOException {
    return readPid(dataDir.resolve("jobmanager.pid")).orElse(-1L);
  }

  /** TaskManager number (1..n) to pid, for the TaskManagers whose pid files exist. */
  public Map<Integer, Long> taskManagerPids() throws IOException {
    Map<Integer, Long> pids = new LinkedHashMap<>();
    for (int i = 1; i <= taskManagers; i++) {
      Optional<Long> pid = readPid(dataDir.resolve("taskmanager-" + i + ".pid"));
      if (pid.isPresent()) {
        pids.put(i, pid.get());
      }
    }
    return pids;
  }

  /** The resource id TaskManager {@code i} registered with (as the REST API lists it). */
  public String taskManagerId(int i) throws IOException {
    return Files.readString(dataDir.resolve("taskmanager-" + i + ".id"), StandardCharsets.US_ASCII).trim();
  }

  /** The TaskManager number whose current resource id is {@code resourceId}, or -1. */
  public int taskManagerIndex(String resourceId) throws IOException {
    for (int i = 1; i <= taskManagers; i++) {
      if (Files.exists(dataDir.resolve("taskmanager-" + i + ".id")) && taskManagerId(i).equals(resourceId)) {
        return i;
      }
    }
    return -1;
  }

  /** SIGKILL ({@code kill -9}) to TaskManager {@code i}; waits until the process is gone. */
  public void killTaskManager(int i) throws IOException {
    long pid = readPid(dataDir.resolve("taskmanager-" + i + ".pid"))
        .orElseThrow(() -> new IOException("no pid file for TaskManager " + i));
    ProcessHandle h = ProcessHandle.of(pid).orElseThrow(() -> new IOException("TaskManager " + i + " (pid " + pid + ") is not running"));
    h.destroyForcibly(); // SIGKILL on Linux
    try {
      h.onExit().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("TaskManager " + i + " (pid " + pid + ") survived SIGKILL", e);
    }
    LOG.info("Killed TaskManager {} (pid {}) with SIGKILL", i, pid);
  }

  /** {@code flink-cluster.sh start} on the running cluster: starts the TaskManagers that are not running. */
  public synchronized void startMissingTaskManagers() throws IOException {
    LocalScripts.Result r = runScript("start", startTimeout.plusMinutes(5));
    if (r.exitCode() != 0) {
      throw new IOException(SCRIPT + " start (missing TaskManagers) failed:\n" + r.output());
    }
    recordProcesses();
  }

  /** {@code flink-cluster.sh status}: exit code and output. */
  public String status() throws IOException {
    return runScript("status", Duration.ofSeconds(30)).output();
  }

  /** Stops every process (SIGTERM, SIGKILL after the stop timeout), deletes a temporary data folder. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (running) {
      try {
        LocalScripts.Result r = runScript("stop", stopTimeout.plusSeconds(30));
        if (r.exitCode() != 0) {
          LOG.warn("{} stop exited with {}:\n{}", SCRIPT, r.exitCode(), r.output());
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("{} stop failed; killing the processes", SCRIPT, e);
      }
      killQuietly();
      running = false;
      if (shutdownHook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
          // the JVM is already shutting down; the hook does the same work
        }
      }
    }
    if (tempDataDir && dataDir != null) {
      deleteRecursively(dataDir);
    }
  }

  @Override
  public String toString() {
    return "LocalFlinkCluster{" + restUrl() + ", data " + dataDir + "}";
  }

  // ------------------------------------------------------------------ internals

  /** Remembers the handles of every process started so far (a handle carries the start time: no pid reuse). */
  private void recordProcesses() throws IOException {
    List<Long> pids = new ArrayList<>();
    pids.add(jobManagerPid());
    pids.addAll(taskManagerPids().values());
    synchronized (started) {
      for (long pid : pids) {
        if (pid > 0 && started.stream().noneMatch(h -> h.pid() == pid)) {
          ProcessHandle.of(pid).ifPresent(started::add);
        }
      }
    }
  }

  private void onJvmExit() {
    killQuietly();
    if (tempDataDir && dataDir != null) {
      deleteRecursively(dataDir);
    }
  }

  private void killQuietly() {
    List<ProcessHandle> handles;
    synchronized (started) {
      handles = new ArrayList<>(started);
    }
    for (ProcessHandle h : handles) {
      if (h.isAlive()) {
        h.destroyForcibly();
      }
    }
    for (ProcessHandle h : handles) {
      try {
        h.onExit().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // nothing more to do
      }
    }
  }

  private static Optional<Long> readPid(Path pidFile) throws IOException {
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    String text = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
    try {
      return Optional.of(Long.parseLong(text));
    } catch (NumberFormatException e) {
      throw new IOException("unreadable pid file " + pidFile + ": '" + text + "'", e);
    }
  }

  private LocalScripts.Result runScript(String command, Duration timeout) throws IOException {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("FLINK_DATA_DIR", dataDir.toString());
    env.put("FLINK_REST_PORT", Integer.toString(restPort));
    env.put("FLINK_RPC_PORT", Integer.toString(rpcPort));
    env.put("FLINK_TASKMANAGERS", Integer.toString(taskManagers));
    env.put("FLINK_SLOTS", Integer.toString(slots));
    env.put("FLINK_START_TIMEOUT", Long.toString(Math.max(1, startTimeout.toSeconds())));
    env.put("FLINK_STOP_TIMEOUT", Long.toString(Math.max(1, stopTimeout.toSeconds())));
    if (jmMemory != null) {
      env.put("FLINK_JM_MEMORY", jmMemory);
    }
    if (tmMemory != null) {
      env.put("FLINK_TM_MEMORY", tmMemory);
    }
    env.put("FLINK_PROPERTIES",
        properties.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("\n")));
    return LocalScripts.run(projectRoot, SCRIPT, command, env, timeout);
  }

  private static int freePort(int... avoid) throws IOException {
    return LocalScripts.freePort(HOST, avoid);
  }


  private static void deleteRecursively(Path dir) {
    LocalScripts.deleteRecursively(dir);
  }


  /**
   * The repository root: system property {@code igm.project.root}, else the nearest folder at or above the working
   * directory that contains {@code deploy/local/flink-cluster.sh}.
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
    throw new IllegalStateException("cannot find the project root: no " + SCRIPT + " at or above " + start
        + " (set -Digm.project.root=<repository root>)");
  }

  /** Builder; every setting is optional. */
  public static final class Builder {
    private Path projectRoot;
    private Path dataDir;
    private int restPort = 0;
    private int rpcPort = 0;
    private int taskManagers = 2;
    private int slots = 2;
    private String jmMemory;
    private String tmMemory;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private Duration startTimeout = Duration.ofSeconds(120);
    private Duration stopTimeout = Duration.ofSeconds(30);

    private Builder() {}

    /** Data folder (kept on close). Default: a fresh folder under {@code <root>/var/tmp}, deleted on close. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** REST port; 0 (the default) picks a free one. */
    public Builder restPort(int port) {
      this.restPort = checkPort(port);
      return this;
    }

    /** JobManager RPC port; 0 (the default) picks a free one. */
    public Builder rpcPort(int port) {
      this.rpcPort = checkPort(port);
      return this;
    }

    public Builder taskManagers(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("taskManagers < 1");
      }
      this.taskManagers = n;
      return this;
    }

    public Builder slotsPerTaskManager(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("slots < 1");
      }
      this.slots = n;
      return this;
    }

    /** {@code jobmanager.memory.process.size}, e.g. {@code 1024m}. */
    public Builder jobManagerMemory(String size) {
      this.jmMemory = size;
      return this;
    }

    /** {@code taskmanager.memory.process.size}, e.g. {@code 1536m}. */
    public Builder taskManagerMemory(String size) {
      this.tmMemory = size;
      return this;
    }

    /** A config.yaml entry on top of (or replacing) the script's defaults. */
    public Builder property(String key, String value) {
      this.properties.put(key, value);
      return this;
    }

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

    public LocalFlinkCluster build() {
      return new LocalFlinkCluster(this);
    }

    private static int checkPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      return port;
    }
  }
}
