package dev.igm.core.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.train.TrainerSnapshot;
import java.io.IOException;
import java.util.Map;

/**
 * Reads the {@code config} field of a {@code ModelSnapshot} record: the model configuration as JSON
 * ({@link IgmConfig#toMap()}). The snapshot's own metadata document ({@code model.json}, which
 * holds the configuration under {@code "config"}) is accepted too, so a publisher may put either
 * into the record.
 */
public final class ModelConfigJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelConfigJson() {}

  @SuppressWarnings("unchecked")
  public static IgmConfig parse(String json) throws UnusableSnapshotException {
    if (json == null || json.isBlank()) {
      throw new UnusableSnapshotException(
          "the record carries no model configuration (field config is empty)");
    }
    Map<String, Object> map;
    try {
      map = JSON.readValue(json, Map.class);
    } catch (IOException e) {
      throw new UnusableSnapshotException(
          "the model configuration is not JSON: " + e.getMessage(), e);
    }
    if (TrainerSnapshot.FORMAT.equals(map.get("format")) && map.get("config") instanceof Map) {
      map = (Map<String, Object>) map.get("config");
    }
    try {
      return IgmConfig.fromMap(map).build();
    } catch (RuntimeException e) {
      throw new UnusableSnapshotException(
          "the model configuration is invalid: " + e.getMessage(), e);
    }
  }
}
