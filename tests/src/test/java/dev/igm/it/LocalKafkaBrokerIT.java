package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.kafka.LocalKafkaBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/** The local broker launcher: the Java API and deploy/local/kafka.sh from a shell. */
class LocalKafkaBrokerIT {

  private final Path root = LocalKafkaBroker.locateProjectRoot();

  @Test
  void javaLauncherStartsReportsAndStops() throws Exception {
    LocalKafkaBroker broker = LocalKafkaBroker.builder().port(0).build();
    Path dataDir;
    long pid;
    try {
      broker.start();
      dataDir = broker.dataDir();
      pid = broker.pid();
      assertThat(broker.isRunning()).isTrue();
      assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + broker.port());
      assertThat(dataDir).startsWith(root.resolve("var"));

      Shell status = kafkaSh(Map.of("KAFKA_DATA_DIR", dataDir.toString()), "status");
      assertThat(status.exitCode).as(status.output).isZero();
      assertThat(status.output)
          .contains("Kafka running (pid " + pid + ") on " + broker.bootstrapServers());

      broker.createTopics("launcher-a", "launcher-b");
      broker.createTopics("launcher-a"); // existing topics are fine
      assertThat(topics(broker.bootstrapServers())).contains("launcher-a", "launcher-b");
    } finally {
      broker.close();
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(broker.isRunning()).isFalse();
    assertThat(dataDir).as("temporary data dir removed").doesNotExist();
    broker.close(); // idempotent
  }

  @Test
  void stopKeepsPortsAndDataAndStartBringsTheSameBrokerBack() throws Exception {
    try (LocalKafkaBroker broker = LocalKafkaBroker.builder().port(0).nice(7).build().start()) {
      String bootstrap = broker.bootstrapServers();
      assertThat(niceness(broker.pid()))
          .as("the broker JVM runs at the niceness asked for")
          .isEqualTo(7);
      Path dataDir = broker.dataDir();
      long firstPid = broker.pid();
      broker.createTopics("restart-kept");

      broker.stop();
      assertThat(broker.isRunning()).isFalse();
      assertThat(broker.pid()).isEqualTo(-1);
      assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(dataDir).as("data kept while stopped").isDirectory();
      broker.stop(); // stopping a stopped broker is fine

      broker.start();
      assertThat(broker.isRunning()).isTrue();
      assertThat(broker.pid()).isNotEqualTo(firstPid);
      assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
      assertThat(broker.dataDir()).isEqualTo(dataDir);
      assertThat(topics(bootstrap)).contains("restart-kept");
      assertThat(niceness(broker.pid())).as("niceness kept across a restart").isEqualTo(7);
    }
  }

  /** Field 19 of /proc/<pid>/stat (after the command name, which may hold spaces). */
  private static int niceness(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);
  }

  @Test
  void shellScriptStartStatusStop() throws Exception {
    Path dataDir =
        Files.createDirectories(root.resolve("var").resolve("tmp"))
            .resolve("it-shell-" + ProcessHandle.current().pid());
    int port = freePort();
    int controllerPort = freePort();
    Map<String, String> env =
        Map.of(
            "KAFKA_DATA_DIR", dataDir.toString(),
            "KAFKA_PORT", Integer.toString(port),
            "KAFKA_CONTROLLER_PORT", Integer.toString(controllerPort));
    try {
      Shell before = kafkaSh(env, "status");
      assertThat(before.exitCode).as(before.output).isEqualTo(3);
      assertThat(before.output).contains("Kafka not running");

      Shell start = kafkaSh(env, "start");
      assertThat(start.exitCode).as(start.output).isZero();
      assertThat(start.output).contains("Kafka listening on 127.0.0.1:" + port);

      Shell again = kafkaSh(env, "start");
      assertThat(again.exitCode).as(again.output).isZero();
      assertThat(again.output)
          .contains("already running")
          .contains("Kafka listening on 127.0.0.1:" + port);

      Shell status = kafkaSh(env, "status");
      assertThat(status.exitCode).as(status.output).isZero();
      assertThat(status.output).contains("Kafka running").contains("127.0.0.1:" + port);
      long pid = Long.parseLong(Files.readString(dataDir.resolve("kafka.pid")).trim());

      LocalKafkaBroker.createTopics("127.0.0.1:" + port, 2, "shell-topic");
      assertThat(topics("127.0.0.1:" + port)).contains("shell-topic");

      Shell stop = kafkaSh(env, "stop");
      assertThat(stop.exitCode).as(stop.output).isZero();
      assertThat(stop.output).contains("Kafka stopped");
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();

      Shell stopAgain = kafkaSh(env, "stop");
      assertThat(stopAgain.exitCode).as(stopAgain.output).isZero();
      assertThat(stopAgain.output).contains("not running");

      Shell after = kafkaSh(env, "status");
      assertThat(after.exitCode).isEqualTo(3);
    } finally {
      kafkaSh(env, "stop");
      deleteRecursively(dataDir);
    }
  }

  // ------------------------------------------------------------------ helpers

  private record Shell(int exitCode, String output) {}

  private Shell kafkaSh(Map<String, String> env, String command)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder("bash", root.resolve("deploy/local/kafka.sh").toString(), command);
    pb.directory(root.toFile());
    pb.redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.environment()
        .put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
    return new Shell(p.exitValue(), out);
  }

  private static Set<String> topics(String bootstrap) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      return admin.listTopics().names().get(60, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
