package dev.igm.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Reads delimited text with a header row ({@link TableOptions#delimiter()}, default comma;
 * double-quoted fields with {@code ""} escapes, within one line). The label column is {@link
 * TableOptions#labelColumn()} (default: the last column); an optional {@link
 * TableOptions#splitColumn()} holds TRAIN/VALID/TEST. Every other column may be a feature. Empty
 * lines are skipped; missing feature values (empty, {@code ?}, {@code NA}, {@code N/A}, {@code
 * NaN}, {@code null}) are NaN when {@link TableOptions#keepMissing()}, else the table is refused
 * with how many rows have them.
 */
public final class CsvReader {
  private CsvReader() {}

  public static MultiViewDataset read(Path file, TableOptions options) {
    return TableReader.readFile(file, options, CsvReader::read);
  }

  /**
   * @param sourceName file name used in the sample ids (its stem) and in error messages
   */
  public static MultiViewDataset read(InputStream in, String sourceName, TableOptions options) {
    return assemble(in, sourceName, options).finish();
  }

  /**
   * Every row read into an assembler (for {@link TableAssembler#finish()} or, in a join, {@link
   * TableAssembler#part()}).
   */
  static TableAssembler assemble(InputStream in, String sourceName, TableOptions options) {
    try {
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      TableAssembler assembler = null;
      int lineNo = 0;
      String line;
      while ((line = reader.readLine()) != null) {
        lineNo++;
        if (lineNo == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        if (line.isBlank()) {
          continue;
        }
        List<String> fields = TextFields.csv(line, options.delimiter());
        if (fields == null) {
          throw DatasetFormatException.atLine(sourceName, lineNo, "unclosed quote");
        }
        if (assembler == null) {
          assembler = header(sourceName, lineNo, fields, options);
        } else {
          assembler.addRow(lineNo, fields);
        }
      }
      if (assembler == null) {
        throw new DatasetFormatException(sourceName + ": empty file (expected a header row)");
      }
      return assembler;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + sourceName, e);
    }
  }

  private static TableAssembler header(
      String source, int lineNo, List<String> columns, TableOptions options) {
    if (new HashSet<>(columns).size() != columns.size()) {
      throw DatasetFormatException.atLine(
          source, lineNo, "duplicate column names in header " + columns);
    }
    TableAssembler.Roles roles = TableAssembler.roles(source, columns, options);
    Map<Integer, String> nonFeature = new HashMap<>();
    if (roles.label() >= 0) {
      nonFeature.put(roles.label(), "the label column");
    }
    if (roles.split() >= 0) {
      nonFeature.put(roles.split(), "the split column");
    }
    if (roles.id() >= 0) {
      nonFeature.put(roles.id(), "the join column");
    }
    return new TableAssembler(
        source, TextFields.stem(source), columns, roles, nonFeature, options.classNames(), options);
  }
}
