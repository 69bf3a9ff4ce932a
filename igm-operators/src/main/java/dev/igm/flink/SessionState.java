package dev.igm.flink;

import dev.igm.core.train.SessionCheckpoint;

/** Keyed state of the training operator: one model's {@link SessionCheckpoint}. A Flink POJO. */
public class SessionState {
  public byte[] trainerTensors;
  public String trainerMetadata;
  public String session;

  public SessionState() {}

  public static SessionState of(SessionCheckpoint cp) {
    SessionState s = new SessionState();
    s.trainerTensors = cp.trainerTensors();
    s.trainerMetadata = cp.trainerMetadata();
    s.session = cp.sessionJson();
    return s;
  }

  public SessionCheckpoint toCheckpoint() {
    return new SessionCheckpoint(trainerTensors, trainerMetadata, session);
  }
}
