package dev.igm.report;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.igm.avro.DeadLetter;
import dev.igm.avro.TrainingMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of a metrics file: {@link TrainingMetrics} and {@link DeadLetter} as JSON objects with
 * the Avro field names (the format is described in {@link MetricsFileWriter}). Written by hand
 * rather than with Avro's JSON encoding, which wraps every union value ({@code "modality":
 * {"string": "audio"}}) and so reads badly and is awkward to produce from other tools.
 */
final class MetricsJson {
  /** The field that marks a line as something other than a TrainingMetrics record. */
  static final String RECORD = "record";

  static final String DEAD_LETTER = "DeadLetter";
  static final String TRAINING_METRICS = "TrainingMetrics";

  // Bare NaN/Infinity are accepted because Python's json module writes them.
  static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private MetricsJson() {}

  static ObjectNode toJson(TrainingMetrics m) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("modelId", m.getModelId());
    o.put("method", m.getMethod());
    o.put("modelVersion", m.getModelVersion());
    o.put("time", m.getTime().toEpochMilli());
    o.put("batches", m.getBatches());
    o.put("samplesTrained", m.getSamplesTrained());
    if (m.getModality() == null) {
      o.putNull("modality");
    } else {
      o.put("modality", m.getModality());
    }
    putNumber(o, "loss", m.getLoss());
    ObjectNode acc = o.putObject("prequentialAccuracy");
    m.getPrequentialAccuracy().forEach((k, v) -> putNumber(acc, k, v));
    o.put("refusedSteps", m.getRefusedSteps());
    putNumber(o, "tRefreshMillis", m.getTRefreshMillis());
    ObjectNode eig = o.putObject("eigenvalues");
    m.getEigenvalues()
        .forEach(
            (k, values) -> {
              ArrayNode a = eig.putArray(k);
              values.forEach(v -> addNumber(a, v));
            });
    o.put("deadLetters", m.getDeadLetters());
    return o;
  }

  static ObjectNode toJson(DeadLetter d) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put(RECORD, DEAD_LETTER);
    o.put("sourceTopic", d.getSourceTopic());
    o.put("sourcePartition", d.getSourcePartition());
    o.put("sourceOffset", d.getSourceOffset());
    putBytes(o, "rawKey", d.getRawKey());
    putBytes(o, "rawValue", d.getRawValue());
    o.put("stage", d.getStage());
    o.put("reason", d.getReason());
    o.put("time", d.getTime().toEpochMilli());
    return o;
  }

  /** What a line holds: "TrainingMetrics" (also when unmarked) or "DeadLetter". */
  static String kind(JsonNode line) throws IOException {
    JsonNode r = line.get(RECORD);
    if (r == null || r.isNull()) {
      return TRAINING_METRICS;
    }
    String kind = r.asText();
    if (!kind.equals(TRAINING_METRICS) && !kind.equals(DEAD_LETTER)) {
      throw new IOException(
          "unknown \"record\": \"" + kind + "\" (expected TrainingMetrics or DeadLetter)");
    }
    return kind;
  }

  static TrainingMetrics trainingMetrics(JsonNode o) throws IOException {
    TrainingMetrics.Builder b =
        TrainingMetrics.newBuilder()
            .setModelId(text(o, "modelId"))
            .setMethod(text(o, "method"))
            .setModelVersion(integer(o, "modelVersion"))
            .setTime(time(o, "time"))
            .setBatches(integer(o, "batches"))
            .setSamplesTrained(integer(o, "samplesTrained"))
            .setLoss(number(o.get("loss"), "loss"));
    JsonNode modality = o.get("modality");
    if (modality != null && !modality.isNull()) {
      b.setModality(modality.asText());
    }
    Map<String, Double> acc = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : fields(o, "prequentialAccuracy")) {
      acc.put(e.getKey(), number(e.getValue(), "prequentialAccuracy." + e.getKey()));
    }
    b.setPrequentialAccuracy(acc);
    Map<String, List<Double>> eig = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : fields(o, "eigenvalues")) {
      if (!e.getValue().isArray()) {
        throw new IOException("eigenvalues." + e.getKey() + " must be an array of numbers");
      }
      List<Double> values = new ArrayList<>(e.getValue().size());
      for (JsonNode v : e.getValue()) {
        values.add(number(v, "eigenvalues." + e.getKey()));
      }
      eig.put(e.getKey(), values);
    }
    b.setEigenvalues(eig);
    if (o.hasNonNull("refusedSteps")) {
      b.setRefusedSteps(integer(o, "refusedSteps"));
    }
    if (o.hasNonNull("tRefreshMillis")) {
      b.setTRefreshMillis(number(o.get("tRefreshMillis"), "tRefreshMillis"));
    }
    if (o.hasNonNull("deadLetters")) {
      b.setDeadLetters(integer(o, "deadLetters"));
    }
    return b.build();
  }

  static DeadLetter deadLetter(JsonNode o) throws IOException {
    DeadLetter.Builder b =
        DeadLetter.newBuilder()
            .setSourceTopic(text(o, "sourceTopic"))
            .setSourcePartition((int) integer(o, "sourcePartition"))
            .setSourceOffset(integer(o, "sourceOffset"))
            .setStage(text(o, "stage"))
            .setReason(text(o, "reason"))
            .setTime(time(o, "time"));
    b.setRawKey(bytes(o, "rawKey"));
    b.setRawValue(bytes(o, "rawValue"));
    return b.build();
  }

  // Jackson would write NaN as a bare token, which is not JSON; strings keep every line valid JSON.
  private static void putNumber(ObjectNode o, String field, double v) {
    if (Double.isFinite(v)) {
      o.put(field, v);
    } else {
      o.put(field, nonFinite(v));
    }
  }

  private static void addNumber(ArrayNode a, double v) {
    if (Double.isFinite(v)) {
      a.add(v);
    } else {
      a.add(nonFinite(v));
    }
  }

  private static String nonFinite(double v) {
    return Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  }

  private static void putBytes(ObjectNode o, String field, ByteBuffer b) {
    if (b == null) {
      o.putNull(field);
      return;
    }
    ByteBuffer copy = b.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    o.put(field, bytes); // base64, Jackson's encoding of binary
  }

  private static ByteBuffer bytes(JsonNode o, String field) throws IOException {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    byte[] decoded;
    try {
      decoded = v.isTextual() ? v.binaryValue() : null; // TextNode decodes base64
    } catch (IOException e) {
      decoded = null;
    }
    if (decoded == null) {
      throw new IOException("\"" + field + "\" must be a base64 string or null, got " + v);
    }
    return ByteBuffer.wrap(decoded);
  }

  private static String text(JsonNode o, String field) throws IOException {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      throw new IOException("missing \"" + field + "\"");
    }
    if (!v.isTextual()) {
      throw new IOException("\"" + field + "\" must be a string, got " + v);
    }
    return v.asText();
  }

  private static long integer(JsonNode o, String field) throws IOException {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      throw new IOException("missing \"" + field + "\"");
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new IOException("\"" + field + "\" must be an integer, got " + v);
    }
    return v.asLong();
  }

  static double number(JsonNode v, String field) throws IOException {
    if (v == null || v.isNull()) {
      throw new IOException("missing \"" + field + "\"");
    }
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isTextual()) {
      switch (v.asText()) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    throw new IOException(
        "\"" + field + "\" must be a number (or \"NaN\", \"Infinity\", \"-Infinity\"), got " + v);
  }

  private static Instant time(JsonNode o, String field) throws IOException {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      throw new IOException("missing \"" + field + "\"");
    }
    if (v.isIntegralNumber()) {
      return Instant.ofEpochMilli(v.asLong());
    }
    try {
      return Instant.parse(v.asText());
    } catch (DateTimeParseException e) {
      throw new IOException(
          "\"" + field + "\" must be epoch milliseconds or an ISO-8601 instant, got " + v);
    }
  }

  private static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode o, String field)
      throws IOException {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isObject()) {
      throw new IOException("\"" + field + "\" must be an object, got " + v);
    }
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    v.fields().forEachRemaining(out::add);
    return out;
  }
}
