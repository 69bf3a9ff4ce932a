package dev.igm.core.serve;

import java.io.IOException;

/**
 * Where published snapshot files live (the model store). The serving job reads them through Flink's
 * file systems; tests and tools may read local files. Implementations must be usable from the
 * thread that calls them only.
 */
@FunctionalInterface
public interface SnapshotStore {
  /**
   * The whole file at {@code uri} (a URI string, percent-encoded as {@code java.net.URI} writes
   * it).
   *
   * @throws java.io.FileNotFoundException when there is no such file
   * @throws IOException when it cannot be read
   */
  byte[] read(String uri) throws IOException;
}
