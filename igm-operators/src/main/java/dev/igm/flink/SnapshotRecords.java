package dev.igm.flink;

import dev.igm.avro.ModelSnapshot;
import java.time.Instant;
import java.util.Map;

/**
 * The {@code ModelSnapshot} record that announces a written model version: one shape for the job
 * and the tools.
 */
public final class SnapshotRecords {
  private SnapshotRecords() {}

  /**
   * @param uri where the {@code .safetensors} file was written
   * @param sha256 the snapshot's tensor digest (what servers verify)
   * @param config the model configuration as JSON (what a server needs to build the model)
   */
  public static ModelSnapshot announce(
      String modelId,
      long version,
      String method,
      String uri,
      String sha256,
      String config,
      Map<String, Double> metrics) {
    return ModelSnapshot.newBuilder()
        .setModelId(modelId)
        .setVersion(version)
        .setMethod(method)
        .setCreatedAt(Instant.now())
        .setUri(uri)
        .setSha256(sha256)
        .setConfig(config)
        .setMetrics(metrics)
        .build();
  }
}
