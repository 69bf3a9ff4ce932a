package dev.igm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The replay command's input handling, in dry-run mode (no broker needed). */
class ReplayCommandTest {
  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new IgmCli()).setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void csvWithViewsLabelAndValidationCarveIsPlannedAndEncoded() throws Exception {
    StringBuilder csv = new StringBuilder("a1,a2,v1,v2,v3,cls\n");
    for (int i = 0; i < 40; i++) {
      csv.append(i).append(',').append(i * 2).append(',').append(i % 3).append(',').append(-i).append(",1.5,")
          .append(i % 2 == 0 ? "yes" : "no").append('\n');
    }
    Path file = Files.writeString(dir.resolve("t.csv"), csv);
    Run r = run("replay", "--file", file.toString(), "--views", "audio=a1;a2,video=3-5", "--label", "cls",
        "--valid-fraction", "0.25", "--epochs", "3", "--dry-run", "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    // 40 rows, 10 carved into VALID: 3 × 30 TRAIN + 10 VALID
    assertThat(r.out()).contains("plan: 100 records").contains("encoded (dry run): 100 records")
        .contains("TRAIN=90 VALID=10 TEST=0");
  }

  @Test
  void inputMistakesExitWith2AndSayWhy() throws Exception {
    assertThat(run("replay", "--dry-run").err()).contains("give exactly one input");
    Run noRoot = run("replay", "--layout", "cremad", "--dry-run");
    assertThat(noRoot.code()).isEqualTo(2);
    assertThat(noRoot.err()).contains("--layout cremad needs --root");
    Path bad = Files.writeString(dir.resolve("bad.csv"), "a,b,cls\n1,2,x\n3\n");
    Run badFile = run("replay", "--file", bad.toString(), "--dry-run", "--no-progress");
    assertThat(badFile.code()).isEqualTo(2);
    assertThat(badFile.err()).contains("bad.csv line 3");
  }

  @Test
  void helpListsLayoutsAndKafkaOptions() {
    Run r = run("replay", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("--layout", "cremad", "twitter2015", "nvgesture", "sk_{color,depth}.avi", "--bootstrap", "--rate", "--event-time", "--create-topic");
  }
}
