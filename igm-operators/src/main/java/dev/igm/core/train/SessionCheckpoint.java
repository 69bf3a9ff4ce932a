package dev.igm.core.train;

/**
 * Everything a {@link ModelSession} needs to resume exactly: the trainer's snapshot (safetensors
 * bytes + JSON metadata, see {@link TrainerSnapshot}) and the session's own counters as JSON.
 */
public record SessionCheckpoint(byte[] trainerTensors, String trainerMetadata, String sessionJson) {
  /** Bytes held, for logs and metrics. */
  public long size() {
    return trainerTensors.length + (long) trainerMetadata.length() + sessionJson.length();
  }
}
