package dev.igm.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.igm.core.config.IgmConfig;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The models a job trains, by id, in a serializable form for Flink functions ({@link IgmConfig}
 * itself is not serializable: each model travels as its knob map in JSON and is rebuilt, and so
 * validated again, on the task).
 */
public final class ModelRegistry implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LinkedHashMap<String, String> configJson = new LinkedHashMap<>();
  private transient Map<String, IgmConfig> cache;

  public ModelRegistry(Map<String, IgmConfig> models) {
    if (models.isEmpty()) {
      throw new IllegalArgumentException("at least one model is required");
    }
    models.forEach((id, c) -> configJson.put(id, toJson(c)));
  }

  public static String toJson(IgmConfig config) {
    try {
      return JSON.writeValueAsString(config.toMap());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<String> ids() {
    return List.copyOf(configJson.keySet());
  }

  /** The configuration of model {@code id}. */
  @SuppressWarnings("unchecked")
  public synchronized IgmConfig get(String id) {
    if (cache == null) {
      cache = new LinkedHashMap<>();
    }
    IgmConfig c = cache.get(id);
    if (c == null) {
      String json = configJson.get(id);
      if (json == null) {
        throw new IllegalArgumentException(
            "unknown model '" + id + "' (configured: " + configJson.keySet() + ")");
      }
      try {
        c = IgmConfig.fromMap(JSON.readValue(json, Map.class)).build();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      cache.put(id, c);
    }
    return c;
  }

  /** The configuration JSON of model {@code id}, as published in {@code ModelSnapshot.config}. */
  public String json(String id) {
    return configJson.get(id);
  }

  /**
   * The first model: all models of a job share its input contract (modalities, shapes, classes).
   */
  public IgmConfig contract() {
    return get(ids().get(0));
  }
}
