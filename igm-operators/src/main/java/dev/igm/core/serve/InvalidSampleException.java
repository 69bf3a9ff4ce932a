package dev.igm.core.serve;

/**
 * A sample a model cannot score (missing modality, wrong element count, non-finite values); the
 * message says why.
 */
public final class InvalidSampleException extends Exception {
  public InvalidSampleException(String reason) {
    super(reason);
  }
}
