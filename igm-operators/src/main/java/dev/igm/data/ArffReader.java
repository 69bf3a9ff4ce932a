package dev.igm.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads Weka ARFF files (dense data): numeric/real/integer attributes are features, one nominal
 * attribute is the class (by default the last attribute; {@link TableOptions#labelColumn()} names
 * another), an optional nominal or string attribute holds the split. Lines starting with {@code %}
 * are comments; names and values may be quoted. Missing feature values ({@code ?}, or empty, {@code
 * NA}, {@code NaN}, {@code null}) are NaN when {@link TableOptions#keepMissing()}, else the table
 * is refused with how many rows have them; sparse rows, date and relational attributes are rejected
 * with the file and line. Class names are the nominal declaration order (unless {@link
 * TableOptions#classNames()} pins another order).
 */
public final class ArffReader {
  private ArffReader() {}

  private enum Kind {
    NUMERIC,
    NOMINAL,
    STRING
  }

  public static MultiViewDataset read(Path file, TableOptions options) {
    return TableReader.readFile(file, options, ArffReader::read);
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
      List<String> names = new ArrayList<>();
      List<Kind> kinds = new ArrayList<>();
      List<List<String>> nominalValues = new ArrayList<>();
      TableAssembler assembler = null;
      int lineNo = 0;
      String line;
      while ((line = reader.readLine()) != null) {
        lineNo++;
        String t = line.strip();
        if (lineNo == 1 && t.startsWith("\uFEFF")) {
          t = t.substring(1).strip();
        }
        if (t.isEmpty() || t.startsWith("%")) {
          continue;
        }
        if (assembler == null) {
          String lower = t.toLowerCase(Locale.ROOT);
          if (lower.startsWith("@relation")) {
            continue;
          }
          if (lower.startsWith("@attribute")) {
            parseAttribute(
                sourceName,
                lineNo,
                t.substring("@attribute".length()).strip(),
                names,
                kinds,
                nominalValues);
            continue;
          }
          if (lower.equals("@data")) {
            assembler = startData(sourceName, lineNo, names, kinds, nominalValues, options);
            continue;
          }
          throw DatasetFormatException.atLine(
              sourceName,
              lineNo,
              "expected @relation, @attribute or @data, found '" + abbreviate(t) + "'");
        }
        if (t.startsWith("{")) {
          throw DatasetFormatException.atLine(
              sourceName, lineNo, "sparse ARFF rows are not supported");
        }
        List<String> values = TextFields.arff(t);
        if (values == null) {
          throw DatasetFormatException.atLine(sourceName, lineNo, "unclosed quote");
        }
        assembler.addRow(lineNo, values);
      }
      if (assembler == null) {
        throw new DatasetFormatException(sourceName + ": no @data section");
      }
      return assembler;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + sourceName, e);
    }
  }

  private static void parseAttribute(
      String source,
      int lineNo,
      String rest,
      List<String> names,
      List<Kind> kinds,
      List<List<String>> nominalValues) {
    String name;
    String type;
    if (rest.startsWith("'") || rest.startsWith("\"")) {
      int[] end = new int[1];
      name = TextFields.unquote(rest, 0, end);
      if (name == null) {
        throw DatasetFormatException.atLine(source, lineNo, "unclosed quote in attribute name");
      }
      type = rest.substring(end[0]).strip();
    } else {
      int sp = 0;
      while (sp < rest.length()
          && !Character.isWhitespace(rest.charAt(sp))
          && rest.charAt(sp) != '{') {
        sp++;
      }
      name = rest.substring(0, sp);
      type = rest.substring(sp).strip();
    }
    if (name.isEmpty() || type.isEmpty()) {
      throw DatasetFormatException.atLine(source, lineNo, "expected '@attribute <name> <type>'");
    }
    if (names.contains(name)) {
      throw DatasetFormatException.atLine(
          source, lineNo, "attribute '" + name + "' is declared twice");
    }
    String lowerType = type.toLowerCase(Locale.ROOT);
    if (type.startsWith("{")) {
      if (!type.endsWith("}")) {
        throw DatasetFormatException.atLine(
            source, lineNo, "nominal attribute '" + name + "' lacks its closing '}'");
      }
      List<String> values = TextFields.arff(type.substring(1, type.length() - 1));
      if (values == null || values.isEmpty() || values.contains("")) {
        throw DatasetFormatException.atLine(
            source, lineNo, "bad nominal values for attribute '" + name + "'");
      }
      names.add(name);
      kinds.add(Kind.NOMINAL);
      nominalValues.add(List.copyOf(values));
    } else if (lowerType.equals("numeric")
        || lowerType.equals("real")
        || lowerType.equals("integer")) {
      names.add(name);
      kinds.add(Kind.NUMERIC);
      nominalValues.add(null);
    } else if (lowerType.equals("string")) {
      names.add(name);
      kinds.add(Kind.STRING);
      nominalValues.add(null);
    } else {
      throw DatasetFormatException.atLine(
          source,
          lineNo,
          "attribute '"
              + name
              + "' has unsupported type '"
              + type
              + "' (numeric, real, integer, string or {nominal values})");
    }
  }

  private static TableAssembler startData(
      String source,
      int lineNo,
      List<String> names,
      List<Kind> kinds,
      List<List<String>> nominalValues,
      TableOptions options) {
    if (names.isEmpty()) {
      throw DatasetFormatException.atLine(source, lineNo, "@data before any @attribute");
    }
    TableAssembler.Roles roles = TableAssembler.roles(source, names, options);
    int label = roles.label();
    int split = roles.split();
    if (label >= 0 && kinds.get(label) != Kind.NOMINAL) {
      throw new DatasetFormatException(
          source + ": the class attribute '" + names.get(label) + "' must be nominal");
    }
    Map<Integer, String> nonFeature = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      if (kinds.get(i) != Kind.NUMERIC) {
        nonFeature.put(i, "a " + kinds.get(i).name().toLowerCase(Locale.ROOT) + " attribute");
      }
    }
    if (label >= 0) {
      nonFeature.put(label, "the class attribute");
    }
    if (split >= 0) {
      nonFeature.put(split, "the split attribute");
    }
    if (roles.id() >= 0) {
      nonFeature.put(roles.id(), "the join attribute");
    }
    List<String> classes =
        options.classNames() != null
            ? options.classNames()
            : label >= 0 ? nominalValues.get(label) : null;
    return new TableAssembler(
        source, TextFields.stem(source), names, roles, nonFeature, classes, options);
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
