package dev.igm.core.ingest;

/**
 * Why a record cannot be trained on or scored; dead-letter reasons and the dead-letter metric group
 * by it.
 */
public enum RejectionKind {
  /** The bytes are not a MultimodalSample (corrupt, truncated, trailing bytes, null value). */
  CORRUPT_RECORD("decode"),
  /** The record (or one tensor) is larger than the configured limit. */
  OVERSIZE("decode"),
  /** A modality the model does not know. */
  UNKNOWN_MODALITY("validate"),
  /** A modality the model needs is absent. */
  MISSING_MODALITY("validate"),
  /**
   * The tensor's shape differs from the modality's configured input shape, or its bytes do not
   * match its shape.
   */
  WRONG_SHAPE("validate"),
  /** An element type the model cannot take (int64, or a dtype that does not exist). */
  WRONG_DTYPE("validate"),
  /** NaN or an infinity in the input. */
  NON_FINITE("validate"),
  /** The label is not a class index of the model. */
  LABEL_OUT_OF_RANGE("validate"),
  /** A TRAIN sample without a label. */
  MISSING_LABEL("validate");

  private final String stage;

  RejectionKind(String stage) {
    this.stage = stage;
  }

  /** The {@code DeadLetter.stage}: {@code decode} or {@code validate}. */
  public String stage() {
    return stage;
  }
}
