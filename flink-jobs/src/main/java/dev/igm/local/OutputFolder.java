package dev.igm.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * A command's output folder, written whole or not at all: the command writes into a new folder
 * beside the target ({@code <target>.partial-<pid>-<random>}), and {@link #commit()} moves it into
 * place once complete, so an interrupted or failed run leaves the previous results as they were and
 * nothing of its own (a shutdown action removes the partial folder on Ctrl-C; one a killed run left
 * is swept by the next run). A target that already holds something is replaced only when the
 * command says so.
 */
public final class OutputFolder implements AutoCloseable {
  private final Path target;
  private final Path work;
  private final ShutdownActions.Registration removal;
  private volatile boolean abandoned;
  private boolean committed;

  private OutputFolder(Path target, Path work) {
    this.target = target;
    this.work = work;
    this.removal = ShutdownActions.register("remove " + work, this::abandon);
  }

  /** Sweeps partial folders of runs that are gone, and starts a new one for {@code target}. */
  public static OutputFolder stage(Path target) throws IOException {
    Path abs = target.toAbsolutePath().normalize();
    Path parent = abs.getParent();
    String prefix = abs.getFileName() + ".partial-";
    for (Path stale : OwnedDirectories.stale(parent, prefix)) {
      LocalScripts.deleteRecursively(stale);
    }
    return new OutputFolder(abs, OwnedDirectories.create(parent, prefix));
  }

  /** Where to write. */
  public Path work() {
    return work;
  }

  /** The folder the results end up in. */
  public Path target() {
    return target;
  }

  /** Moves the complete folder into place, replacing what the target held. */
  public void commit() throws IOException {
    if (abandoned) {
      throw new IOException("interrupted: " + target + " keeps what it held");
    }
    moveIntoPlace(work, target);
    committed = true;
  }

  /**
   * Ctrl-C's action: no commit from now on, and the partial folder removed, for good: the command's
   * own thread may still be writing into it while the shutdown runs (a report half drawn).
   */
  void abandon() {
    abandoned = true;
    LocalScripts.deleteForGood(work);
  }

  /** Removes the partial folder unless committed. */
  @Override
  public void close() {
    if (!committed) {
      LocalScripts.deleteRecursively(work);
    }
    removal.close(); // last, as in RunScratch#close
  }

  /**
   * The names of what {@code dir} holds (sorted), or an empty list when it does not exist or is
   * empty.
   */
  public static List<String> contents(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(dir)) {
      return children
          .map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : ""))
          .sorted()
          .toList();
    }
  }

  /**
   * Puts the finished {@code work} folder where {@code target} is, replacing an earlier run's (a
   * rename each).
   */
  public static void moveIntoPlace(Path work, Path target) throws IOException {
    if (Files.exists(target)) {
      Path old = OwnedDirectories.create(target.getParent(), target.getFileName() + ".old-");
      Files.move(target, old.resolve("previous"), StandardCopyOption.ATOMIC_MOVE);
      Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
      LocalScripts.deleteRecursively(old);
    } else {
      Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
    }
  }
}
