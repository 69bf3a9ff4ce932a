package dev.igm.data;

/**
 * A dataset file that cannot be used. The message always starts with the file name and, for text
 * formats, the line ({@code segment-test.arff line 143: expected 20 values, found 19}) or, for NPZ
 * archives, the entry ({@code data.npz entry y.npy: ...}).
 */
public class DatasetFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public DatasetFormatException(String message) {
    super(message);
  }

  public DatasetFormatException(String message, Throwable cause) {
    super(message, cause);
  }

  static DatasetFormatException atLine(String source, int line, String problem) {
    return new DatasetFormatException(source + " line " + line + ": " + problem);
  }

  static DatasetFormatException inEntry(String source, String entry, String problem) {
    return new DatasetFormatException(source + " entry " + entry + ": " + problem);
  }
}
