package dev.igm.core.ingest;

import java.util.Objects;

/**
 * A record that cannot be used, with a reason a person can act on (what is wrong, where, and what
 * was expected).
 *
 * @param kind the class of problem
 * @param sampleId the record's sample id when it could be decoded, else null
 * @param reason one readable sentence, e.g. {@code modality 'shape': shape [8] but the model
 *     expects [9]}
 */
public record Rejection(RejectionKind kind, String sampleId, String reason) {
  public Rejection {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(reason, "reason");
  }

  /** {@code decode} or {@code validate}. */
  public String stage() {
    return kind.stage();
  }

  /** The dead-letter reason: kind, sample id (when known) and the message. */
  public String describe() {
    return kind + (sampleId == null ? "" : " (sample " + sampleId + ")") + ": " + reason;
  }
}
