package dev.igm.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Temporary folders named after the process that owns them, {@code <prefix><pid>-<random>}, so that
 * a later run can tell the folders of a process that was killed (SIGKILL, a crash: no shutdown hook
 * ran) from those of a run still going, and sweep them.
 */
public final class OwnedDirectories {
  private OwnedDirectories() {}

  /** Creates {@code base/<prefix><this pid>-<random>}. */
  public static Path create(Path base, String prefix) throws IOException {
    Files.createDirectories(base);
    return Files.createTempDirectory(base, prefix + ProcessHandle.current().pid() + "-");
  }

  /**
   * The folders under {@code base} named with {@code prefix} whose owner is gone: no process with
   * that pid, or one started after the folder was made (a recycled pid).
   */
  public static List<Path> stale(Path base, String prefix) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(base)) {
      return out;
    }
    try (Stream<Path> children = Files.list(base)) {
      for (Path dir : (Iterable<Path>) children::iterator) {
        String name = dir.getFileName().toString();
        if (!name.startsWith(prefix) || !Files.isDirectory(dir)) {
          continue;
        }
        Optional<Long> owner = ownerPid(name.substring(prefix.length()));
        if (owner.isPresent() && !alive(owner.get(), created(dir))) {
          out.add(dir);
        }
      }
    }
    return out;
  }

  private static Optional<Long> ownerPid(String rest) {
    int dash = rest.indexOf('-');
    if (dash <= 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(rest.substring(0, dash)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Instant created(Path dir) throws IOException {
    return Files.readAttributes(dir, BasicFileAttributes.class).creationTime().toInstant();
  }

  private static boolean alive(long pid, Instant folderCreated) {
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive()) {
      return false;
    }
    Optional<Instant> started = h.get().info().startInstant();
    // started a second or more after the folder existed: not the process that made it
    return started.isEmpty() || !started.get().isAfter(folderCreated.plusSeconds(1));
  }
}
