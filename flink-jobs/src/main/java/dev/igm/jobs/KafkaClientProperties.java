package dev.igm.jobs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kafka client properties a user hands to a job (security, SASL, timeouts, compression, {@code linger.ms} ...), for its
 * consumers and producers. The ones a job sets itself are refused, naming the setting to use instead: a user's
 * {@code isolation.level} or serializer would silently break exactly-once or the record formats.
 */
public final class KafkaClientProperties {
  private KafkaClientProperties() {}

  /**
   * {@code properties}, checked; {@code managed} maps each property the job sets itself to the setting that sets it,
   * or to null where no setting may change it.
   */
  public static Map<String, String> checked(Map<String, String> properties, Map<String, String> managed, String origin) {
    for (String key : properties.keySet()) {
      if (managed.containsKey(key)) {
        String instead = managed.get(key);
        throw new IllegalArgumentException(origin + key + ": the job sets the Kafka property " + key + " itself"
            + (instead == null ? " (exactly-once and the record formats depend on it)" : "; use " + instead));
      }
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(properties));
  }

  /**
   * The properties a job manages: {@code withSetting} (property to the setting that sets it), {@code fixed} (no
   * setting may change them) and the (de)serializers.
   */
  static Map<String, String> managed(Map<String, String> withSetting, String... fixed) {
    Map<String, String> m = new LinkedHashMap<>(withSetting);
    for (String k : fixed) {
      m.put(k, null);
    }
    for (String k : new String[] {"key.serializer", "value.serializer", "key.deserializer", "value.deserializer"}) {
      m.put(k, null);
    }
    return Collections.unmodifiableMap(m);
  }
}
