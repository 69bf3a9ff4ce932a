package dev.igm.local;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle a local service driven by a {@code deploy/local} script shares ({@code kafka.sh}
 * for {@code dev.igm.kafka.LocalKafkaBroker}, {@code flink-cluster.sh} for {@code
 * dev.igm.cluster.LocalFlinkCluster}): a data folder (given, or a temporary one under {@code
 * <root>/var/tmp} deleted on close), two loopback ports (given, or free ones, picked again on a
 * port clash), {@code <script> start|stop} with the settings in the environment, the processes
 * started, and a shutdown hook that kills them if {@link #close()} was never called.
 *
 * <p>A subclass names its script and environment prefix, adds its own environment ({@link
 * #addEnvironment}) and records its processes once the script has started them ({@link #onStarted},
 * {@link #track}).
 */
public abstract class LocalService implements AutoCloseable {

  /** The loopback address every local service listens on. */
  public static final String HOST = "127.0.0.1";

  private static final int PORT_RETRIES = 3;

  private final Logger log = LoggerFactory.getLogger(getClass());
  private final String name;
  private final String script;
  private final String envPrefix;
  private final boolean gracefulKill;
  private final Path projectRoot;
  private final Path requestedDataDir;
  private final int requestedFirstPort;
  private final int requestedSecondPort;
  private final Duration startTimeout;
  private final Duration stopTimeout;

  private Path dataDir;
  private boolean tempDataDir;
  private int firstPort;
  private int secondPort;
  private final List<ProcessHandle> processes = new ArrayList<>();
  private ShutdownActions.Registration onShutdown;

  /**
   * The {@code <script> start} process while it runs (it launches the service): killed with its
   * children on a signal.
   */
  private volatile Process startingScript;

  private boolean running;
  private boolean closed;

  /**
   * @param name what the service is called in messages, e.g. "Kafka broker"
   * @param script the script, relative to the repository root
   * @param envPrefix the prefix of the script's settings, e.g. "KAFKA" for {@code KAFKA_DATA_DIR};
   *     lower-cased, it also starts the name of a temporary data folder
   * @param gracefulKill when killing left-over processes: SIGTERM and up to the stop timeout before
   *     SIGKILL (true), or SIGKILL straight away (false)
   * @param firstPort the first port as asked for, 0 for a free one
   * @param secondPort the second port as asked for, 0 for a free one (never the same as the first)
   */
  protected LocalService(
      Builder<?> b,
      String name,
      String script,
      String envPrefix,
      boolean gracefulKill,
      int firstPort,
      int secondPort) {
    this.name = name;
    this.script = script;
    this.envPrefix = envPrefix;
    this.gracefulKill = gracefulKill;
    this.projectRoot =
        b.projectRoot != null ? b.projectRoot : LocalScripts.locateProjectRoot(script);
    this.requestedDataDir = b.dataDir;
    this.requestedFirstPort = firstPort;
    this.requestedSecondPort = secondPort;
    this.startTimeout = b.startTimeout;
    this.stopTimeout = b.stopTimeout;
  }

  /**
   * The service's settings for its script, besides {@code <PREFIX>_DATA_DIR} and the start/stop
   * timeouts.
   */
  protected abstract void addEnvironment(Map<String, String> env);

  /**
   * Called once {@code <script> start} succeeded: records the processes ({@link #track}) and says
   * so.
   */
  protected abstract void onStarted() throws IOException;

  public Path dataDir() {
    return dataDir;
  }

  public Path projectRoot() {
    return projectRoot;
  }

  protected final int firstPort() {
    return firstPort;
  }

  protected final int secondPort() {
    return secondPort;
  }

  protected final Duration startTimeout() {
    return startTimeout;
  }

  /**
   * Runs {@code <script> start}: with a fresh data folder and ports the first time (picking other
   * free ports after a port clash), on the same data folder and ports after {@link #stopService()}.
   *
   * @throws IOException when the service does not start; the message holds the script's output
   */
  protected final synchronized void startService() throws IOException {
    if (running) {
      throw new IllegalStateException("already running: " + this);
    }
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (onShutdown == null) {
      // before the script runs: a signal during start-up must not leave the half-started service
      // behind
      onShutdown = ShutdownActions.register("stop the " + name, this::onJvmExit);
    }
    if (dataDir != null) {
      LocalScripts.Result r = runStart();
      if (r.exitCode() != 0) {
        throw new IOException(
            name + " did not restart (" + script + " start, data " + dataDir + "):\n" + r.output());
      }
      started();
      return;
    }
    if (requestedDataDir != null) {
      dataDir = requestedDataDir.toAbsolutePath().normalize();
    } else {
      Path parent = projectRoot.resolve("var").resolve("tmp");
      sweepStaleDataDirs(parent);
      dataDir = OwnedDirectories.create(parent, tempPrefix());
      tempDataDir = true;
    }
    boolean dynamicPorts = requestedFirstPort == 0 || requestedSecondPort == 0;
    int attempts = dynamicPorts ? PORT_RETRIES : 1;
    String output = "";
    for (int attempt = 1; attempt <= attempts; attempt++) {
      firstPort = requestedFirstPort != 0 ? requestedFirstPort : LocalScripts.freePort(HOST);
      secondPort =
          requestedSecondPort != 0 ? requestedSecondPort : LocalScripts.freePort(HOST, firstPort);
      LocalScripts.Result r = runStart();
      output = r.output();
      if (r.exitCode() == 0) {
        started();
        return;
      }
      if (!(dynamicPorts && output.contains("already in use"))) {
        break;
      }
      log.warn(
          "Port clash starting the {} (attempt {}/{}); retrying on other ports",
          name,
          attempt,
          attempts);
    }
    String message =
        name + " did not start (" + script + " start, data " + dataDir + "):\n" + output;
    deleteTempDataDir();
    dataDir = null; // a later start begins afresh
    tempDataDir = false;
    throw new IOException(message);
  }

  private LocalScripts.Result runStart() throws IOException {
    try {
      return runScript("start", startTimeout.plusMinutes(5), p -> startingScript = p);
    } finally {
      startingScript = null;
    }
  }

  private void started() throws IOException {
    running = true;
    onStarted();
  }

  /** {@code <envprefix>-<owner pid>-}: the temporary data folders of this kind of service. */
  private String tempPrefix() {
    return envPrefix.toLowerCase(Locale.ROOT) + "-";
  }

  /**
   * Temporary data folders of services whose owner was killed outright (no shutdown hook ran): the
   * service may still run there, orphaned. {@code <script> stop} on the folder stops it (the script
   * checks that the recorded process is its service), then the folder goes.
   */
  private void sweepStaleDataDirs(Path parent) throws IOException {
    for (Path stale : OwnedDirectories.stale(parent, tempPrefix())) {
      log.info("Stopping what runs in {} and removing it (left by a run that was killed)", stale);
      Path own = dataDir;
      dataDir = stale;
      try {
        runScript("stop", stopTimeout.plusSeconds(30));
      } catch (IOException e) {
        log.warn("{} stop in {} failed", script, stale, e);
      } finally {
        dataDir = own;
      }
      LocalScripts.deleteRecursively(stale);
    }
  }

  /**
   * Remembers the process {@code pid} (a handle carries the start time, so a recycled pid is never
   * killed).
   *
   * @return its handle, empty when no such process runs (or {@code pid} is not positive)
   */
  protected final Optional<ProcessHandle> track(long pid) {
    if (pid <= 0) {
      return Optional.empty();
    }
    synchronized (processes) {
      for (ProcessHandle h : processes) {
        if (h.pid() == pid) {
          return Optional.of(h);
        }
      }
      Optional<ProcessHandle> h = ProcessHandle.of(pid);
      h.ifPresent(processes::add);
      return h;
    }
  }

  /** The processes recorded since the last start, in the order {@link #track} saw them. */
  protected final List<ProcessHandle> processes() {
    synchronized (processes) {
      return new ArrayList<>(processes);
    }
  }

  /**
   * Stops the processes ({@code <script> stop}, then a kill of whatever survived) but keeps the
   * data folder and the ports, so that {@link #startService()} brings the same service back.
   *
   * @return false when the service was not running
   */
  protected final synchronized boolean stopService() throws IOException {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (!running) {
      return false;
    }
    stopProcesses();
    return true;
  }

  private void stopProcesses() throws IOException {
    try {
      LocalScripts.Result r = runScript("stop", stopTimeout.plusSeconds(30));
      if (r.exitCode() != 0) {
        log.warn("{} stop exited with {}:\n{}", script, r.exitCode(), r.output());
      }
    } finally {
      killQuietly();
      running = false;
      synchronized (processes) {
        processes.clear();
      }
    }
  }

  /**
   * Stops every process ({@code <script> stop}: SIGTERM, SIGKILL after the stop timeout), waits for
   * them to exit and deletes the data folder if this service created it. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (running) {
      try {
        stopProcesses();
      } catch (IOException | RuntimeException e) {
        log.warn("{} stop failed; killed the processes", script, e);
      }
    }
    deleteTempDataDir();
    if (onShutdown != null) {
      onShutdown.close();
      onShutdown = null;
    }
  }

  /** Runs {@code <script> <command>} with the service's settings in the environment. */
  protected final LocalScripts.Result runScript(String command, Duration timeout)
      throws IOException {
    return runScript(command, timeout, p -> {});
  }

  private LocalScripts.Result runScript(String command, Duration timeout, Consumer<Process> started)
      throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(envPrefix + "_DATA_DIR", dataDir.toString());
    env.put(envPrefix + "_START_TIMEOUT", Long.toString(Math.max(1, startTimeout.toSeconds())));
    env.put(envPrefix + "_STOP_TIMEOUT", Long.toString(Math.max(1, stopTimeout.toSeconds())));
    addEnvironment(env);
    return LocalScripts.run(projectRoot, script, command, env, timeout, started);
  }

  /**
   * The JVM is ending with the service still up (Ctrl-C, SIGTERM): kill a start-up in progress with
   * what it launched, the recorded processes, and whatever the data folder's pid file still names;
   * drop a temporary data folder.
   */
  private void onJvmExit() {
    Process starting = startingScript;
    if (starting != null) {
      LocalScripts.killTree(starting.toHandle());
    }
    killQuietly();
    if (dataDir != null && (starting != null || !running)) {
      try {
        runScript("stop", stopTimeout.plusSeconds(30)); // a service launched but not yet recorded
      } catch (IOException | RuntimeException e) {
        log.warn("{} stop at exit failed", script, e);
      }
    }
    deleteTempDataDir();
  }

  private void deleteTempDataDir() {
    if (tempDataDir && dataDir != null) {
      LocalScripts.deleteRecursively(dataDir);
    }
  }

  /** Kills the recorded processes that are still alive and waits for them to exit. */
  private void killQuietly() {
    List<ProcessHandle> handles = processes();
    if (gracefulKill) {
      handles.forEach(ProcessHandle::destroy);
      for (ProcessHandle h : handles) {
        await(h, stopTimeout);
      }
    }
    for (ProcessHandle h : handles) {
      if (h.isAlive()) {
        h.destroyForcibly();
      }
    }
    for (ProcessHandle h : handles) {
      await(h, Duration.ofSeconds(10));
    }
  }

  private static void await(ProcessHandle h, Duration timeout) {
    try {
      h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // the caller goes on (to SIGKILL, or gives up)
    }
  }

  /** The settings every local service has; every one is optional. */
  public abstract static class Builder<B extends Builder<B>> {
    private Path projectRoot;
    private Path dataDir;
    private Duration startTimeout;
    private Duration stopTimeout = Duration.ofSeconds(30);

    protected Builder(Duration startTimeout) {
      this.startTimeout = startTimeout;
    }

    @SuppressWarnings("unchecked")
    private B self() {
      return (B) this;
    }

    /**
     * Data folder (kept on close). Default: a fresh folder under {@code <root>/var/tmp}, deleted on
     * close.
     */
    public B dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return self();
    }

    /**
     * Repository root holding the service's script; default: the subclass's {@code
     * locateProjectRoot()}.
     */
    public B projectRoot(Path projectRoot) {
      this.projectRoot = projectRoot.toAbsolutePath().normalize();
      return self();
    }

    public B startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return self();
    }

    public B stopTimeout(Duration stopTimeout) {
      this.stopTimeout = stopTimeout;
      return self();
    }

    protected static int checkPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      return port;
    }
  }
}
