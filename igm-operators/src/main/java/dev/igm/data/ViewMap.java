package dev.igm.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which table columns form which modality. Spec grammar: a list of items separated by {@code ,} or
 * {@code ;} (the two mean the same); an item {@code name=x} starts the view {@code name} with its
 * first column item {@code x}, and every following item without {@code =} adds a column to the view
 * started last. A column item is a 1-based inclusive attribute position or range ({@code 3}, {@code
 * 1-9}) or a column name ({@code a1}, {@code region-centroid-col}); in a numpy archive it may also
 * name a whole array ({@code audio=audio_feats;video=video_feats}). Items that consist only of
 * digits (with one optional {@code -}) are positions. So {@code visible=1,2,5,6}, {@code
 * visible=1-4,7}, {@code shape=1-9,colour=10-19}, {@code shape=1-9;colour=10-19} and {@code
 * audio=a1,a2,video=v1} are all valid. Positions count every column of the table, the label and
 * split columns included (as in ARFF "attributes 1–9"). Modalities keep the order of the spec;
 * features keep the order of the items. A column whose name contains {@code ,}, {@code ;} or {@code
 * =}, or consists only of digits, is selected by its position.
 */
public final class ViewMap {
  /** The name of the single modality used when no view map is configured. */
  public static final String DEFAULT_MODALITY = "features";

  /** The accepted forms, for error messages. */
  public static final String FORMS =
      "accepted forms: 'name=1-4,7', 'name=1,2,5,6', 'a=1-9,b=10-19', 'a=col1,col2,b=col3'";

  private static final Pattern RANGE = Pattern.compile("(\\d+)(?:-(\\d+))?");
  private static final Pattern MODALITY_NAME = Pattern.compile("[A-Za-z0-9_.\\-]+");

  private final LinkedHashMap<String, List<String>> items;
  private final String spec;

  private ViewMap(LinkedHashMap<String, List<String>> items, String spec) {
    this.items = items;
    this.spec = spec;
  }

  /** Whether {@code name} may name a modality: letters, digits, {@code _ . -}. */
  public static boolean validModalityName(String name) {
    return name != null && MODALITY_NAME.matcher(name).matches();
  }

  /**
   * Parses a spec; throws IllegalArgumentException naming the problem (syntax, duplicate modality,
   * empty view, bad range).
   */
  public static ViewMap parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("view map is empty (" + FORMS + ")");
    }
    LinkedHashMap<String, List<String>> items = new LinkedHashMap<>();
    List<String> list = null;
    String name = null;
    for (String token : spec.split("[,;]", -1)) {
      int eq = token.indexOf('=');
      String item = token;
      if (eq >= 0) {
        name = token.substring(0, eq).trim();
        item = token.substring(eq + 1);
        if (!MODALITY_NAME.matcher(name).matches()) {
          throw new IllegalArgumentException(
              "view map '"
                  + spec
                  + "': bad modality name '"
                  + name
                  + "' (letters, digits, _ . - only; "
                  + FORMS
                  + ")");
        }
        if (items.containsKey(name)) {
          throw new IllegalArgumentException(
              "view map '" + spec + "': modality '" + name + "' is given twice");
        }
        list = new ArrayList<>();
        items.put(name, list);
      } else if (list == null) {
        throw new IllegalArgumentException(
            "view map '"
                + spec
                + "': '"
                + token.trim()
                + "' comes before any name=columns ("
                + FORMS
                + ")");
      }
      String t = item.trim();
      if (t.indexOf('=') >= 0) {
        throw new IllegalArgumentException(
            "view map '"
                + spec
                + "': '"
                + token.trim()
                + "' has two '=': separate the"
                + " views with ',' ("
                + FORMS
                + ")");
      }
      if (t.isEmpty()) {
        throw new IllegalArgumentException(
            "view map '"
                + spec
                + "': modality '"
                + name
                + "' has an empty column item ("
                + FORMS
                + ")");
      }
      Matcher m = RANGE.matcher(t);
      if (m.matches()) {
        long from = Long.parseLong(m.group(1));
        long to = m.group(2) == null ? from : Long.parseLong(m.group(2));
        if (from < 1 || to < from) {
          throw new IllegalArgumentException(
              "view map '"
                  + spec
                  + "': modality '"
                  + name
                  + "' has bad range '"
                  + t
                  + "' (1-based, inclusive, from <= to)");
        }
      }
      list.add(t);
    }
    items.replaceAll((k, v) -> List.copyOf(v));
    return new ViewMap(items, spec.trim());
  }

  /** Modality names in the configured order. */
  public List<String> modalities() {
    return List.copyOf(items.keySet());
  }

  /** The spec as given. */
  public String spec() {
    return spec;
  }

  @Override
  public String toString() {
    return spec;
  }

  /**
   * Resolves the view map against a table's columns.
   *
   * @param columns column names in table order; an entry may be null where the table has no names
   *     (NPY matrices)
   * @param reserved 0-based column index → why it cannot be a feature (e.g. "the label column");
   *     never part of a view
   * @param source file name for messages
   * @return modality → 0-based column indices, in modality order
   * @throws IllegalArgumentException naming the problem: position out of range, unknown column
   *     name, overlap, reserved column
   */
  public LinkedHashMap<String, int[]> resolve(
      List<String> columns, Map<Integer, String> reserved, String source) {
    Map<String, Integer> byName = new HashMap<>();
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i) != null) {
        byName.putIfAbsent(columns.get(i), i);
      }
    }
    Map<Integer, String> owner = new HashMap<>();
    LinkedHashMap<String, int[]> resolved = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> view : items.entrySet()) {
      String modality = view.getKey();
      List<Integer> cols = new ArrayList<>();
      for (String item : view.getValue()) {
        Matcher m = RANGE.matcher(item);
        if (m.matches()) {
          long from = Long.parseLong(m.group(1));
          long to = m.group(2) == null ? from : Long.parseLong(m.group(2));
          if (to > columns.size()) {
            throw new IllegalArgumentException(
                source
                    + ": view '"
                    + modality
                    + "': attribute "
                    + to
                    + " is out of range (the table has attributes 1.."
                    + columns.size()
                    + ")");
          }
          for (long p = from; p <= to; p++) {
            cols.add((int) p - 1);
          }
        } else {
          Integer idx = byName.get(item);
          if (idx == null) {
            throw new IllegalArgumentException(
                source
                    + ": view '"
                    + modality
                    + "': unknown column '"
                    + item
                    + "'"
                    + (byName.isEmpty()
                        ? " (the table has no column names; use 1-based positions)"
                        : ""));
          }
          cols.add(idx);
        }
      }
      for (int c : cols) {
        String label = describe(columns, c);
        if (reserved.containsKey(c)) {
          throw new IllegalArgumentException(
              source
                  + ": view '"
                  + modality
                  + "' includes "
                  + label
                  + ", which is "
                  + reserved.get(c)
                  + " and cannot be a feature");
        }
        String previous = owner.putIfAbsent(c, modality);
        if (previous != null) {
          throw new IllegalArgumentException(
              source
                  + ": "
                  + label
                  + " is in view '"
                  + previous
                  + "'"
                  + (previous.equals(modality) ? " twice" : " and in view '" + modality + "'"));
        }
      }
      resolved.put(modality, cols.stream().mapToInt(Integer::intValue).toArray());
    }
    return resolved;
  }

  /**
   * The default layout: one modality {@value #DEFAULT_MODALITY} with every column that is not
   * reserved.
   */
  public static LinkedHashMap<String, int[]> allColumns(
      int columnCount, Map<Integer, String> reserved) {
    int[] cols =
        java.util.stream.IntStream.range(0, columnCount)
            .filter(c -> !reserved.containsKey(c))
            .toArray();
    LinkedHashMap<String, int[]> resolved = new LinkedHashMap<>();
    resolved.put(DEFAULT_MODALITY, cols);
    return resolved;
  }

  static String describe(List<String> columns, int c) {
    String n = columns.get(c);
    return "attribute " + (c + 1) + (n == null ? "" : " ('" + n + "')");
  }

  /** Unmodifiable modality → items, as parsed. */
  public Map<String, List<String>> items() {
    return Collections.unmodifiableMap(items);
  }
}
