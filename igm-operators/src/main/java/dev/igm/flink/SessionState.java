package dev.igm.flink;

import dev.igm.core.train.SessionCheckpoint;

/**
 * Keyed state of the training operator: one model's {@link SessionCheckpoint}. A Flink POJO, so
 * Flink's POJO serializer evolves it (fields added later restore from older checkpoints as their
 * defaults).
 *
 * <p>Versions: {@code version} 1 is this layout; 0 — the field's default, which a checkpoint of the
 * first release restores to — is the first release's, which had the same other fields. {@link
 * #toCheckpoint} reads both and refuses anything else with a message naming the model.
 */
public class SessionState {
  /** The layout written by this release. */
  public static final int VERSION = 1;

  public int version;
  public byte[] trainerTensors;
  public String trainerMetadata;
  public String session;

  public SessionState() {}

  public static SessionState of(SessionCheckpoint cp) {
    SessionState s = new SessionState();
    s.version = VERSION;
    s.trainerTensors = cp.trainerTensors();
    s.trainerMetadata = cp.trainerMetadata();
    s.session = cp.sessionJson();
    return s;
  }

  /**
   * The checkpoint of model {@code modelId}; a clear error when this state is not one this release
   * reads.
   */
  public SessionCheckpoint toCheckpoint(String modelId) {
    if (version != 0 && version != VERSION) {
      throw new IllegalArgumentException(
          "keyed state of model "
              + modelId
              + " has version "
              + version
              + "; this release reads versions 0 (first release) and "
              + VERSION);
    }
    if (trainerTensors == null || trainerMetadata == null || session == null) {
      throw new IllegalArgumentException(
          "keyed state of model "
              + modelId
              + " is incomplete (trainer tensors, "
              + "trainer metadata and session counters are all required)");
    }
    return new SessionCheckpoint(trainerTensors, trainerMetadata, session);
  }
}
