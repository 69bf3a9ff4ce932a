package dev.igm.local;

import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's own temporary folder under a shared one ({@code var/tmp}, {@code var/rocksdb}): Flink's
 * temporary files (the extracted RPC jar, the MiniCluster's folders, spilled data) and RocksDB's
 * working copies of one command go there, and the folder is deleted when the command ends, normally
 * or by a signal. Folders of runs that were killed outright are swept when the next run starts.
 */
public final class RunScratch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunScratch.class);
  static final String PREFIX = "igm-run-";

  private final Path dir;
  private final ShutdownActions.Registration onShutdown;

  private RunScratch(Path dir) {
    this.dir = dir;
    this.onShutdown =
        // at a signal the cluster may still be shutting down and recreating its folders
        ShutdownActions.register("delete " + dir, () -> LocalScripts.deleteForGood(dir));
  }

  /** Sweeps the stale run folders under {@code base}, then makes this run's. */
  public static RunScratch under(Path base) throws IOException {
    for (Path stale : OwnedDirectories.stale(base, PREFIX)) {
      LOG.info("Removing {} (left by a run that was killed)", stale);
      LocalScripts.deleteRecursively(stale);
    }
    return new RunScratch(OwnedDirectories.create(base, PREFIX));
  }

  public Path dir() {
    return dir;
  }

  @Override
  public void close() {
    // deleted before the shutdown action is withdrawn: a command thread that a signal's shutdown
    // cuts off halfway through leaves the deletion to the hook rather than a half-deleted folder
    LocalScripts.deleteRecursively(dir);
    onShutdown.close();
  }
}
