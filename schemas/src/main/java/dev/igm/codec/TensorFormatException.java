package dev.igm.codec;

/** A tensor that cannot be used, with the kind of problem and a message a person can act on. */
public class TensorFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the tensor; dead-letter reasons and metrics group by it. */
  public enum Kind {
    SHAPE_MISMATCH,
    NEGATIVE_DIM,
    UNKNOWN_DTYPE,
    OVERSIZE,
    NON_FINITE,
    WRONG_DTYPE
  }

  private final Kind kind;

  public TensorFormatException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
