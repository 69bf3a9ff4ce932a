package dev.igm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.jobs.TrainJobConfig;
import dev.igm.kafka.LocalKafkaBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * One spelling of the Kafka client settings in every command: {@code --kafka-property KEY=VALUE}
 * and {@code --kafka-properties-file FILE} (replay, train, serve, report); a property given on the
 * command line wins over the file's; replay's old {@code --producer-prop} still works and says it
 * is deprecated.
 */
class KafkaClientOptionsTest {
  private static final String JAAS =
      "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"igm\" password=\"s3cret\";";

  @TempDir Path dir;

  private Path propertiesFile() throws Exception {
    return Files.writeString(
        dir.resolve("client.properties"),
        "security.protocol=SASL_SSL\n"
            + "sasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config="
            + JAAS.replace("=", "\\=")
            + "\nlinger.ms=7\n");
  }

  private static <T> T parse(T command, String... args) {
    new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
    return command;
  }

  @Test
  void everyCommandTakesTheSameOptionsAndTheCommandLineWinsOverTheFile() throws Exception {
    String file = propertiesFile().toString();
    String[] kafka = {"--kafka-properties-file", file, "--kafka-property", "linger.ms=50"};
    Map<String, String> expected =
        Map.of(
            "security.protocol",
            "SASL_SSL",
            "sasl.mechanism",
            "SCRAM-SHA-512",
            "sasl.jaas.config",
            JAAS,
            "linger.ms",
            "50");

    ReplayCommand replay =
        parse(new ReplayCommand(), concat(new String[] {"--dataset", "segment"}, kafka));
    assertThat(replay.kafka.resolve(replay.producerProps))
        .containsExactlyInAnyOrderEntriesOf(expected);

    ServeCommand serve = parse(new ServeCommand(), concat(new String[] {"--model", "igm"}, kafka));
    assertThat(serve.options().kafkaProperties()).containsExactlyInAnyOrderEntriesOf(expected);

    ReportCommand report =
        parse(new ReportCommand(), concat(new String[] {"--bootstrap", "localhost:9092"}, kafka));
    assertThat(report.kafka.resolve()).containsExactlyInAnyOrderEntriesOf(expected);

    Path config = LocalKafkaBroker.locateProjectRoot().resolve("config/train-segment.yaml");
    TrainCommand train =
        parse(new TrainCommand(), concat(new String[] {"--config", config.toString()}, kafka));
    assertThat(TrainJobConfig.load(config, train.settings()).kafkaProperties())
        .containsExactlyInAnyOrderEntriesOf(expected);
    // the job configuration's own keys: the file, and a kafka.properties.<key> over it
    TrainJobConfig fromKeys =
        TrainJobConfig.load(
            config,
            java.util.List.of(
                "kafka.properties-file=" + file,
                "kafka.properties.linger.ms=50",
                "kafka.properties.sasl.jaas.config=" + JAAS));
    assertThat(fromKeys.kafkaProperties()).containsExactlyInAnyOrderEntriesOf(expected);
  }

  @Test
  void theOldReplaySpellingStillWorksAndSaysItIsDeprecated() {
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new IgmCli());
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(new StringWriter()));
    int code =
        cl.execute(
            "replay",
            "--dataset",
            "segment",
            "--dry-run",
            "--no-progress",
            "--producer-prop",
            "linger.ms=5");
    // the warning comes first, whatever follows: here the refusal of a Kafka setting with
    // --dry-run, which sends nothing
    assertThat(code).as(err.toString()).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "igm replay: --producer-prop is deprecated",
            "use --kafka-property KEY=VALUE",
            "--producer-prop concerns sending to Kafka, and --dry-run sends nothing");

    ReplayCommand replay =
        parse(
            new ReplayCommand(),
            "--dataset",
            "segment",
            "--producer-prop",
            "acks=1",
            "--kafka-property",
            "linger.ms=5");
    assertThat(replay.kafka.resolve(replay.producerProps))
        .containsEntry("acks", "1")
        .containsEntry("linger.ms", "5");
  }

  @Test
  void aMissingPropertiesFileIsOneLineAndExitCode2() {
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new IgmCli());
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(new StringWriter()));
    int code =
        cl.execute(
            "replay",
            "--dataset",
            "segment",
            "--no-progress",
            "--kafka-properties-file",
            dir.resolve("absent.properties").toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString().strip())
        .startsWith("igm replay: cannot read the Kafka properties file")
        .endsWith("absent.properties: no such file")
        .doesNotContain("\tat ");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
