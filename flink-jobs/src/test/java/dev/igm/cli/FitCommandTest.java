package dev.igm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.igm.core.train.TrainerSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code igm fit} end to end on the bundled dataset: snapshot, metrics and table, selection on
 * VALID.
 */
class FitCommandTest {

  @Test
  @SuppressWarnings("unchecked")
  void fitWritesSnapshotMetricsAndTable(@TempDir Path out) throws Exception {
    int rc =
        IgmCli.run(
            "fit",
            "--methods",
            "igm,joint",
            "--epochs",
            "2",
            "--quiet",
            "--grid",
            "lr=0.01,0.05",
            "--out",
            out.toString());
    assertThat(rc).isZero();
    for (String m : new String[] {"igm", "joint"}) {
      Path dir = out.resolve(m);
      Map<String, Object> metrics =
          new ObjectMapper().readValue(dir.resolve("metrics.json").toFile(), Map.class);
      assertThat(metrics).containsKeys("valid", "test", "selected", "config");
      Map<String, Double> test = (Map<String, Double>) metrics.get("test");
      assertThat(test.get("fused.acc")).isBetween(0.3, 1.0);
      assertThat(test)
          .containsKeys("shape.acc", "shape.f1", "shape.map", "colour.acc", "fused.map");
      TrainerSnapshot snap = TrainerSnapshot.read(dir.resolve("model.safetensors"));
      assertThat(snap.metadataMap()).containsEntry("method", m);
      try (var trainer = snap.restore()) {
        // 1200 TRAIN rows (1500 minus the 20% VALID carve), batch 64: the model of the epoch chosen
        // on VALID (of 2)
        int epoch = (Integer) metrics.get("epoch");
        assertThat(epoch).isBetween(1, 2);
        assertThat(trainer.batches()).isEqualTo(epoch * 1200 / 64);
      }
    }
    assertThat(Files.readString(out.resolve("table.md"))).contains("| igm |").contains("| joint |");
  }

  @Test
  void badMethodIsAClearError() {
    assertThat(IgmCli.run("fit", "--methods", "nonsense", "--epochs", "1", "--quiet")).isEqualTo(2);
  }
}
