package dev.igm.jobs;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Kafka client properties a user hands to a job (security, SASL, timeouts, compression, {@code
 * linger.ms} ...), for its consumers and producers. The ones a job sets itself are refused, naming
 * the setting to use instead: a user's {@code isolation.level} or serializer would silently break
 * exactly-once or the record formats.
 */
public final class KafkaClientProperties {
  private KafkaClientProperties() {}

  /**
   * {@code properties}, checked; {@code managed} maps each property the job sets itself to the
   * setting that sets it, or to null where no setting may change it.
   */
  public static Map<String, String> checked(
      Map<String, String> properties, Map<String, String> managed, String origin) {
    for (String key : properties.keySet()) {
      if (managed.containsKey(key)) {
        String instead = managed.get(key);
        throw new IllegalArgumentException(
            origin
                + key
                + ": the job sets the Kafka property "
                + key
                + " itself"
                + (instead == null
                    ? " (exactly-once and the record formats depend on it)"
                    : "; use " + instead));
      }
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(properties));
  }

  /**
   * The properties a job manages: {@code withSetting} (property to the setting that sets it),
   * {@code fixed} (no setting may change them) and the (de)serializers.
   */
  static Map<String, String> managed(Map<String, String> withSetting, String... fixed) {
    Map<String, String> m = new LinkedHashMap<>(withSetting);
    for (String k : fixed) {
      m.put(k, null);
    }
    for (String k :
        new String[] {
          "key.serializer", "value.serializer", "key.deserializer", "value.deserializer"
        }) {
      m.put(k, null);
    }
    return Collections.unmodifiableMap(m);
  }

  /**
   * The properties in a Java properties file ({@code --kafka-properties-file}, {@code
   * kafka.properties-file}): where passwords and JAAS settings belong, rather than on a command
   * line every local user can read.
   */
  public static Map<String, String> load(Path file) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the Kafka properties file "
              + file
              + ": "
              + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()),
          e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : new java.util.TreeSet<>(p.stringPropertyNames())) {
      out.put(key, p.getProperty(key).strip());
    }
    return out;
  }
}
