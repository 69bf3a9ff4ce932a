package dev.igm.cluster;

import dev.igm.local.LocalScripts;
import dev.igm.local.LocalService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Flink session cluster on 127.0.0.1 — one JobManager and N TaskManagers, each a separate
 * JVM run from the Maven-resolved Flink jars ({@code deploy/target/flink.classpath}) — driven
 * through {@code deploy/local/flink-cluster.sh}, so the configuration ({@code config.yaml}:
 * RocksDB, incremental checkpoints, restart strategy, memory) and the launch commands exist once. A
 * shutdown hook kills the processes if {@link #close()} was never called.
 *
 * <pre>{@code
 * try (LocalFlinkCluster flink = LocalFlinkCluster.builder().build().start()) {
 *   String jobId = flink.rest().submit(jar, "dev.igm.jobs.TrainingJob", args, 2);
 * }
 * }</pre>
 */
public final class LocalFlinkCluster extends LocalService {

  private static final Logger LOG = LoggerFactory.getLogger(LocalFlinkCluster.class);

  /** The script every local cluster goes through, relative to the repository root. */
  public static final String SCRIPT = "deploy/local/flink-cluster.sh";

  private final int taskManagers;
  private final int slots;
  private final String jmMemory;
  private final String tmMemory;
  private final Map<String, String> properties;

  private LocalFlinkCluster(Builder b) {
    super(b, "Flink cluster", SCRIPT, "FLINK", false, b.restPort, b.rpcPort);
    this.taskManagers = b.taskManagers;
    this.slots = b.slots;
    this.jmMemory = b.jmMemory;
    this.tmMemory = b.tmMemory;
    this.properties = new LinkedHashMap<>(b.properties);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the JobManager and the TaskManagers and waits until the REST endpoint lists all of them.
   * With port 0, free ports are picked (and picked again if another process took them first).
   *
   * @throws IOException when the cluster does not start; the message holds the script's output and
   *     log tails
   */
  public LocalFlinkCluster start() throws IOException {
    startService();
    return this;
  }

  @Override
  protected void onStarted() throws IOException {
    recordProcesses();
    LOG.info(
        "Flink session cluster at {} (JobManager pid {}, TaskManager pids {}, data {})",
        restUrl(),
        jobManagerPid(),
        taskManagerPids().values(),
        dataDir());
  }

  /** {@code http://127.0.0.1:<rest port>}. */
  public String restUrl() {
    return "http://" + HOST + ":" + restPort();
  }

  /**
   * {@code 127.0.0.1:<rest port>}, the address {@code igm train --target remote --jobmanager}
   * takes.
   */
  public String jobManagerAddress() {
    return HOST + ":" + restPort();
  }

  public int restPort() {
    return firstPort();
  }

  public int rpcPort() {
    return secondPort();
  }

  /** {@code <data dir>/checkpoints}, the cluster's {@code execution.checkpointing.dir}. */
  public Path checkpointDir() {
    return dataDir().resolve("checkpoints");
  }

  public FlinkRestClient rest() {
    return new FlinkRestClient(restUrl());
  }

  public long jobManagerPid() throws IOException {
    return LocalScripts.readPid(dataDir().resolve("jobmanager.pid")).orElse(-1L);
  }

  /** TaskManager number (1..n) to pid, for the TaskManagers whose pid files exist. */
  public Map<Integer, Long> taskManagerPids() throws IOException {
    Map<Integer, Long> pids = new LinkedHashMap<>();
    for (int i = 1; i <= taskManagers; i++) {
      Optional<Long> pid = LocalScripts.readPid(dataDir().resolve("taskmanager-" + i + ".pid"));
      if (pid.isPresent()) {
        pids.put(i, pid.get());
      }
    }
    return pids;
  }

  /** The resource id TaskManager {@code i} registered with (as the REST API lists it). */
  public String taskManagerId(int i) throws IOException {
    return Files.readString(
            dataDir().resolve("taskmanager-" + i + ".id"), StandardCharsets.US_ASCII)
        .trim();
  }

  /** The TaskManager number whose current resource id is {@code resourceId}, or -1. */
  public int taskManagerIndex(String resourceId) throws IOException {
    for (int i = 1; i <= taskManagers; i++) {
      if (Files.exists(dataDir().resolve("taskmanager-" + i + ".id"))
          && taskManagerId(i).equals(resourceId)) {
        return i;
      }
    }
    return -1;
  }

  /** SIGKILL ({@code kill -9}) to TaskManager {@code i}; waits until the process is gone. */
  public void killTaskManager(int i) throws IOException {
    long pid =
        LocalScripts.readPid(dataDir().resolve("taskmanager-" + i + ".pid"))
            .orElseThrow(() -> new IOException("no pid file for TaskManager " + i));
    ProcessHandle h =
        ProcessHandle.of(pid)
            .orElseThrow(
                () -> new IOException("TaskManager " + i + " (pid " + pid + ") is not running"));
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

  /**
   * {@code flink-cluster.sh start} on the running cluster: starts the TaskManagers that are not
   * running.
   */
  public synchronized void startMissingTaskManagers() throws IOException {
    LocalScripts.Result r = runScript("start", startTimeout().plusMinutes(5));
    if (r.exitCode() != 0) {
      throw new IOException(SCRIPT + " start (missing TaskManagers) failed:\n" + r.output());
    }
    recordProcesses();
  }

  /** {@code flink-cluster.sh status}: exit code and output. */
  public String status() throws IOException {
    return runScript("status", Duration.ofSeconds(30)).output();
  }

  @Override
  public String toString() {
    return "LocalFlinkCluster{" + restUrl() + ", data " + dataDir() + "}";
  }

  // ------------------------------------------------------------------ internals

  /** Remembers the handles of every process started so far. */
  private void recordProcesses() throws IOException {
    track(jobManagerPid());
    for (long pid : taskManagerPids().values()) {
      track(pid);
    }
  }

  @Override
  protected void addEnvironment(Map<String, String> env) {
    env.put("FLINK_REST_PORT", Integer.toString(restPort()));
    env.put("FLINK_RPC_PORT", Integer.toString(rpcPort()));
    env.put("FLINK_TASKMANAGERS", Integer.toString(taskManagers));
    env.put("FLINK_SLOTS", Integer.toString(slots));
    if (jmMemory != null) {
      env.put("FLINK_JM_MEMORY", jmMemory);
    }
    if (tmMemory != null) {
      env.put("FLINK_TM_MEMORY", tmMemory);
    }
    env.put(
        "FLINK_PROPERTIES",
        properties.entrySet().stream()
            .map(e -> e.getKey() + ": " + e.getValue())
            .collect(Collectors.joining("\n")));
  }

  /**
   * The repository root: system property {@code igm.project.root}, else the nearest folder at or
   * above the working directory that contains {@code deploy/local/flink-cluster.sh}.
   */
  public static Path locateProjectRoot() {
    return LocalScripts.locateProjectRoot(SCRIPT);
  }

  /** Builder; every setting is optional. */
  public static final class Builder extends LocalService.Builder<Builder> {
    private int restPort = 0;
    private int rpcPort = 0;
    private int taskManagers = 2;
    private int slots = 2;
    private String jmMemory;
    private String tmMemory;
    private final Map<String, String> properties = new LinkedHashMap<>();

    private Builder() {
      super(Duration.ofSeconds(120));
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

    public LocalFlinkCluster build() {
      return new LocalFlinkCluster(this);
    }
  }
}
