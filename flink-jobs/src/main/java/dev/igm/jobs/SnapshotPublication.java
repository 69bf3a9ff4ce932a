package dev.igm.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.igm.avro.ModelSnapshot;
import dev.igm.core.train.TrainerSnapshot;
import dev.igm.flink.SnapshotRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Publishing a model version: the snapshot goes to the model store as a file, and the {@code
 * ModelSnapshot} record that announces it carries the file's URI, its SHA-256 and the model
 * configuration (what a server needs to build the model before loading the weights).
 */
public final class SnapshotPublication {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SnapshotPublication() {}

  /**
   * Writes {@code snapshot} to {@code file} (plus its {@code .json}) and returns the record
   * announcing it.
   */
  public static ModelSnapshot write(
      TrainerSnapshot snapshot,
      Path file,
      String modelId,
      long version,
      Map<String, Double> metrics)
      throws IOException {
    snapshot.write(file);
    return record(snapshot, file.toAbsolutePath().toUri().toString(), modelId, version, metrics);
  }

  /** The record announcing {@code snapshot}, stored at {@code uri}. */
  public static ModelSnapshot record(
      TrainerSnapshot snapshot,
      String uri,
      String modelId,
      long version,
      Map<String, Double> metrics) {
    Object config = snapshot.metadataMap().get("config");
    String method = String.valueOf(snapshot.metadataMap().get("method"));
    try {
      return SnapshotRecords.announce(
          modelId,
          version,
          method,
          uri,
          snapshot.sha256(),
          JSON.writeValueAsString(config),
          metrics);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
