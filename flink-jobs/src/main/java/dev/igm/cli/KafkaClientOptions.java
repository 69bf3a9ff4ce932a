package dev.igm.cli;

import dev.igm.jobs.KafkaClientProperties;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The Kafka client settings every command that talks to Kafka takes, spelt the same everywhere:
 * {@code --kafka-property KEY=VALUE} (repeatable) and {@code --kafka-properties-file FILE} (a Java
 * properties file, for passwords and JAAS settings: what is on a command line, every local user can
 * read in the process list). A {@code --kafka-property} wins over the file. The training job's
 * configuration has the same as {@code kafka.properties.<key>} and {@code kafka.properties-file}.
 */
public final class KafkaClientOptions {
  @Option(
      names = "--kafka-property",
      paramLabel = "KEY=VALUE",
      description =
          "A Kafka client property (repeatable), e.g. security.protocol=SASL_SSL; wins over the file's.")
  Map<String, String> properties = new LinkedHashMap<>();

  @Option(
      names = "--kafka-properties-file",
      paramLabel = "FILE",
      description =
          "Kafka client properties from a Java properties file (security.protocol, sasl.jaas.config,"
              + " ssl.truststore.*): keeps passwords off the command line.")
  Path file;

  /**
   * The file's properties, then the {@code --kafka-property} ones over them, then {@code
   * deprecated} (an alias).
   */
  Map<String, String> resolve(Map<String, String> deprecated) {
    Map<String, String> out = new LinkedHashMap<>();
    if (file != null) {
      out.putAll(KafkaClientProperties.load(file));
    }
    out.putAll(properties);
    if (deprecated != null) {
      out.putAll(deprecated);
    }
    return out;
  }

  Map<String, String> resolve() {
    return resolve(null);
  }

  /** Prints the deprecation warning of an old option spelling that was used. */
  static void warnDeprecated(java.io.PrintWriter err, String command, String old, boolean used) {
    if (used) {
      err.println(
          "igm "
              + command
              + ": "
              + old
              + " is deprecated and will be removed; use --kafka-property"
              + " KEY=VALUE (or --kafka-properties-file FILE), as every command does");
      err.flush();
    }
  }
}
