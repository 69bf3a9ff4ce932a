package dev.igm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.TrainerSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code igm fit} does with its inputs and settings, as a user meets it: it trains what the
 * command line says, on the rows the table's split says, records what it trained, and says when a
 * figure cannot be had.
 */
class FitInputsAndSettingsTest {
  @TempDir Path dir;

  private static final ObjectMapper JSON = new ObjectMapper();

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(Path file) throws Exception {
    return JSON.readValue(file.toFile(), Map.class);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> configOf(Map<String, Object> record) {
    return (Map<String, Object>) record.get("config");
  }

  @Test
  void initFromContinuesTheSnapshotWithTheSettingsOfTheCommandLine() throws Exception {
    Path first = dir.resolve("first");
    CliRun igm =
        CliRun.of("fit", "--method", "igm", "--epochs", "1", "--quiet", "--out", first.toString());
    assertThat(igm.code()).as(igm.toString()).isZero();
    Path snapshot = first.resolve("igm/model.safetensors");

    Path second = dir.resolve("second");
    CliRun joint =
        CliRun.of(
            "fit",
            "--method",
            "joint",
            "--lr",
            "0.5",
            "--set",
            "optimizer=adam",
            "--init-from",
            snapshot.toString(),
            "--epochs",
            "1",
            "--quiet",
            "--out",
            second.toString());
    assertThat(joint.code()).as(joint.toString()).isZero();
    TrainerSnapshot written = TrainerSnapshot.read(second.resolve("joint/model.safetensors"));
    Map<String, Object> modelJson = written.metadataMap();
    assertThat(modelJson).containsEntry("method", "joint");
    assertThat(configOf(modelJson))
        .containsEntry("method", "joint")
        .containsEntry("optimizer", "adam")
        .containsEntry("lr", 0.5);
    // metrics.json records the configuration that trained, the same as the snapshot's
    assertThat(configOf(json(second.resolve("joint/metrics.json")))).isEqualTo(configOf(modelJson));
    try (IgmTrainer t = written.restore()) {
      assertThat(t.config().methodName()).isEqualTo("joint");
      assertThat(t.config().lr()).isEqualTo(0.5);
    }

    // with a grid, every point continues the snapshot with its own settings
    Path third = dir.resolve("third");
    CliRun grid =
        CliRun.of(
            "fit",
            "--method",
            "igm",
            "--grid",
            "lr=0.001,0.2",
            "--init-from",
            snapshot.toString(),
            "--epochs",
            "1",
            "--quiet",
            "--out",
            third.toString());
    assertThat(grid.code()).as(grid.toString()).isZero();
    Map<String, Object> metrics = json(third.resolve("igm/metrics.json"));
    @SuppressWarnings("unchecked")
    Map<String, String> selected = (Map<String, String>) metrics.get("selected");
    double lr = Double.parseDouble(selected.get("lr"));
    assertThat(configOf(metrics).get("lr")).isEqualTo(lr);
    assertThat(
            configOf(TrainerSnapshot.read(third.resolve("igm/model.safetensors")).metadataMap())
                .get("lr"))
        .isEqualTo(lr);
  }

  @Test
  void anNpzTrainsOnItsTrainRowsOnlyWithTheLabelAndSplitArraysNamed() throws Exception {
    Path npz = SegmentFiles.npz(dir.resolve("segment.npz"), false);
    Path out = dir.resolve("npz");
    CliRun r =
        CliRun.of(
            "fit",
            "--file",
            npz.toString(),
            "--label",
            "y",
            "--split-column",
            "split",
            "--views",
            "shape=1-9,colour=10-19",
            "--method",
            "joint",
            "--epochs",
            "1",
            "--quiet",
            "--out",
            out.toString());
    assertThat(r.code()).as(r.toString()).isZero();
    Map<String, Object> metrics = json(out.resolve("joint/metrics.json"));
    @SuppressWarnings("unchecked")
    Map<String, Double> test = (Map<String, Double>) metrics.get("test");
    assertThat(test).as("TEST figures of the 810 TEST rows").containsKeys("fused.acc", "shape.map");
    try (IgmTrainer t = TrainerSnapshot.read(out.resolve("joint/model.safetensors")).restore()) {
      // 1500 TRAIN rows, 300 of them carved into VALID: 1200 per epoch, 18 batches of 64 (1848 had
      // TEST rows trained)
      assertThat(t.samplesTrained() + t.pendingCount()).isEqualTo(1200);
      assertThat(t.batches()).isEqualTo(1200 / 64);
    }
  }

  @Test
  void anNpzWithOneArrayPerViewAndItsOwnLabelAndSplitNames() throws Exception {
    Path npz = SegmentFiles.npz(dir.resolve("views.npz"), true);
    Path out = dir.resolve("views");
    CliRun r =
        CliRun.of(
            "fit",
            "--file",
            npz.toString(),
            "--views",
            "shape=shape_feats;colour=colour_feats",
            "--label",
            "labels",
            "--split-column",
            "split",
            "--method",
            "joint",
            "--epochs",
            "1",
            "--quiet",
            "--out",
            out.toString());
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err())
        .contains("views {shape=9, colour=10}")
        .contains("TRAIN=1200, VALID=300, TEST=810");
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aDivergedGridPointIsAResultThatLosesTheSelectionAndTheGridFinishes() throws Exception {
    Path out = dir.resolve("diverge");
    CliRun r =
        CliRun.of(
            "fit",
            "--method",
            "joint",
            "--grid",
            "lr=1e30,0.01",
            "--epochs",
            "1",
            "--quiet",
            "--out",
            out.toString());
    assertThat(r.code()).as(r.toString()).isZero();
    Map<String, Object> metrics = json(out.resolve("joint/metrics.json"));
    assertThat(metrics.get("selected")).isEqualTo(Map.of("lr", "0.01"));
    assertThat(metrics.get("diverged")).isEqualTo(false);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> grid = (List<Map<String, Object>>) metrics.get("grid");
    assertThat(grid).hasSize(2);
    assertThat(grid.get(0))
        .containsEntry("combination", Map.of("lr", "1e30"))
        .containsEntry("diverged", true)
        .containsEntry("valid.fused.acc", "NaN");
    assertThat(r.err())
        .contains("joint {lr=1e30} diverged: non-finite scores on 300 VALID and 810 TEST rows");

    // alone, a diverged model is still a result: NaN figures, marked so
    Path alone = dir.resolve("alone");
    CliRun a =
        CliRun.of(
            "fit",
            "--method",
            "joint",
            "--lr",
            "1e30",
            "--epochs",
            "1",
            "--quiet",
            "--out",
            alone.toString());
    assertThat(a.code()).as(a.toString()).isZero();
    assertThat(json(alone.resolve("joint/metrics.json"))).containsEntry("diverged", true);
    assertThat(a.out()).contains("joint (diverged)").contains("NaN");
  }

  @Test
  void aMetricThatDoesNotExistIsRefusedListingTheOnesThatDo() {
    CliRun r =
        CliRun.of(
            "fit",
            "--method",
            "igm",
            "--grid",
            "lr=0.01,0.05",
            "--select-by",
            "fused.accuracy",
            "--epochs",
            "1",
            "--quiet",
            "--out",
            dir.resolve("typo").toString());
    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err())
        .contains("--select-by fused.accuracy is not a metric of method igm")
        .contains("shape.acc", "colour.f1", "fused.acc", "fused.map");
  }

  @Test
  void aTableWithoutTestRowsSaysSoAndHowToGetThem() throws Exception {
    Path csv = SegmentFiles.csv(dir.resolve("train.csv"), true);
    CliRun r =
        CliRun.of(
            "fit",
            "--file",
            csv.toString(),
            "--views",
            "shape=1-9,colour=10-19",
            "--method",
            "joint",
            "--epochs",
            "1",
            "--quiet",
            "--out",
            dir.resolve("notest").toString());
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).contains("no TEST rows").contains("--split-column").contains("--test-file");
  }
}
