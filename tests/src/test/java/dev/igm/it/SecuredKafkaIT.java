package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.igm.avro.ModelSnapshot;
import dev.igm.cli.IgmCli;
import dev.igm.cluster.FlinkRestClient;
import dev.igm.codec.AvroBytes;
import dev.igm.jobs.ServingJob;
import dev.igm.kafka.LocalKafkaBroker;
import dev.igm.local.LocalScripts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product against a Kafka broker that requires SASL_SSL (SCRAM-SHA-512 over TLS, a private CA):
 * a KRaft broker on loopback started by {@code deploy/local/kafka.sh} with {@code
 * KAFKA_SECURITY=sasl_ssl} (certificates made with the JDK's keytool, SCRAM users created when the
 * storage is formatted). Replay, training job, serving job and report run through the command line
 * with the credentials passed the way a user passes them ({@code --kafka-properties-file}), end to
 * end. Then a wrong password and a certificate from a CA the client does not trust: every command
 * ends within seconds, with one line naming the cause and no stack trace, and writes nothing (no
 * record on any topic, no file in the model store).
 */
class SecuredKafkaIT {
  private static LocalKafkaBroker broker;

  @TempDir static Path scratch;

  @BeforeAll
  static void startSecuredBroker() throws Exception {
    broker =
        LocalKafkaBroker.builder()
            .port(0)
            .saslSsl()
            .startTimeout(Duration.ofMinutes(3))
            .build()
            .start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void replayTrainServeAndReportOverSaslSslThenRefusalsFailFastAndWriteNothing() throws Exception {
    assertThat(broker.clientProperties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    String bootstrap = broker.bootstrapServers();
    String credentials = broker.clientPropertiesFile().toString();
    Topics t =
        new Topics(
            "sec.samples",
            "sec.dlq",
            "sec.metrics",
            "sec.predictions",
            "sec.models",
            "sec.served",
            "sec.serve.dlq");
    broker.createTopics(t.all().toArray(String[]::new));

    // replay, as a user runs it
    Result replay =
        cli(
            "replay",
            "--dataset",
            "segment",
            "--bootstrap",
            bootstrap,
            "--topic",
            t.samples,
            "--kafka-properties-file",
            credentials,
            "--no-progress");
    assertThat(replay.code).as("igm replay: %s", replay.err).isZero();
    assertThat(replay.out).contains("replayed: 2310 records");

    // the training job, bounded, on embedded Flink
    Path store = scratch.resolve("models");
    Result train = cli(trainArgs(bootstrap, credentials, t, store));
    assertThat(train.code).as("igm train: %s", train.err).isZero();
    List<ModelSnapshot> versions = new ArrayList<>();
    AvroBytes<ModelSnapshot> snapshots = AvroBytes.of(ModelSnapshot.class);
    for (ConsumerRecord<byte[], byte[]> r : readAll(t.models)) {
      versions.add(snapshots.decode(r.value()));
    }
    assertThat(versions)
        .as("model versions published over SASL_SSL")
        .isNotEmpty()
        .anyMatch(v -> v.getModelId().equals("igm") && v.getVersion() == 75);
    assertThat(readAll(t.metrics)).isNotEmpty();

    // the serving job scores the replayed samples with the trained model, until cancelled through
    // its web UI's API
    int webPort = LocalScripts.freePort("127.0.0.1");
    String group = "sec-serve";
    CompletableFuture<Result> serve =
        CompletableFuture.supplyAsync(
            () ->
                cli(
                    "serve",
                    "--bootstrap",
                    bootstrap,
                    "--kafka-properties-file",
                    credentials,
                    "--model",
                    "igm",
                    "--samples-topic",
                    t.samples,
                    "--models-topic",
                    t.models,
                    "--predictions-topic",
                    t.served,
                    "--dlq-topic",
                    t.serveDlq,
                    "--samples-from",
                    "earliest",
                    "--group-id",
                    group,
                    "--model-store-root",
                    store.toString(),
                    "--web-port",
                    Integer.toString(webPort),
                    "--tmp-dir",
                    scratch.resolve("serve-tmp").toString()));
    try (TopicTail served = new TopicTail(bootstrap, broker.clientProperties(), t.served)) {
      served.await(
          r -> r.size() >= 2310, Duration.ofSeconds(120), "2310 predictions of the serving job");
    } finally {
      cancelJob(webPort, ServingJob.jobName(group), serve);
    }

    // the report reads the metrics and dead-letter topics
    Path report = scratch.resolve("report");
    Result rep =
        cli(
            "report",
            "--bootstrap",
            bootstrap,
            "--kafka-properties-file",
            credentials,
            "--metrics-topic",
            t.metrics,
            "--dlq-topic",
            t.dlq,
            "--out",
            report.toString());
    assertThat(rep.code).as("igm report: %s", rep.err).isZero();
    assertThat(report.resolve("index.html")).isNotEmptyFile();

    // --- refusals: a wrong password, then a certificate from a CA this client does not trust
    Map<String, Long> before = endOffsets(t.all());
    Path wrongPassword =
        withProperties(
            "wrong-password.properties",
            Map.of(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"igm\" password=\"not-the-password\";"));
    Path untrusted = withProperties("untrusted.properties", rogueTruststore());
    assertRefusedEverywhere(bootstrap, wrongPassword, t, "refused the credentials");
    assertRefusedEverywhere(bootstrap, untrusted, t, "certificate is not trusted");
    assertThat(endOffsets(t.all()))
        .as("no record written by a refused command, on any topic")
        .isEqualTo(before);
  }

  /**
   * Replay, train, serve and report with {@code properties}: each fails fast, says {@code cause},
   * writes nothing.
   */
  private static void assertRefusedEverywhere(
      String bootstrap, Path properties, Topics t, String cause) throws Exception {
    Path store = scratch.resolve("refused-" + properties.getFileName() + "-models");
    List<String[]> commands =
        List.of(
            new String[] {
              "replay",
              "--dataset",
              "segment",
              "--bootstrap",
              bootstrap,
              "--topic",
              t.samples,
              "--kafka-properties-file",
              properties.toString(),
              "--no-progress"
            },
            trainArgs(bootstrap, properties.toString(), t, store),
            new String[] {
              "serve",
              "--bootstrap",
              bootstrap,
              "--kafka-properties-file",
              properties.toString(),
              "--model",
              "igm",
              "--samples-topic",
              t.samples,
              "--models-topic",
              t.models,
              "--predictions-topic",
              t.served,
              "--dlq-topic",
              t.serveDlq,
              "--tmp-dir",
              scratch.resolve("serve-tmp").toString()
            },
            new String[] {
              "report",
              "--bootstrap",
              bootstrap,
              "--kafka-properties-file",
              properties.toString(),
              "--metrics-topic",
              t.metrics,
              "--dlq-topic",
              t.dlq,
              "--out",
              scratch.resolve("refused-report").toString()
            });
    for (String[] command : commands) {
      long t0 = System.nanoTime();
      Result r = cli(command);
      double seconds = (System.nanoTime() - t0) / 1e9;
      String what = "igm " + command[0] + " with " + properties.getFileName();
      assertThat(r.code).as("%s exit code (stderr: %s)", what, r.err).isEqualTo(1);
      assertThat(r.err)
          .as(what)
          .contains("igm " + command[0] + ": ")
          .contains(cause)
          .doesNotContain("\tat ");
      assertThat(seconds).as("%s failed within seconds", what).isLessThan(30);
      System.err.printf(
          java.util.Locale.ROOT, "SecuredKafkaIT: %s refused in %.1f s%n", what, seconds);
    }
    assertThat(store).as("the refused training job wrote no model file").doesNotExist();
    assertThat(scratch.resolve("refused-report"))
        .as("the refused report wrote nothing")
        .doesNotExist();
  }

  private static String[] trainArgs(String bootstrap, String credentials, Topics t, Path store) {
    Path work = store.getParent().resolve(store.getFileName() + "-flink");
    return new String[] {
      "train",
      "--config",
      JobFixture.projectRoot().resolve("config/train-segment.yaml").toString(),
      "--bounded",
      "--kafka-properties-file",
      credentials,
      "--set",
      "kafka.bootstrap=" + bootstrap,
      "--set",
      "kafka.group.id=sec-train",
      "--set",
      "kafka.transactional.id.prefix=sec-train",
      "--set",
      "topics.samples=" + t.samples,
      "--set",
      "topics.dlq=" + t.dlq,
      "--set",
      "topics.metrics=" + t.metrics,
      "--set",
      "topics.predictions=" + t.predictions,
      "--set",
      "topics.models=" + t.models,
      "--set",
      "input.starting.offsets=earliest",
      "--set",
      "model.store=" + store,
      "--set",
      "snapshot.every.batches=25",
      "--set",
      "flink.execution.checkpointing.interval=1s",
      "--set",
      "flink.execution.checkpointing.dir=" + work.resolve("chk").toUri(),
      "--set",
      "flink.io.tmp.dirs=" + work.resolve("tmp"),
      "--set",
      "flink.state.backend.rocksdb.localdir=" + work.resolve("rocksdb")
    };
  }

  private record Topics(
      String samples,
      String dlq,
      String metrics,
      String predictions,
      String models,
      String served,
      String serveDlq) {
    List<String> all() {
      return List.of(samples, dlq, metrics, predictions, models, served, serveDlq);
    }
  }

  private record Result(int code, String out, String err) {}

  /** Runs the command line as a user does, with its stdout and stderr captured. */
  private static Result cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    int code;
    synchronized (SecuredKafkaIT.class) {
      System.setOut(new PrintStream(new Tee(out, oldOut), true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(new Tee(err, oldErr), true, StandardCharsets.UTF_8));
    }
    try {
      code = IgmCli.run(args);
    } finally {
      synchronized (SecuredKafkaIT.class) {
        System.setOut(oldOut);
        System.setErr(oldErr);
      }
    }
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * Cancels the running job named {@code name} through the embedded cluster's REST API and waits
   * for the command.
   */
  private static void cancelJob(int webPort, String name, CompletableFuture<Result> command)
      throws Exception {
    FlinkRestClient rest =
        new FlinkRestClient("http://127.0.0.1:" + webPort, Duration.ofSeconds(20));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!command.isDone() && System.nanoTime() < deadline) {
      try {
        for (JsonNode job : rest.get("/jobs/overview").path("jobs")) {
          if (name.equals(job.path("name").asText())
              && "RUNNING".equals(job.path("state").asText())) {
            rest.cancel(job.path("jid").asText());
          }
        }
      } catch (IOException notUpYet) {
        // the cluster is still starting (or already gone)
      }
      Thread.sleep(500);
    }
    command.get(60, TimeUnit.SECONDS);
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer("read_committed")) {
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))
          && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** Every record ever written to the topics, committed or not (read_uncommitted end offsets). */
  private static Map<String, Long> endOffsets(List<String> topics) {
    Map<String, Long> out = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer("read_uncommitted")) {
      for (String topic : topics) {
        List<TopicPartition> parts = new ArrayList<>();
        c.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
        out.put(topic, c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum());
      }
    }
    return out;
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String isolation) {
    Properties p = new Properties();
    p.putAll(broker.clientProperties());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** The broker's client properties with {@code changes}, in a file of the scratch folder. */
  private static Path withProperties(String name, Map<String, String> changes) throws IOException {
    Properties p = new Properties();
    p.putAll(broker.clientProperties());
    p.putAll(changes);
    Path file = scratch.resolve(name);
    try (var out = Files.newBufferedWriter(file)) {
      p.store(out, "SecuredKafkaIT: " + name);
    }
    return file;
  }

  /**
   * A truststore holding only a CA of our own, made with keytool: the broker's certificate is not
   * signed by it.
   */
  private static Map<String, String> rogueTruststore() throws Exception {
    Path dir = Files.createDirectories(scratch.resolve("rogue-ca"));
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    String pw = "rogue-password";
    keytool(
        dir,
        keytool,
        "-genkeypair",
        "-alias",
        "rogue",
        "-dname",
        "CN=not the broker's CA",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "2",
        "-ext",
        "bc:c",
        "-storetype",
        "PKCS12",
        "-keystore",
        "ca.p12",
        "-storepass",
        pw,
        "-keypass",
        pw);
    keytool(
        dir,
        keytool,
        "-exportcert",
        "-rfc",
        "-alias",
        "rogue",
        "-keystore",
        "ca.p12",
        "-storepass",
        pw,
        "-file",
        "ca.pem");
    keytool(
        dir,
        keytool,
        "-importcert",
        "-noprompt",
        "-alias",
        "rogue",
        "-file",
        "ca.pem",
        "-storetype",
        "PKCS12",
        "-keystore",
        "truststore.p12",
        "-storepass",
        pw);
    return Map.of(
        "ssl.truststore.location",
        dir.resolve("truststore.p12").toString(),
        "ssl.truststore.password",
        pw,
        "ssl.truststore.type",
        "PKCS12");
  }

  private static void keytool(Path dir, String... command) throws Exception {
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("keytool %s: %s", command[1], output).isZero();
  }

  /** Writes to a buffer and to the original stream (the build log keeps the commands' output). */
  private static final class Tee extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    Tee(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
      b.flush();
    }
  }
}
