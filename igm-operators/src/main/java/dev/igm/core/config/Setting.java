package dev.igm.core.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration key described once — name, type, default, validation and help text — in the way
 * of Flink's {@code ConfigOption} and flink-ml's {@code Param}: parsing (from a YAML value or a
 * command-line string), checking, rendering and the generated reference page
 * (docs/CONFIGURATION.md) all read this one description.
 *
 * <pre>
 * Setting&lt;Integer&gt; PHASE = Setting.key("phase.batches").integer().defaultValue(10)
 *     .check(v -&gt; v &gt;= 1, "&gt;= 1").help("Mini-batches per phase of the phased schedule.");
 * </pre>
 *
 * @param <T> the value type
 */
public final class Setting<T> {
  private final String key;
  private final Type<T> type;
  private final T defaultValue;
  private final String defaultText;
  private final Predicate<T> check;
  private final String requirement;
  private final String help;
  private final boolean writtenAtDefault;

  private Setting(
      String key,
      Type<T> type,
      T defaultValue,
      String defaultText,
      Predicate<T> check,
      String requirement,
      String help,
      boolean writtenAtDefault) {
    this.key = key;
    this.type = type;
    this.defaultValue = defaultValue;
    this.defaultText = defaultText;
    this.check = check;
    this.requirement = requirement;
    this.help = help;
    this.writtenAtDefault = writtenAtDefault;
  }

  /** Starts the description of {@code key}; pick its type next. */
  public static Builder key(String key) {
    return new Builder(key);
  }

  public String key() {
    return key;
  }

  /** The value, or null for a setting without default (required, or optional and unset). */
  public T defaultValue() {
    return defaultValue;
  }

  /** Whether a value must be given: no default value and no derived default. */
  public boolean required() {
    return defaultValue == null && defaultText == null;
  }

  /** The default as the reference page shows it. */
  public String defaultText() {
    return defaultText != null
        ? defaultText
        : defaultValue == null ? "required" : render(defaultValue).toString();
  }

  /** The type as the reference page shows it ({@code int}, {@code one of a, b}, ...). */
  public String typeName() {
    return type.name;
  }

  /** What a valid value must satisfy, or empty. */
  public String requirement() {
    return requirement == null ? "" : requirement;
  }

  public String help() {
    return help;
  }

  /**
   * Whether configuration maps carry this setting when it has its default (false: only when set
   * otherwise).
   */
  public boolean writtenAtDefault() {
    return writtenAtDefault;
  }

  /**
   * A value from YAML (typed) or from the command line (text); a clear error names the key
   * otherwise.
   */
  public T parse(Object raw) {
    if (raw == null) {
      throw new IllegalArgumentException(key + " needs a value");
    }
    return type.parse.apply(new Raw(key, raw));
  }

  /** Throws when {@code value} breaks the setting's requirement. */
  public T validate(T value) {
    if (check != null && (value == null || !check.test(value))) {
      throw new IllegalArgumentException(
          key + " must be " + requirement + ", got " + render(value));
    }
    return value;
  }

  /** The value as configuration maps (YAML, JSON) hold it. */
  public Object render(T value) {
    return value == null ? null : type.render.apply(value);
  }

  @Override
  public String toString() {
    return key;
  }

  /** A raw value and the key it is for, so parse errors can name it. */
  public record Raw(String key, Object value) {
    public String text() {
      return Objects.requireNonNull(value, "value").toString().trim();
    }

    public IllegalArgumentException error(String expected) {
      return new IllegalArgumentException(key + " must be " + expected + ", got '" + value + "'");
    }
  }

  /** How values of one type are read and written. */
  public record Type<T>(String name, Function<Raw, T> parse, Function<T, Object> render) {}

  /** Chooses the type, then the default, the check and the help text. */
  public static final class Builder {
    private final String key;

    private Builder(String key) {
      this.key = key;
    }

    public <T> Typed<T> type(Type<T> type) {
      return new Typed<>(key, type);
    }

    public Typed<Integer> integer() {
      return type(INT);
    }

    public Typed<Long> longInteger() {
      return type(LONG);
    }

    public Typed<Double> number() {
      return type(DOUBLE);
    }

    public Typed<Boolean> bool() {
      return type(BOOLEAN);
    }

    public Typed<String> text() {
      return type(TEXT);
    }

    public Typed<List<Integer>> integers() {
      return type(INT_LIST);
    }

    public Typed<List<Double>> numbers() {
      return type(DOUBLE_LIST);
    }

    /**
     * An enum written in lower case with {@code -} for {@code _} ({@code PER_PHASE} is {@code
     * per-phase}).
     */
    public <E extends Enum<E>> Typed<E> oneOf(Class<E> type) {
      return type(enumType(type));
    }
  }

  /** A setting with its type chosen. */
  public static final class Typed<T> {
    private final String key;
    private final Type<T> type;
    private T defaultValue;
    private String defaultText;
    private Predicate<T> check;
    private String requirement;
    private boolean writtenAtDefault = true;

    private Typed(String key, Type<T> type) {
      this.key = key;
      this.type = type;
    }

    public Typed<T> defaultValue(T value) {
      this.defaultValue = value;
      return this;
    }

    /** The default as documented when it is derived rather than a value (e.g. "as sam.rho"). */
    public Typed<T> defaultText(String text) {
      this.defaultText = text;
      return this;
    }

    /** What a valid value satisfies; {@code requirement} completes "&lt;key&gt; must be ...". */
    public Typed<T> check(Predicate<T> check, String requirement) {
      this.check = check;
      this.requirement = requirement;
      return this;
    }

    /**
     * Configuration maps carry this setting only when it is not at its default (settings added
     * later).
     */
    public Typed<T> omittedAtDefault() {
      this.writtenAtDefault = false;
      return this;
    }

    public Setting<T> help(String help) {
      return new Setting<>(
          key, type, defaultValue, defaultText, check, requirement, help, writtenAtDefault);
    }
  }

  // ------------------------------------------------------------------------------------------
  // types

  public static final Type<Integer> INT =
      new Type<>(
          "int",
          r -> {
            long v = integral(r, "an integer");
            if (v != (int) v) {
              throw r.error("an integer");
            }
            return (int) v;
          },
          v -> v);

  public static final Type<Long> LONG = new Type<>("long", r -> integral(r, "an integer"), v -> v);

  public static final Type<Double> DOUBLE =
      new Type<>(
          "double",
          r -> {
            if (r.value() instanceof Number n) {
              return n.doubleValue();
            }
            try {
              return Double.parseDouble(r.text());
            } catch (NumberFormatException e) {
              throw r.error("a number");
            }
          },
          v -> v);

  public static final Type<Boolean> BOOLEAN =
      new Type<>(
          "boolean",
          r -> {
            if (r.value() instanceof Boolean b) {
              return b;
            }
            String s = r.text().toLowerCase(Locale.ROOT);
            if (!s.equals("true") && !s.equals("false")) {
              throw r.error("true or false");
            }
            return Boolean.parseBoolean(s);
          },
          v -> v);

  public static final Type<String> TEXT = new Type<>("string", Raw::text, v -> v);

  public static final Type<List<Integer>> INT_LIST =
      new Type<>(
          "list of int",
          r -> listOf(r).stream().map(o -> INT.parse().apply(new Raw(r.key(), o))).toList(),
          ArrayList::new);

  public static final Type<List<Double>> DOUBLE_LIST =
      new Type<>(
          "list of double",
          r -> listOf(r).stream().map(o -> DOUBLE.parse().apply(new Raw(r.key(), o))).toList(),
          ArrayList::new);

  /** The wire name of an enum constant: lower case, {@code -} for {@code _}. */
  public static String wireName(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static <E extends Enum<E>> Type<E> enumType(Class<E> type) {
    List<String> names = Arrays.stream(type.getEnumConstants()).map(Setting::wireName).toList();
    return new Type<>(
        "one of " + String.join(", ", names),
        r -> {
          try {
            return Enum.valueOf(type, r.text().toUpperCase(Locale.ROOT).replace('-', '_'));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                r.key() + ": unknown value '" + r.value() + "' (one of " + names + ")");
          }
        },
        Setting::wireName);
  }

  private static long integral(Raw r, String expected) {
    if (r.value() instanceof Number n) {
      if (n.doubleValue() != Math.rint(n.doubleValue())) {
        throw r.error(expected);
      }
      return n.longValue();
    }
    try {
      return Long.parseLong(r.text());
    } catch (NumberFormatException e) {
      throw r.error(expected);
    }
  }

  /**
   * A YAML list, or a comma-separated string ({@code 128,32} or {@code [128, 32]}) from the command
   * line.
   */
  @SuppressWarnings("unchecked")
  private static List<Object> listOf(Raw r) {
    if (r.value() instanceof List) {
      return (List<Object>) r.value();
    }
    List<Object> out = new ArrayList<>();
    for (String s : r.text().replace("[", "").replace("]", "").split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }
}
