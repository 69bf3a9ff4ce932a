package dev.igm.local;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the local services ({@code deploy/local/kafka.sh}, {@code deploy/local/flink-cluster.sh})
 * share when driven from Java: finding the repository root, running a script command with its
 * settings in the environment, pid files, free loopback ports, scratch clean-up. The lifecycle
 * built on them is {@link LocalService}.
 */
public final class LocalScripts {
  private static final Logger LOG = LoggerFactory.getLogger(LocalScripts.class);

  private LocalScripts() {}

  /** A finished script command: exit code and its combined stdout/stderr. */
  public record Result(int exitCode, String output) {}

  /**
   * Runs {@code bash <root>/<script> <command>} in {@code root} with {@code env} added to the
   * environment (and {@code JAVA} set to this JVM's java), waiting at most {@code timeout}.
   */
  public static Result run(
      Path root, String script, String command, Map<String, String> env, Duration timeout)
      throws IOException {
    return run(root, script, command, env, timeout, p -> {});
  }

  /**
   * {@link #run}, handing the script's process to {@code started} as soon as it runs (to stop it on
   * a signal).
   */
  public static Result run(
      Path root,
      String script,
      String command,
      Map<String, String> env,
      Duration timeout,
      Consumer<Process> started)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder("bash", root.resolve(script).toString(), command);
    pb.directory(root.toFile());
    pb.redirectErrorStream(true);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment()
        .put("JAVA", Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    started.accept(p);
    // The services' own output goes to files in their data dirs, so this stream ends with the
    // script.
    StringBuilder out = new StringBuilder();
    Thread reader =
        new Thread(
            () -> {
              try (InputStream in = p.getInputStream()) {
                String s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                synchronized (out) {
                  out.append(s);
                }
              } catch (IOException e) {
                // process gone
              }
            },
            script + "-" + command);
    reader.setDaemon(true);
    reader.start();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(script + " " + command + " did not finish within " + timeout);
      }
      reader.join(10_000);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + script + " " + command, e);
    }
    String text;
    synchronized (out) {
      text = out.toString();
    }
    LOG.debug("{} {} -> {}:\n{}", script, command, p.exitValue(), text);
    return new Result(p.exitValue(), text);
  }

  /** A free TCP port on {@code host}, different from {@code avoid}. */
  public static int freePort(String host, int... avoid) throws IOException {
    for (int i = 0; i < 20; i++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
        s.setReuseAddress(true);
        int candidate = s.getLocalPort();
        boolean clash = false;
        for (int a : avoid) {
          clash |= a == candidate;
        }
        if (!clash) {
          return candidate;
        }
      }
    }
    throw new IOException("no free port on " + host);
  }

  /**
   * The repository root: system property {@code igm.project.root}, else the nearest folder at or
   * above the working directory that contains {@code script} (a path relative to the root).
   */
  public static Path locateProjectRoot(String script) {
    String prop = System.getProperty("igm.project.root");
    if (prop != null && !prop.isBlank()) {
      Path root = Paths.get(prop).toAbsolutePath().normalize();
      if (!Files.isRegularFile(root.resolve(script))) {
        throw new IllegalStateException("igm.project.root=" + root + " has no " + script);
      }
      return root;
    }
    Path start = Paths.get("").toAbsolutePath().normalize();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(script))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "cannot find the project root: no "
            + script
            + " at or above "
            + start
            + " (set -Digm.project.root=<repository root>)");
  }

  /** The process id in a pid file the scripts write, empty when there is no such file. */
  public static Optional<Long> readPid(Path pidFile) throws IOException {
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

  /**
   * Kills {@code p} and every process it started (a script and the service it launched), children
   * first.
   */
  public static void killTree(ProcessHandle p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  /** How long a folder must stay gone for {@link #deleteForGood}, and how long it tries at most. */
  private static final long SETTLE_NANOS = 300_000_000L;

  private static final long SETTLE_LIMIT_NANOS = 3_000_000_000L;

  /**
   * Deletes a folder that threads still running may bring back, as at a signal: the command's own
   * thread writing its report, or a Flink cluster still shutting down that recreates its folders.
   * It is deleted again until it has stayed gone for 300 ms (3 s at most).
   */
  public static void deleteForGood(Path dir) {
    deleteRecursively(dir);
    long start = System.nanoTime();
    long gone = start;
    while (System.nanoTime() - gone < SETTLE_NANOS
        && System.nanoTime() - start < SETTLE_LIMIT_NANOS) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        deleteRecursively(dir);
        gone = System.nanoTime();
      }
    }
  }

  /**
   * Deletes a scratch folder; a failure is logged, not thrown (clean-up must not hide the real
   * outcome). A folder that something still writes into while it goes (a job being cancelled) is
   * retried a few times.
   */
  public static void deleteRecursively(Path dir) {
    for (int attempt = 1; Files.exists(dir, LinkOption.NOFOLLOW_LINKS); attempt++) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder())
            .forEach(
                p -> {
                  try {
                    Files.deleteIfExists(p);
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                });
      } catch (IOException | UncheckedIOException e) {
        if (attempt >= 5) {
          LOG.warn("Could not delete {}", dir, e);
          return;
        }
        try {
          Thread.sleep(200L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
