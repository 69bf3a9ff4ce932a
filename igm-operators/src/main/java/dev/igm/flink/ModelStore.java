package dev.igm.flink;

import dev.igm.core.train.TrainerSnapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Writes published model snapshots to any Flink file system ({@code file://}, {@code s3://}, {@code hdfs://} ...):
 * {@code <store>/<modelId>/v<version>.safetensors} and the JSON metadata beside it as {@code v<version>.json}.
 *
 * <p>Files are overwritten: after a restore the same version may be written again, with the same tensors in
 * deterministic mode, and only the record published through the (transactional) Kafka sink makes a version visible.
 */
public final class ModelStore {
  private final Path root;

  public ModelStore(String rootUri) {
    this.root = new Path(rootUri);
  }

  /** Writes the snapshot of {@code modelId} at {@code version}; returns the URI of the safetensors file. */
  public String write(String modelId, long version, TrainerSnapshot snapshot) throws IOException {
    String stem = String.format("v%08d", version);
    Path dir = new Path(root, modelId);
    Path tensors = new Path(dir, stem + ".safetensors");
    Path meta = new Path(dir, stem + ".json");
    FileSystem fs = tensors.getFileSystem();
    fs.mkdirs(dir);
    write(fs, tensors, snapshot.tensors());
    write(fs, meta, snapshot.metadata().getBytes(StandardCharsets.UTF_8));
    return tensors.makeQualified(fs).toUri().toString();
  }

  private static void write(FileSystem fs, Path path, byte[] bytes) throws IOException {
    try (OutputStream out = fs.create(path, FileSystem.WriteMode.OVERWRITE)) {
      out.write(bytes);
    }
  }
}
