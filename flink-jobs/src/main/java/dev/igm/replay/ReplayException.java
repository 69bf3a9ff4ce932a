package dev.igm.replay;

/**
 * A replay that could not complete: the broker is unreachable, or Kafka rejected records. The
 * message says which.
 */
public final class ReplayException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ReplayException(String message, Throwable cause) {
    super(message, cause);
  }
}
