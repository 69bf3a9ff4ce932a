package dev.igm.flink.serve;

import dev.igm.core.serve.SnapshotStore;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Reads snapshot files through Flink's file systems, so the model store can be any URI a Flink
 * cluster is set up for ({@code file://}, {@code s3://}, {@code hdfs://}, ...), with the cluster's
 * credentials and plugins.
 */
public final class FlinkFileSystemSnapshotStore implements SnapshotStore {
  /** A Java array holds at most this many bytes; larger files are refused with a clear reason. */
  private static final long MAX_BYTES = Integer.MAX_VALUE - 8L;

  @Override
  public byte[] read(String uri) throws IOException {
    Path path = path(uri);
    FileSystem fs = FileSystem.get(path.toUri());
    FileStatus status = fs.getFileStatus(path); // FileNotFoundException when absent
    if (status.isDir()) {
      throw new IOException(uri + " is a directory, not a snapshot file");
    }
    if (status.getLen() > MAX_BYTES) {
      throw new IOException(
          uri + " has " + status.getLen() + " bytes, more than one array can hold");
    }
    try (FSDataInputStream in = fs.open(path)) {
      return in.readAllBytes();
    }
  }

  /**
   * A URI's path is percent-decoded ({@code %20} is a space), as the URIs the model store writes
   * are encoded; Flink's {@code Path(String)} would take {@code %20} literally. A string that is
   * not a valid URI (a hand-written path with a space) is read as Flink reads it.
   */
  private static Path path(String uri) {
    try {
      return new Path(new URI(uri));
    } catch (URISyntaxException e) {
      return new Path(uri);
    }
  }
}
