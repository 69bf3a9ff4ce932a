package dev.igm.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The algorithm core stays readable as the code base grows: the trainer a small facade, no class of
 * the core a thousand-line file again, and the choice of parts by method and schedule made in one
 * place (docs/ALGORITHM.md maps the parts to the paper). Counts lines of the formatted sources.
 */
class CoreLayoutTest {
  private static final Path CORE = Path.of("src/main/java/dev/igm/core");
  private static final Pattern METHOD_SWITCH =
      Pattern.compile("switch \\([^)]*\\.(method|schedule|samVariant)\\(\\)\\)");

  private static List<Path> sources() throws IOException {
    try (Stream<Path> files = Files.walk(CORE)) {
      return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }

  @Test
  void theTrainerIsASmallFacadeAndNoCoreClassIsLong() throws IOException {
    assertThat(Files.readAllLines(CORE.resolve("train/IgmTrainer.java")))
        .as("IgmTrainer.java lines")
        .hasSizeLessThanOrEqualTo(250);
    List<Path> sources = sources();
    assertThat(sources).hasSizeGreaterThan(30);
    for (Path p : sources) {
      assertThat(Files.readAllLines(p)).as("%s lines", p).hasSizeLessThanOrEqualTo(400);
    }
  }

  @Test
  void partsAreChosenByMethodAndScheduleInTheFactoryOnly() throws IOException {
    for (Path p : sources()) {
      if (p.endsWith("train/MethodParts.java")) {
        assertThat(METHOD_SWITCH.matcher(Files.readString(p)).find())
            .as("the factory chooses by method")
            .isTrue();
        continue;
      }
      assertThat(METHOD_SWITCH.matcher(Files.readString(p)).find())
          .as("a switch on the method or schedule in %s", p)
          .isFalse();
    }
  }
}
