package dev.igm.core.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.Prediction;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.Scores;
import dev.igm.core.train.TrainerSnapshot;
import java.io.FileNotFoundException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SnapshotLoaderTest {
  private static TrainerSnapshot snap;
  private final Map<String, byte[]> files = new HashMap<>();
  private final SnapshotLoader loader =
      new SnapshotLoader(
          uri -> {
            byte[] b = files.get(uri);
            if (b == null) {
              throw new FileNotFoundException(uri);
            }
            return b.clone();
          });

  @BeforeAll
  static void train() {
    snap = ServeFixtures.trained(3);
  }

  @Test
  void scoresExactlyAsTheRestoredSnapshot() throws Exception {
    files.put("mem://v1", snap.tensors());
    ModelSnapshot record = ServeFixtures.record(snap, "mem://v1", 1, Map.of());
    Random r = new Random(5);
    try (ServingModel model = loader.load(record);
        IgmTrainer reference = snap.restore()) {
      for (int s = 0; s < 20; s++) {
        float[][] in = ServeFixtures.inputs(r);
        Prediction p = model.score(ServeFixtures.sample("x" + s, in));
        Scores expected = reference.score(Collections.singletonList(in));
        assertThat(p.getModelId()).isEqualTo("m");
        assertThat(p.getModelVersion()).isEqualTo(1);
        assertThat(p.getSampleId()).isEqualTo("x" + s);
        assertThat(p.getLabel()).isEqualTo(1);
        for (int c = 0; c < 3; c++) {
          assertThat(p.getFusedProbabilities().get(c)).isEqualTo(expected.fused(0)[c]);
          assertThat(p.getModalityProbabilities().get("a").get(c))
              .isEqualTo(expected.modality(0, 0)[c]);
          assertThat(p.getModalityProbabilities().get("b").get(c))
              .isEqualTo(expected.modality(1, 0)[c]);
        }
        assertThat(p.getPredicted()).isEqualTo(ServingModel.argmax(expected.fused(0)));
      }
    }
  }

  @Test
  void acceptsTheSnapshotMetadataDocumentAsConfig() throws Exception {
    files.put("mem://v1", snap.tensors());
    ModelSnapshot record = ServeFixtures.record(snap, "mem://v1", 1, Map.of());
    record.setConfig(snap.metadata());
    try (ServingModel model = loader.load(record)) {
      assertThat(model.config()).isEqualTo(ServeFixtures.config(3));
    }
  }

  @Test
  void refusesChangedBytesMissingFilesAndTensorsThatDoNotFit() throws Exception {
    byte[] changed = snap.tensors().clone();
    changed[changed.length - 1] ^= 1;
    files.put("mem://changed", changed);
    assertThatThrownBy(() -> loader.load(ServeFixtures.record(snap, "mem://changed", 1, Map.of())))
        .isInstanceOf(UnusableSnapshotException.class)
        .hasMessageContaining("checksum mismatch for mem://changed");
    assertThatThrownBy(() -> loader.load(ServeFixtures.record(snap, "mem://absent", 1, Map.of())))
        .isInstanceOf(UnusableSnapshotException.class)
        .hasMessageContaining("not found: mem://absent");

    // A file whose checksum is right but whose tensors belong to another model shape.
    TrainerSnapshot other = ServeFixtures.trained(4);
    files.put("mem://other", other.tensors());
    ModelSnapshot mismatched = ServeFixtures.record(other, "mem://other", 1, Map.of());
    mismatched.setConfig(
        ServeFixtures.record(snap, "x", 1, Map.of())
            .getConfig()
            .replace("\"input.shape\":[6]", "\"input.shape\":[7]"));
    assertThatThrownBy(() -> loader.load(mismatched))
        .isInstanceOf(UnusableSnapshotException.class)
        .hasMessageContaining("has shape");
  }

  @Test
  void samplesAModelCannotScoreSayWhy() throws Exception {
    files.put("mem://v1", snap.tensors());
    try (ServingModel model = loader.load(ServeFixtures.record(snap, "mem://v1", 1, Map.of()))) {
      float[][] in = ServeFixtures.inputs(new Random(1));
      var missing = ServeFixtures.sample("no-b", in);
      missing.getModalities().remove("b");
      assertThatThrownBy(() -> model.score(missing))
          .isInstanceOf(InvalidSampleException.class)
          .hasMessageContaining("has no modality 'b'");
      var shortA = ServeFixtures.sample("short", new float[][] {new float[5], in[1]});
      assertThatThrownBy(() -> model.score(shortA))
          .hasMessageContaining("has 5 values, the model takes 6");
      in[1][2] = Float.NaN;
      assertThatThrownBy(() -> model.score(ServeFixtures.sample("nan", in)))
          .hasMessageContaining("non-finite value NaN");
    }
  }
}
