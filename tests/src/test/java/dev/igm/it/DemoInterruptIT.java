package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ctrl-C on {@code bin/igm demo}, as a user would press it, at three moments: while the Kafka
 * broker starts, while the job trains, while the report is written. Each time the command ends with
 * exit code 130, leaves no process behind (the broker it launched, its scripts), no new entry under
 * {@code var/tmp}, no half-written output folder, and the previous run's report where it was.
 */
class DemoInterruptIT {
  @TempDir Path scratch;

  @ParameterizedTest(name = "SIGINT while {0}")
  @ValueSource(strings = {"the broker starts", "the job trains", "the report is written"})
  void ctrlCLeavesNoProcessNoTemporaryFileAndThePreviousReport(String moment) throws Exception {
    Path root = JobFixture.projectRoot();
    Path varTmp = root.resolve("var").resolve("tmp");
    Set<String> before = entries(varTmp);
    Path out = scratch.resolve("demo");
    Files.createDirectories(out);
    Path previous = Files.writeString(out.resolve("table.md"), "the previous run's table\n");

    ProcessBuilder pb =
        new ProcessBuilder(
            root.resolve("bin/igm").toString(), "demo", "--epochs", "3", "--out", out.toString());
    pb.redirectErrorStream(true);
    pb.environment().put("IGM_JAVA_OPTS", "-Xmx1g");
    Process demo = pb.start();
    ProcessLines demoOutput = ProcessLines.follow(demo);
    List<String> lines = demoOutput.lines();
    Set<ProcessHandle> seen = new HashSet<>();
    int signalledAt = 0;
    try {
      switch (moment) {
        case "the broker starts" ->
            awaitDescendant(demo, seen, d -> commandLine(d).contains("kafka.Kafka"));
        case "the job trains" -> awaitLine(demo, seen, lines, "samples trained");
        default -> awaitLine(demo, seen, lines, "writing the report");
      }
      seen.addAll(demo.descendants().toList());
      signalledAt = lines.size();
      new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).inheritIO().start().waitFor();
      assertThat(demo.waitFor(90, TimeUnit.SECONDS))
          .as("demo ended after SIGINT; output:%n%s", String.join("\n", lines))
          .isTrue();
    } finally {
      demo.descendants().forEach(ProcessHandle::destroyForcibly);
      demo.destroyForcibly();
      demoOutput.close();
    }
    String output = String.join("\n", lines);
    assertThat(demo.exitValue()).as(output).isEqualTo(130);
    assertThat(seen).as("processes the demo started (%s)", moment).isNotEmpty();
    for (ProcessHandle p : seen) {
      p.onExit().get(10, TimeUnit.SECONDS); // ended, or the wait fails the test
      assertThat(p.isAlive())
          .as("process %d (%s) still running after the demo ended", p.pid(), commandLine(p))
          .isFalse();
    }
    assertThat(entries(varTmp)).as("var/tmp after the interrupted demo").isEqualTo(before);
    try (Stream<Path> left = Files.list(scratch)) {
      assertThat(left.map(p -> p.getFileName().toString()).toList())
          .as("no partial output folder")
          .containsExactly("demo");
    }
    assertThat(Files.readString(previous)).isEqualTo("the previous run's table\n");
    String afterSignal = String.join("\n", lines.subList(signalledAt, lines.size()));
    assertThat(afterSignal)
        .as("what Ctrl-C prints")
        .doesNotContain("Exception")
        .contains("igm: stopping");
  }

  private static void awaitLine(
      Process demo, Set<ProcessHandle> seen, List<String> lines, String marker)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (lines.stream().noneMatch(l -> l.contains(marker))) {
      assertThat(demo.isAlive())
          .as("demo still running before '%s'; output:%n%s", marker, String.join("\n", lines))
          .isTrue();
      assertThat(System.nanoTime()).as("'%s' within 3 minutes", marker).isLessThan(deadline);
      seen.addAll(demo.descendants().toList());
      Thread.sleep(20);
    }
  }

  private static void awaitDescendant(
      Process demo, Set<ProcessHandle> seen, Predicate<ProcessHandle> which)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (true) {
      List<ProcessHandle> now = demo.descendants().toList();
      seen.addAll(now);
      if (now.stream().anyMatch(which)) {
        return;
      }
      assertThat(demo.isAlive()).as("demo still running before its broker started").isTrue();
      assertThat(System.nanoTime()).as("the broker process within 2 minutes").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /**
   * From /proc: {@code ProcessHandle.Info} leaves out the arguments of a long command line like the
   * broker's.
   */
  private static String commandLine(ProcessHandle p) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"))
          .replace('\0', ' ');
    } catch (IOException e) {
      return "?";
    }
  }

  private static Set<String> entries(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return Set.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return new HashSet<>(s.map(p -> p.getFileName().toString()).toList());
    }
  }
}
