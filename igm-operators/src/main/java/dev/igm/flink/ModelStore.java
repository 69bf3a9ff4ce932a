package dev.igm.flink;

import dev.igm.core.train.TrainerSnapshot;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Writes published model snapshots to any Flink file system ({@code file://}, {@code s3://}, {@code
 * hdfs://} ...): {@code <store>/<modelId>/v<version>.safetensors} and the JSON metadata beside it
 * as {@code v<version>.json}.
 *
 * <p>Files are overwritten: after a restore the same version may be written again, with the same
 * tensors in deterministic mode, and only the record published through the (transactional) Kafka
 * sink makes a version visible.
 */
public final class ModelStore {
  private final Path root;

  public ModelStore(String rootUri) {
    this.root = new Path(rootUri);
  }

  /**
   * Where a snapshot went: the URI of its safetensors file and the file's sha256 (lower-case hex).
   */
  public record Written(String uri, String sha256) {}

  /**
   * Writes the snapshot of {@code modelId} at {@code version}, streaming the tensors through a
   * SHA-256 digest (no copy of the whole file in memory).
   */
  public Written write(String modelId, long version, TrainerSnapshot.Capture snapshot)
      throws IOException {
    String stem = stem(version);
    Path dir = new Path(root, modelId);
    Path tensors = new Path(dir, stem + ".safetensors");
    Path meta = new Path(dir, stem + ".json");
    FileSystem fs = tensors.getFileSystem();
    fs.mkdirs(dir);
    MessageDigest sha256 = sha256();
    try (OutputStream out =
        new DigestOutputStream(
            new BufferedOutputStream(fs.create(tensors, FileSystem.WriteMode.OVERWRITE), 1 << 16),
            sha256)) {
      snapshot.writeTensors(out);
    }
    try (OutputStream out = fs.create(meta, FileSystem.WriteMode.OVERWRITE)) {
      out.write(snapshot.metadata().getBytes(StandardCharsets.UTF_8));
    }
    return new Written(
        tensors.makeQualified(fs).toUri().toString(), HexFormat.of().formatHex(sha256.digest()));
  }

  /** The file name of a version without extension: {@code v00000042}. */
  static String stem(long version) {
    return String.format("v%08d", version);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
