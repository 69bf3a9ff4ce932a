package dev.igm.core.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import dev.igm.avro.Split;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.model.Rng;
import dev.igm.core.train.IgmTrainer;
import dev.igm.data.MultiViewDataset;
import dev.igm.data.MultiViewRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Best-VALID-epoch selection: the model kept is exactly the one of the chosen epoch (the first with
 * the highest VALID score), and its figures are that epoch's.
 */
class BestEpochTest {
  private static final int EPOCHS = 6;

  /**
   * Two views, three well separated classes: VALID accuracy reaches 1.0 after an epoch or two and
   * stays there.
   */
  private static MultiViewDataset separable() {
    Rng rng = new Rng(11);
    List<MultiViewRow> rows = new ArrayList<>();
    for (int s = 0; s < 150; s++) {
      int y = s % 3;
      float[] a = new float[4];
      float[] b = new float[3];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) ((i % 3 == y ? 3 : 0) + 0.3 * rng.nextGaussian());
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = (float) ((i == y ? 3 : 0) + 0.3 * rng.nextGaussian());
      }
      Split split = s < 90 ? Split.TRAIN : s < 120 ? Split.VALID : Split.TEST;
      Map<String, float[]> views = new LinkedHashMap<>();
      views.put("a", a);
      views.put("b", b);
      rows.add(new MultiViewRow("toy/" + s, y, split, views));
    }
    Map<String, Integer> dims = new LinkedHashMap<>();
    dims.put("a", 4);
    dims.put("b", 3);
    return new MultiViewDataset("toy", List.of("x", "y", "z"), dims, rows);
  }

  private static IgmConfig config(MultiViewDataset ds) {
    return IgmConfig.builder()
        .method("igm")
        .modalities(OfflineFit.featureModalities(ds))
        .numClasses(3)
        .headWidths(List.of(16, 8))
        .batchSize(8)
        .phaseBatches(3)
        .lr(0.05)
        .seed(5)
        .deterministic(true)
        .build();
  }

  private static List<float[]> parameters(IgmTrainer t) {
    List<float[]> out = new ArrayList<>();
    t.nets()
        .forEach(
            net ->
                net.parameters()
                    .forEach(p -> out.add(p.toType(DataType.FLOAT32, false).toFloatArray())));
    return out;
  }

  @Test
  void theModelKeptIsTheOneOfTheFirstEpochWithTheBestValidScore() {
    MultiViewDataset ds = separable();
    OfflineFit.Result best =
        OfflineFit.of(ds, config(ds), EPOCHS, 3).selectBestEpoch("fused.acc").run();
    try {
      List<OfflineFit.EpochScore> curve = best.curve();
      assertThat(curve).hasSize(EPOCHS);
      double top = curve.stream().mapToDouble(e -> e.valid().get("fused.acc")).max().orElseThrow();
      int first =
          curve.stream()
              .filter(e -> e.valid().get("fused.acc") == top)
              .findFirst()
              .orElseThrow()
              .epoch();
      assertThat(best.epoch()).isEqualTo(first);
      // separable data: 1.0 is reached before the last epoch, so the kept model is not the last one
      assertThat(top).isEqualTo(1.0);
      assertThat(best.epoch()).isLessThan(EPOCHS);
      OfflineFit.EpochScore chosen = curve.get(best.epoch() - 1);
      assertThat(best.valid()).isEqualTo(chosen.valid());
      assertThat(best.batches()).isEqualTo(chosen.batches()).isEqualTo(best.trainer().batches());
      assertThat(best.test()).containsKey("fused.acc");

      // the kept model is bit for bit the model a fit of exactly that many epochs ends with
      OfflineFit.Result shorter = OfflineFit.of(ds, config(ds), best.epoch(), 3).run();
      try {
        assertThat(shorter.epoch()).isEqualTo(best.epoch());
        List<float[]> x = parameters(best.trainer());
        List<float[]> y = parameters(shorter.trainer());
        assertThat(y).hasSameSizeAs(x);
        for (int i = 0; i < x.size(); i++) {
          assertThat(y.get(i)).as("parameter %d", i).containsExactly(x.get(i));
        }
        assertThat(shorter.valid()).isEqualTo(best.valid());
        assertThat(shorter.test()).isEqualTo(best.test());
      } finally {
        shorter.trainer().close();
      }
    } finally {
      best.trainer().close();
    }
  }

  @Test
  void withoutSelectionTheLastEpochIsKeptAndTheCurveIsStillRecorded() {
    MultiViewDataset ds = separable();
    OfflineFit.Result last = OfflineFit.of(ds, config(ds), 3, 3).run();
    try {
      assertThat(last.epoch()).isEqualTo(3);
      assertThat(last.curve()).extracting(OfflineFit.EpochScore::epoch).containsExactly(1, 2, 3);
      assertThat(last.valid()).isEqualTo(last.curve().get(2).valid());
    } finally {
      last.trainer().close();
    }
  }

  @Test
  void scoringTestEveryEpochChangesNeitherTheChoiceNorTheModel() {
    MultiViewDataset ds = separable();
    OfflineFit.Result plain =
        OfflineFit.of(ds, config(ds), EPOCHS, 3).selectBestEpoch("fused.acc").run();
    OfflineFit.Result scored =
        OfflineFit.of(ds, config(ds), EPOCHS, 3)
            .selectBestEpoch("fused.acc")
            .scoreTestEachEpoch()
            .run();
    try {
      assertThat(plain.curve()).allSatisfy(e -> assertThat(e.test()).isEmpty());
      assertThat(scored.curve())
          .allSatisfy(e -> assertThat(e.test()).containsKeys("a.acc", "b.acc", "fused.acc"));
      assertThat(scored.epoch()).isEqualTo(plain.epoch());
      assertThat(scored.curve())
          .extracting(OfflineFit.EpochScore::valid)
          .isEqualTo(plain.curve().stream().map(OfflineFit.EpochScore::valid).toList());
      // the kept epoch's TEST figures are the ones the fit reports for its model
      assertThat(scored.curve().get(scored.epoch() - 1).test()).isEqualTo(scored.test());
      List<float[]> x = parameters(plain.trainer());
      List<float[]> y = parameters(scored.trainer());
      for (int i = 0; i < x.size(); i++) {
        assertThat(y.get(i)).as("parameter %d", i).containsExactly(x.get(i));
      }
    } finally {
      plain.trainer().close();
      scored.trainer().close();
    }
  }

  @Test
  void selectionNeedsValidRowsAndAKnownMetric() {
    MultiViewDataset ds = separable();
    MultiViewDataset noValid =
        ds.withRows(ds.rows().stream().filter(r -> r.split() != Split.VALID).toList());
    assertThatThrownBy(() -> OfflineFit.of(noValid, config(ds), 2, 3).selectBestEpoch("fused.acc"))
        .hasMessageContaining("needs VALID rows");
    assertThatThrownBy(() -> OfflineFit.of(ds, config(ds), 2, 3).selectBestEpoch("fused.auc"))
        .hasMessageContaining("fused.auc is not a metric of method igm");
  }
}
