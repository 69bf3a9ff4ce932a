package dev.igm.core.train;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link ModelSession} keeps besides its trainer, checkpointed as JSON beside the trainer
 * snapshot: the event times of the pending samples, the open metrics window, the published version.
 * Public fields for Jackson.
 *
 * <p>Versions: {@code version} 1 is this layout; a document without the field is the first
 * release's, which had the same fields. {@link #fromJson} reads both and refuses anything else —
 * unknown versions, unknown or missing fields, counters that do not fit the model — with a message
 * naming the problem.
 */
@JsonPropertyOrder({"version"})
public final class SessionCounters {
  /** The layout written by this release. */
  public static final int VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  public int version = VERSION;
  public List<Long> pendingEventTimes = new ArrayList<>();
  public double windowLossSum;
  public long windowSteps;
  public long windowScored;
  public long[] windowCorrect; // per modality, then fused
  public long lastMetricsBatch;
  public long publishedVersion = -1;
  public double lastRefreshMillis;
  public String lastModality;

  /** Fresh counters of a model with {@code modalities} modalities. */
  static SessionCounters fresh(int modalities) {
    SessionCounters c = new SessionCounters();
    c.windowCorrect = new long[modalities + 1];
    return c;
  }

  String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The counters of a checkpoint of a model with {@code modalities} modalities and {@code pending}
   * pending samples.
   *
   * @throws IllegalArgumentException when the document is not session counters this release can
   *     read
   */
  static SessionCounters fromJson(String json, int modalities, int pending) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "session counters are not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("session counters must be a JSON object");
    }
    JsonNode v = root.get("version");
    int version = v == null ? 0 : v.isInt() ? v.intValue() : -1;
    if (version != 0 && version != VERSION) {
      throw new IllegalArgumentException(
          "session counters of version "
              + (v == null ? "?" : v.toString())
              + ": this release reads versions 0 (first release, no version field) and "
              + VERSION);
    }
    ((ObjectNode) root).put("version", VERSION); // version 0 has the fields of version 1
    SessionCounters c;
    try {
      c = JSON.treeToValue(root, SessionCounters.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("malformed session counters: " + e.getOriginalMessage());
    }
    if (c.pendingEventTimes == null || c.windowCorrect == null) {
      throw new IllegalArgumentException(
          "malformed session counters: pendingEventTimes and windowCorrect are required");
    }
    if (c.windowCorrect.length != modalities + 1) {
      throw new IllegalArgumentException(
          "session counters count "
              + (c.windowCorrect.length - 1)
              + " modalities, the model has "
              + modalities);
    }
    if (c.pendingEventTimes.size() != pending) {
      throw new IllegalArgumentException(
          "session counters hold "
              + c.pendingEventTimes.size()
              + " pending event times, the trainer "
              + pending
              + " pending samples");
    }
    return c;
  }
}
