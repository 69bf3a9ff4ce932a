package dev.igm.data;

import java.util.ArrayList;
import java.util.List;

/** Splitting one text line into fields, honouring quotes. */
final class TextFields {
  private TextFields() {}

  /**
   * CSV (RFC 4180 within one line): fields separated by {@code delimiter}; a field may be enclosed
   * in double quotes, with {@code ""} for a literal quote. Unquoted fields are trimmed.
   *
   * @return the fields, or null when a quote is not closed
   */
  static List<String> csv(String line, char delimiter) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int i = 0;
    int n = line.length();
    while (true) {
      while (i < n && line.charAt(i) == ' ' && delimiter != ' ') {
        i++;
      }
      if (i < n && line.charAt(i) == '"') {
        i++;
        boolean closed = false;
        while (i < n) {
          char c = line.charAt(i++);
          if (c == '"') {
            if (i < n && line.charAt(i) == '"') {
              cur.append('"');
              i++;
            } else {
              closed = true;
              break;
            }
          } else {
            cur.append(c);
          }
        }
        if (!closed) {
          return null;
        }
        while (i < n && line.charAt(i) != delimiter) {
          i++;
        }
        out.add(cur.toString());
      } else {
        int start = i;
        while (i < n && line.charAt(i) != delimiter) {
          i++;
        }
        out.add(line.substring(start, i).trim());
      }
      cur.setLength(0);
      if (i >= n) {
        return out;
      }
      i++; // delimiter
    }
  }

  /**
   * ARFF: comma-separated values, each optionally in single or double quotes with backslash
   * escapes; whitespace around values is ignored.
   *
   * @return the values, or null when a quote is not closed
   */
  static List<String> arff(String text) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (true) {
      while (i < n && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i < n && (text.charAt(i) == '\'' || text.charAt(i) == '"')) {
        int[] end = new int[1];
        String v = unquote(text, i, end);
        if (v == null) {
          return null;
        }
        out.add(v);
        i = end[0];
        while (i < n && text.charAt(i) != ',') {
          i++;
        }
      } else {
        int start = i;
        while (i < n && text.charAt(i) != ',') {
          i++;
        }
        out.add(text.substring(start, i).trim());
      }
      if (i >= n) {
        return out;
      }
      i++;
    }
  }

  /**
   * Reads a quoted token starting at {@code start} (the quote); {@code end[0]} receives the index
   * after the closing quote.
   */
  static String unquote(String text, int start, int[] end) {
    char q = text.charAt(start);
    StringBuilder sb = new StringBuilder();
    for (int i = start + 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length()) {
        sb.append(text.charAt(++i));
      } else if (c == q) {
        end[0] = i + 1;
        return sb.toString();
      } else {
        sb.append(c);
      }
    }
    return null;
  }

  /** The file name without its last extension. */
  static String stem(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dot > 0 ? fileName.substring(0, dot) : fileName;
  }
}
