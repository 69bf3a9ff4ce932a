package dev.igm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.core.config.IgmSettings;
import dev.igm.core.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/CONFIGURATION.md is what {@link ConfigurationDocs} renders from the settings' descriptions.
 */
class ConfigurationDocsTest {
  private static final Path PAGE = Path.of("../docs/CONFIGURATION.md");

  @Test
  void theCheckedInReferenceIsCurrent() throws Exception {
    String rendered = ConfigurationDocs.markdown();
    if (Boolean.getBoolean("igm.docs.write")) {
      Files.writeString(PAGE, rendered);
    }
    assertThat(Files.exists(PAGE)).as("docs/CONFIGURATION.md exists").isTrue();
    assertThat(Files.readString(PAGE))
        .as(
            "docs/CONFIGURATION.md is stale: regenerate it (mvn -B -ntp -o -pl flink-jobs -am test "
                + "-Dtest=ConfigurationDocsTest -Dsurefire.failIfNoSpecifiedTests=false -Digm.docs.write=true)")
        .isEqualTo(rendered);
  }

  @Test
  void everyKeyIsDocumentedWithHelpText() {
    for (Setting<?> s : JobSettings.ALL) {
      assertThat(s.help()).as(s.key()).isNotBlank();
      assertThat(ConfigurationDocs.markdown()).contains("| `" + s.key() + "` |");
    }
    for (Setting<?> s : IgmSettings.ALL) {
      assertThat(s.help()).as(s.key()).isNotBlank();
      assertThat(ConfigurationDocs.markdown()).contains("| `" + s.key() + "` |");
    }
  }
}
