package dev.igm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.igm.core.train.TrainerSnapshot;
import dev.igm.report.FitCurves;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code igm fit --layout} on a tiny generated CREMA-D folder: the shapes the layout options ask
 * for, ResNet-18 on both modalities, metrics.json recording the options the layout read, and the
 * imbalance chart's numbers those of metrics.json; options a layout does not read are refused.
 */
class FitLayoutTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  @Timeout(300)
  void fitsACremaFolderAsTheLayoutOptionsSayAndTheChartShowsWhatMetricsJsonRecords()
      throws Exception {
    Path root = CremaFolder.write(dir.resolve("crema"), 12, 6, 3, 24, 3);
    Path out = dir.resolve("fit");
    CliRun r = fit(root, "joint,igm", out, "--test-curve");
    assertThat(r.code()).as(r.toString()).isZero();

    List<Path> folders = List.of(out);
    FitCurves curves = FitCurves.read(folders);
    assertThat(curves.runs())
        .extracting(FitCurves.Run::method)
        .containsExactlyInAnyOrder("joint", "igm");
    for (FitCurves.Run run : curves.runs()) {
      JsonNode m = JSON.readTree(out.resolve(run.method()).resolve("metrics.json").toFile());
      JsonNode ds = m.path("dataset");
      // the options the layout read, as given; none it does not read (no text: no max words)
      assertThat(JSON.convertValue(ds.path("layout"), Map.class))
          .containsEntry("name", "cremad")
          .containsEntry("imageSize", 16)
          .containsEntry("spectrogramSize", "32x24")
          .containsEntry("frames", 2)
          .doesNotContainKey("maxWords");
      assertThat(ds.path("shapes").path("audio").toString()).isEqualTo("[1,32,24]");
      assertThat(ds.path("shapes").path("visual").toString()).isEqualTo("[3,2,16,16]");
      assertThat(ds.path("splits").toString()).contains("\"TRAIN\":6", "\"VALID\":6", "\"TEST\":6");
      assertThat(ds.path("validCarved").path("fraction").asDouble()).isEqualTo(0.5);
      assertThat(m.path("config").toString())
          .contains("\"input.shape\":[1,32,24],\"encoder\":\"resnet18\"")
          .contains("\"input.shape\":[3,2,16,16],\"encoder\":\"resnet18\"");

      // the chart's numbers are metrics.json's, epoch by epoch, VALID and TEST
      JsonNode curve = m.path("epochSelection").path("validCurve");
      assertThat(curve).hasSize(2);
      assertThat(run.epochs()).containsExactly(1, 2);
      assertThat(run.accuracy()).containsKeys("audio", "visual", "fused");
      assertThat(run.testAccuracy())
          .containsOnlyKeys(run.accuracy().keySet().toArray(String[]::new));
      for (String group : List.of("audio", "visual", "fused")) {
        assertThat(run.accuracy().get(group))
            .as("%s %s VALID", run.method(), group)
            .containsExactlyElementsOf(values(curve, "valid", group + ".acc"));
        assertThat(run.testAccuracy().get(group))
            .as("%s %s TEST", run.method(), group)
            .containsExactlyElementsOf(values(curve, "test", group + ".acc"));
      }
      // the kept epoch's curve point is the model whose figures metrics.json reports
      JsonNode kept = curve.get(m.path("epoch").asInt() - 1);
      assertThat(kept.path("valid")).isEqualTo(m.path("valid"));
      assertThat(kept.path("test")).isEqualTo(m.path("test"));
    }
    // scoring TEST after every epoch leaves the ResNets (BatchNorm statistics included) as they
    // were
    Path plain = dir.resolve("plain");
    CliRun p = fit(root, "igm", plain);
    assertThat(p.code()).as(p.toString()).isZero();
    assertThat(TrainerSnapshot.read(plain.resolve("igm/model.safetensors")).sha256())
        .isEqualTo(TrainerSnapshot.read(out.resolve("igm/model.safetensors")).sha256());
    assertThat(
            JSON.readTree(plain.resolve("igm/metrics.json").toFile())
                .path("epochSelection")
                .path("validCurve")
                .get(0)
                .has("test"))
        .isFalse();

    Path page = curves.write(dir.resolve("report"));
    assertThat(dir.resolve("report/imbalance.png")).isNotEmptyFile();
    assertThat(dir.resolve("report/imbalance-test.png")).isNotEmptyFile();
    assertThat(Files.readString(page)).contains("<td>igm</td><td>VALID</td><td>audio</td>");
  }

  private static List<Double> values(JsonNode curve, String split, String key) {
    List<Double> out = new ArrayList<>();
    curve.forEach(point -> out.add(point.path(split).path(key).asDouble()));
    return out;
  }

  @Test
  void optionsTheLayoutDoesNotReadAreRefused() throws Exception {
    Path root = Files.createDirectories(dir.resolve("empty"));
    CliRun words =
        CliRun.of(
            "fit",
            "--layout",
            "cremad",
            "--root",
            root.toString(),
            "--max-words",
            "20",
            "--quiet",
            "--out",
            dir.resolve("a").toString());
    assertThat(words.code()).as(words.toString()).isEqualTo(2);
    assertThat(words.err())
        .contains(
            "--max-words applies to the layouts with text (twitter2015, sarcasm), not to cremad");
    CliRun frames =
        CliRun.of(
            "fit",
            "--layout",
            "twitter2015",
            "--root",
            root.toString(),
            "--frames",
            "2",
            "--quiet",
            "--out",
            dir.resolve("b").toString());
    assertThat(frames.code()).as(frames.toString()).isEqualTo(2);
    assertThat(frames.err()).contains("apply to the audio-visual layouts", "not to twitter2015");
    CliRun replay =
        CliRun.of(
            "replay",
            "--layout",
            "kinetics-sounds",
            "--root",
            root.toString(),
            "--max-words",
            "20",
            "--dry-run",
            "--no-progress");
    assertThat(replay.code()).as(replay.toString()).isEqualTo(2);
    assertThat(replay.err()).contains("--max-words applies to the layouts with text");
  }

  /**
   * igm fit on the folder: half of TRAIN carved as VALID, 2 epochs of batches of 4, small heads.
   */
  private static CliRun fit(Path root, String methods, Path out, String... extra) {
    List<String> rest =
        new ArrayList<>(
            List.of(
                "--valid-fraction",
                "0.5",
                "--methods",
                methods,
                "--epochs",
                "2",
                "--batch-size",
                "4",
                "--set",
                "head.widths=16,8",
                "--set",
                "phase.batches=1",
                "--quiet",
                "--out",
                out.toString()));
    rest.addAll(List.of(extra));
    return CliRun.of(CremaFolder.command("fit", root, rest.toArray(String[]::new)));
  }
}
