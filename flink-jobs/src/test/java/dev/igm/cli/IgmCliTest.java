package dev.igm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * What a user sees when a command line is wrong: one line naming the problem (and the nearest
 * names), exit code 2.
 */
class IgmCliTest {
  private record Run(int code, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = IgmCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void mistypedCommandNamesTheNearestOneInsteadOfTheUsage() {
    Run r = run("dmeo");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines())
        .containsExactly(
            "igm: unknown command 'dmeo'; did you mean 'demo'?",
            "Run 'igm --help' for the commands.");
    assertThat(run("tarin").errLines().get(0))
        .isEqualTo("igm: unknown command 'tarin'; did you mean 'train'?");
    assertThat(run("xyzzy").errLines().get(0)).isEqualTo("igm: unknown command 'xyzzy'");
  }

  @Test
  void mistypedOptionIsNamedEvenWhenItLeavesARequiredOptionMissing() {
    Run r = run("serve", "--modle", "igm");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines())
        .containsExactly(
            "igm serve: unknown option '--modle'; did you mean '--model'?",
            "Run 'igm serve --help' for the options.");
    assertThat(run("fit", "--epoch=3").errLines().get(0))
        .isEqualTo("igm fit: unknown option '--epoch'; did you mean '--epochs'?");
  }

  @Test
  void missingInputFileIsOneLineAndExit2() {
    Run r = run("fit", "--file", "/nonexistent/table.csv");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err())
        .contains("/nonexistent/table.csv")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    Run config = run("train", "--config", "/nonexistent/job.yaml");
    assertThat(config.code()).isEqualTo(2);
    assertThat(config.errLines()).containsExactly("igm train: no such file: /nonexistent/job.yaml");
  }

  @Test
  void verboseAddsTheStackTrace() {
    Run r = run("fit", "--verbose", "--file", "/nonexistent/table.csv");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("\tat ");
  }

  @Test
  void versionNamesTheBuildAndItsParts() {
    Run r = run("-V");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .doesNotContain("igm dev")
        .containsPattern("igm \\d+\\.\\d+\\.\\d+")
        .contains("Flink 2.2.1");
  }
}
