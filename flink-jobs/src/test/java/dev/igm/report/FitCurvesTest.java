package dev.igm.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FitCurvesTest {
  @TempDir Path dir;

  private Path fitFolder(String name, String method, String curve) throws IOException {
    Path m = dir.resolve(name).resolve(method);
    Files.createDirectories(m);
    Files.writeString(
        m.resolve("metrics.json"),
        "{\"method\": \""
            + method
            + "\", \"epochSelection\": {\"mode\": \"best\","
            + " \"validCurve\": "
            + curve
            + "}}");
    return dir.resolve(name);
  }

  @Test
  void theChartShowsEachModalitysValidAccuracyPerEpochAsMetricsJsonRecordsIt() throws IOException {
    Path joint =
        fitFolder(
            "a",
            "joint",
            "[{\"epoch\": 1, \"valid\": {\"audio.acc\": 0.2, \"audio.f1\": 0.1,"
                + " \"visual.acc\": 0.4, \"fused.acc\": 0.45}}, {\"epoch\": 2, \"valid\": {\"audio.acc\": 0.25,"
                + " \"visual.acc\": 0.5, \"fused.acc\": 0.55}}]");
    Path igm =
        fitFolder(
            "b",
            "igm",
            "[{\"epoch\": 1, \"valid\": {\"audio.acc\": 0.3, \"visual.acc\": 0.35,"
                + " \"fused.acc\": 0.4}}]");
    FitCurves curves = FitCurves.read(List.of(joint, igm));
    assertThat(curves.runs()).extracting(FitCurves.Run::method).containsExactly("joint", "igm");
    FitCurves.Run j = curves.runs().get(0);
    assertThat(j.epochs()).containsExactly(1, 2);
    assertThat(j.accuracy()).containsOnlyKeys("audio", "visual", "fused");
    assertThat(j.accuracy().get("audio")).containsExactly(0.2, 0.25);
    assertThat(j.accuracy().get("visual")).containsExactly(0.4, 0.5);
    Path index = curves.write(dir.resolve("out"));
    assertThat(dir.resolve("out/imbalance.png")).isNotEmptyFile();
    assertThat(Files.readString(index))
        .contains("<td>joint</td><td>VALID</td><td>audio</td><td>0.200</td><td>0.250</td>")
        .contains("<td>igm</td><td>VALID</td><td>fused</td><td>0.400</td>");
    assertThat(j.testAccuracy()).isEmpty();
    assertThat(dir.resolve("out/imbalance-test.png")).doesNotExist();
  }

  @Test
  void testCurvesRecordedByTestCurveGetAChartOfTheirOwn() throws IOException {
    Path joint =
        fitFolder(
            "t",
            "joint",
            "[{\"epoch\": 1, \"valid\": {\"audio.acc\": 0.2, \"fused.acc\": 0.3},"
                + " \"test\": {\"audio.acc\": 0.21, \"fused.acc\": 0.31}}, {\"epoch\": 2, \"valid\": {\"audio.acc\": 0.4,"
                + " \"fused.acc\": 0.5}, \"test\": {\"audio.acc\": 0.38, \"fused.acc\": 0.52}}]");
    FitCurves curves = FitCurves.read(List.of(joint));
    FitCurves.Run j = curves.runs().get(0);
    assertThat(j.testAccuracy().get("audio")).containsExactly(0.21, 0.38);
    assertThat(j.testAccuracy().get("fused")).containsExactly(0.31, 0.52);
    Path index = curves.write(dir.resolve("out"));
    assertThat(dir.resolve("out/imbalance-test.png")).isNotEmptyFile();
    assertThat(Files.readString(index))
        .contains("<td>joint</td><td>TEST</td><td>audio</td><td>0.210</td><td>0.380</td>")
        .contains("for this picture only");
    Path partial =
        fitFolder(
            "u",
            "igm",
            "[{\"epoch\": 1, \"valid\": {\"a.acc\": 0.2}, \"test\": {\"a.acc\": 0.2}},"
                + " {\"epoch\": 2, \"valid\": {\"a.acc\": 0.3}}]");
    assertThatThrownBy(() -> FitCurves.read(List.of(partial)))
        .hasMessageContaining("TEST for some epochs only");
  }

  @Test
  void aFolderWithoutFitResultsIsNamed() throws IOException {
    Files.createDirectories(dir.resolve("empty"));
    assertThatThrownBy(() -> FitCurves.read(List.of(dir.resolve("empty"))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("holds no <method>/metrics.json");
    Path noCurve = fitFolder("c", "igm", "[]");
    assertThatThrownBy(() -> FitCurves.read(List.of(noCurve)))
        .hasMessageContaining("no per-epoch VALID curve");
  }
}
