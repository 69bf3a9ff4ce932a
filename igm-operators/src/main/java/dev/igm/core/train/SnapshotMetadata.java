package dev.igm.core.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metadata document of a {@link TrainerSnapshot}, read field by field with a clear error for
 * anything missing or of the wrong type (a malformed or foreign file never ends in a {@code
 * NullPointerException} or a {@code ClassCastException}).
 *
 * <p>Versions: the {@code format} field names the layout. {@code igm-snapshot/1} is the layout of
 * the first release and still the one written; a later layout adds its own case to {@link #parse}
 * and maps older files onto this record.
 *
 * @param pending ids and labels of the samples of the pending partial mini-batch (their inputs are
 *     tensors)
 */
record SnapshotMetadata(
    String format,
    String method,
    long batches,
    long samplesTrained,
    long refusedSteps,
    long rngState,
    List<Long> optimizerSteps,
    Map<String, Long> covarianceUpdates,
    Map<String, Boolean> tIdentity,
    List<PendingSample> pending,
    Map<String, Object> config) {

  static final String V1 = "igm-snapshot/1";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A sample of the pending batch as the metadata lists it. */
  record PendingSample(String id, int label) {}

  static SnapshotMetadata parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "snapshot metadata is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("snapshot metadata must be a JSON object");
    }
    JsonNode format = root.get("format");
    if (format == null || !format.isTextual()) {
      throw new IllegalArgumentException(
          "not an IGM trainer snapshot: its metadata has no \"format\" field");
    }
    return switch (format.asText()) {
      case V1 -> readV1(root);
      default ->
          throw new IllegalArgumentException(
              "unsupported snapshot format '"
                  + format.asText()
                  + "' (this version reads "
                  + V1
                  + ")");
    };
  }

  private static SnapshotMetadata readV1(JsonNode root) {
    List<Long> steps = new ArrayList<>();
    for (JsonNode n : array(root, "optimizerSteps")) {
      steps.add(integer(n, "optimizerSteps[]"));
    }
    Map<String, Long> updates = new LinkedHashMap<>();
    fields(root, "covarianceUpdates")
        .forEachRemaining(
            e -> updates.put(e.getKey(), integer(e.getValue(), "covarianceUpdates." + e.getKey())));
    Map<String, Boolean> identity = new LinkedHashMap<>();
    fields(root, "tIdentity")
        .forEachRemaining(
            e -> {
              if (!e.getValue().isBoolean()) {
                throw malformed("tIdentity." + e.getKey(), "true or false", e.getValue());
              }
              identity.put(e.getKey(), e.getValue().booleanValue());
            });
    List<PendingSample> pending = new ArrayList<>();
    for (JsonNode p : array(root, "pending")) {
      if (!p.isObject() || p.get("id") == null || !p.get("id").isTextual()) {
        throw malformed("pending[]", "an object with a text id and a label", p);
      }
      pending.add(
          new PendingSample(
              p.get("id").asText(), Math.toIntExact(integer(p.get("label"), "pending[].label"))));
    }
    JsonNode config = root.get("config");
    if (config == null || !config.isObject()) {
      throw malformed("config", "the model configuration (an object)", config);
    }
    JsonNode rng = root.get("rngState");
    long rngState;
    try {
      rngState =
          rng != null && rng.isTextual() ? Long.parseLong(rng.asText()) : integer(rng, "rngState");
    } catch (NumberFormatException e) {
      throw malformed("rngState", "a 64-bit integer", rng);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> configMap = JSON.convertValue(config, Map.class);
    return new SnapshotMetadata(
        V1,
        text(root, "method"),
        integer(root.get("batches"), "batches"),
        integer(root.get("samplesTrained"), "samplesTrained"),
        integer(root.get("refusedSteps"), "refusedSteps"),
        rngState,
        steps,
        updates,
        identity,
        pending,
        configMap);
  }

  private static String text(JsonNode root, String key) {
    JsonNode n = root.get(key);
    if (n == null || !n.isTextual()) {
      throw malformed(key, "text", n);
    }
    return n.asText();
  }

  private static long integer(JsonNode n, String key) {
    if (n == null || !n.canConvertToLong() || !n.isIntegralNumber()) {
      throw malformed(key, "an integer", n);
    }
    return n.asLong();
  }

  private static Iterable<JsonNode> array(JsonNode root, String key) {
    JsonNode n = root.get(key);
    if (n == null || !n.isArray()) {
      throw malformed(key, "a list", n);
    }
    return n;
  }

  private static Iterator<Map.Entry<String, JsonNode>> fields(JsonNode root, String key) {
    JsonNode n = root.get(key);
    if (n == null || !n.isObject()) {
      throw malformed(key, "an object", n);
    }
    return n.fields();
  }

  private static IllegalArgumentException malformed(String key, String expected, JsonNode got) {
    return new IllegalArgumentException(
        "malformed snapshot metadata: \""
            + key
            + "\" must be "
            + expected
            + ", got "
            + (got == null ? "nothing" : got.toString()));
  }
}
