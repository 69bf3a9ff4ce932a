package dev.igm.jobs;

import dev.igm.core.config.IgmSettings;
import dev.igm.core.config.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Renders docs/CONFIGURATION.md — every key of the training job and every model knob — from their
 * descriptions ({@link JobSettings}, {@link IgmSettings}). {@code ConfigurationDocsTest} fails when
 * the checked-in page differs; regenerate it with {@code java -cp ...
 * dev.igm.jobs.ConfigurationDocs docs/CONFIGURATION.md} or by running that test with {@code
 * -Digm.docs.write=true}.
 */
public final class ConfigurationDocs {
  private ConfigurationDocs() {}

  public static String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("# Configuration reference\n\n")
        .append(
            "Generated from the settings' own descriptions (`JobSettings`, `IgmSettings`) by `ConfigurationDocs`; ")
        .append("do not edit by hand. The build fails when this page is stale.\n\n")
        .append(
            "`igm train --config FILE.yaml [--set key=value ...]`: nested YAML maps flatten to dotted keys ")
        .append(
            "(`kafka: {bootstrap: x}` is `kafka.bootstrap`); `--set` values are read as YAML scalars or lists ")
        .append("(`--set models.igm.head.widths=[128,32]`). An unknown key is an error.\n\n")
        .append("## Training job\n\n");
    table(b, JobSettings.ALL);
    b.append("\n| key | what |\n|---|---|\n");
    for (JobSettings.Prefix p : JobSettings.PREFIXES) {
      b.append("| `").append(p.key()).append("` | ").append(cell(p.help())).append(" |\n");
    }
    b.append("\n## Model knobs\n\n")
        .append(
            "Under `model.defaults.` or in an entry of `models` in the job configuration, with `--set` in ")
        .append(
            "`igm fit`, and in a snapshot's metadata (`config`). What they do to the mathematics: ")
        .append("[ALGORITHM.md](ALGORITHM.md).\n\n");
    table(b, IgmSettings.ALL);
    return b.toString();
  }

  private static void table(StringBuilder b, List<Setting<?>> settings) {
    b.append("| key | type | default | valid | what |\n|---|---|---|---|---|\n");
    for (Setting<?> s : settings) {
      b.append("| `")
          .append(s.key())
          .append("` | ")
          .append(code(s.typeName()))
          .append(" | ")
          .append(code(s.defaultText()))
          .append(" | ")
          .append(cell(s.requirement()))
          .append(" | ")
          .append(cell(s.help()))
          .append(" |\n");
    }
  }

  /**
   * Text in a table cell: pipes escaped, angle brackets as entities (else Markdown reads them as
   * HTML tags).
   */
  private static String cell(String text) {
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String code(String text) {
    return text.isEmpty() ? "" : "`" + text.replace("|", "\\|") + "`";
  }

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "docs/CONFIGURATION.md");
    Files.writeString(out, markdown());
    System.out.println("wrote " + out);
  }
}
