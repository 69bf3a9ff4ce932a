package dev.igm.core.serve;

/**
 * A published model version that cannot be put into service: its file is missing or unreadable, its
 * bytes do not match the published SHA-256, or its tensors do not fit its configuration. The
 * message is the reason a person reads in the dead-letter record, so it names the URI and the
 * numbers involved.
 */
public final class UnusableSnapshotException extends Exception {
  public UnusableSnapshotException(String reason) {
    super(reason);
  }

  public UnusableSnapshotException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
