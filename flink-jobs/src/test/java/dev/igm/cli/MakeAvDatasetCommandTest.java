package dev.igm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avbench.Difficulty;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** igm make-av-dataset's options: defaults, prerequisites in the help, clear refusals. */
class MakeAvDatasetCommandTest {
  @TempDir Path dir;

  @Test
  void optionDefaultsAreTheDocumentedDifficulty() {
    MakeAvDatasetCommand c = new MakeAvDatasetCommand();
    new CommandLine(c).parseArgs(dir.resolve("out").toString());
    assertThat(c.difficulty()).isEqualTo(Difficulty.DEFAULT);
    assertThat(c.train).isEqualTo(1200);
    assertThat(c.test).isEqualTo(600);
  }

  @Test
  void helpNamesThePackagesAndBadOptionsExitWith2() {
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(new IgmCli());
    cl.setOut(new PrintWriter(out));
    assertThat(cl.execute("make-av-dataset", "--help")).isZero();
    assertThat(out.toString())
        .contains("apt-get install espeak-ng dataset-fashion-mnist", "--snr-db", "--frames");

    StringWriter err = new StringWriter();
    CommandLine bad =
        new CommandLine(new IgmCli())
            .setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                  cmd.getErr().println(e.getMessage());
                  return 2;
                });
    bad.setErr(new PrintWriter(err));
    assertThat(bad.execute("make-av-dataset", dir.resolve("o").toString(), "--snr-db", "5"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--snr-db takes LO:HI");
    assertThat(
            IgmCli.run(
                "make-av-dataset",
                dir.resolve("o2").toString(),
                "--fashion-mnist",
                dir.resolve("none").toString(),
                "--espeak",
                "true"))
        .isEqualTo(2);
  }
}
