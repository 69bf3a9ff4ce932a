package dev.igm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Help at 80 columns: paragraphs wrapped at spaces, examples pasteable, the command list one
 * sentence each.
 */
class HelpLayoutTest {
  @Test
  void everyCommandsHelpFitsEightyColumnsAndItsExamplesPaste() {
    List<String> commands = new ArrayList<>(List.of(""));
    commands.addAll(IgmCli.commandLine().getSubcommands().keySet());
    for (String command : commands) {
      String help = help(80, command);
      List<String> lines = help.lines().toList();
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        assertThat(line.length())
            .as("igm %s --help, line %d: %s", command, i + 1, line)
            .isLessThanOrEqualTo(80);
        if (line.endsWith(" \\")) {
          // an example goes on: the next line is indented, so the shell reads one command
          assertThat(lines.get(i + 1)).as("continuation of: %s", line).startsWith("      ");
        }
      }
      assertThat(help)
          .as("igm %s --help breaks no word at a dot", command)
          .doesNotContainPattern("[a-z]\\.\\n[a-z]");
    }
  }

  @Test
  void longExamplesContinueAfterABackslashOutsideQuotes() {
    List<String> lines =
        HelpLayout.example(
            "  igm fit --methods joint,mla,igm --epochs 30 --grid 'lr=0.01,0.05;tau=0.4,1.0' --out target/fit-run",
            60);
    assertThat(lines)
        .containsExactly(
            "  igm fit --methods joint,mla,igm --epochs 30 --grid \\",
            "      'lr=0.01,0.05;tau=0.4,1.0' --out target/fit-run");
    assertThat(String.join(" ", lines).replace(" \\ ", " ").replaceAll(" +", " "))
        .isEqualTo(
            " igm fit --methods joint,mla,igm --epochs 30 --grid 'lr=0.01,0.05;tau=0.4,1.0' --out target/fit-run");
  }

  @Test
  void proseLinesBecomeParagraphsAndHeadingsKeepTheirLines() {
    String[] out =
        HelpLayout.reflow(
            new String[] {
              "One sentence that was",
              "broken by hand.",
              "",
              "Examples:",
              "  igm demo",
              "Example: igm fit --epochs 3"
            },
            80);
    assertThat(out)
        .containsExactly(
            "One sentence that was broken by hand.",
            "",
            "Examples:",
            "  igm demo",
            "Example:",
            "  igm fit --epochs 3");
  }

  @Test
  void theCommandListShowsFirstSentences() {
    String help = help(100, "");
    assertThat(help)
        .contains("  train")
        .contains("Trains one or more models continuously from the samples topic on Flink.");
  }

  private static String help(int width, String command) {
    CommandLine cl = IgmCli.commandLine();
    cl.setUsageHelpAutoWidth(false);
    CommandLine target = command.isEmpty() ? cl : cl.getSubcommands().get(command);
    target.setUsageHelpWidth(width);
    HelpLayout.apply(target);
    StringWriter out = new StringWriter();
    target.usage(new PrintWriter(out));
    return out.toString();
  }
}
