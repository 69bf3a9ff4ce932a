package dev.igm.data;

/**
 * A table has missing feature values and its {@link TableOptions} do not keep them ({@link
 * TableOptions#keepMissing()}): the message says how many rows have them and where the first one
 * is. A caller that offers a policy (impute, drop) names it in its own message.
 */
public final class MissingValuesException extends DatasetFormatException {
  private static final long serialVersionUID = 1L;

  MissingValuesException(String message) {
    super(message);
  }
}
