package dev.igm.data.layout;

import dev.igm.data.DatasetFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Delimited annotation files of the paper layouts (CSV, TSV), read line by line with their line
 * numbers so that every problem can name file and line. A UTF-8 byte-order mark is dropped
 * (CREMA-D's CSVs are read with {@code utf-8-sig}).
 */
final class AnnotationFile {
  /** One non-blank line split into fields. */
  record Line(Path file, int number, List<String> fields) {
    String where() {
      return file + " line " + number;
    }

    DatasetFormatException error(String problem) {
      return new DatasetFormatException(where() + ": " + problem);
    }

    String field(int index, String what) {
      if (index >= fields.size()) {
        throw error(
            "expected a "
                + what
                + " in column "
                + (index + 1)
                + ", the line has "
                + fields.size()
                + " fields");
      }
      return fields.get(index).strip();
    }
  }

  private AnnotationFile() {}

  /**
   * @param quoted CSV quoting ({@code "a,b"}, {@code ""} inside quotes); off for TSV, whose tweets
   *     contain bare quotes
   */
  static List<Line> read(Path file, char delimiter, boolean quoted) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new DatasetFormatException(
          file + ": cannot read annotation file (" + e.getMessage() + ")", e);
    }
    List<Line> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String s = lines.get(i);
      if (i == 0 && s.startsWith("\uFEFF")) {
        s = s.substring(1);
      }
      if (s.isBlank()) {
        continue;
      }
      out.add(
          new Line(
              file,
              i + 1,
              quoted
                  ? splitQuoted(s, delimiter, file, i + 1)
                  : List.of(s.split(String.valueOf(delimiter), -1))));
    }
    return out;
  }

  /**
   * The index of the first header field equal to one of {@code names}; error naming the file when
   * none is.
   */
  static int column(Line header, String... names) {
    for (int i = 0; i < header.fields().size(); i++) {
      for (String n : names) {
        if (header.fields().get(i).strip().equals(n)) {
          return i;
        }
      }
    }
    throw header.error(
        "no column " + String.join(" or ", names) + " in the header " + header.fields());
  }

  private static List<String> splitQuoted(String s, char delimiter, Path file, int line) {
    List<String> fields = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inQuotes = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (inQuotes) {
        if (c == '"' && i + 1 < s.length() && s.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (c == '"') {
          inQuotes = false;
        } else {
          cur.append(c);
        }
      } else if (c == '"' && cur.length() == 0) {
        inQuotes = true;
      } else if (c == delimiter) {
        fields.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    if (inQuotes) {
      throw new DatasetFormatException(file + " line " + line + ": unterminated quoted field");
    }
    fields.add(cur.toString());
    return fields;
  }
}
