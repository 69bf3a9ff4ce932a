package dev.igm.core.ingest;

/** The outcome of validating one record: a usable sample or a rejection. */
public sealed interface Validation {
  /** The record is usable. */
  record Valid(ValidSample sample) implements Validation {}

  /** The record goes to the dead-letter topic. */
  record Rejected(Rejection rejection) implements Validation {}

  static Validation valid(ValidSample s) {
    return new Valid(s);
  }

  static Validation rejected(RejectionKind kind, String sampleId, String reason) {
    return new Rejected(new Rejection(kind, sampleId, reason));
  }
}
