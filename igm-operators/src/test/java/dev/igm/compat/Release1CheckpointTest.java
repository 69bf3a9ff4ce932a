package dev.igm.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.Prediction;
import dev.igm.avro.TrainingMetrics;
import dev.igm.flink.ModelSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint of the training operator written by the first release (two models, keyed state on
 * the heap backend, mid-batch) restores under this code, and the operator goes on exactly as one
 * that never stopped: the same predictions, metrics and final model files (sha256 of the snapshot,
 * i.e. parameters, optimizer state, covariances, T, projectors). As in {@link
 * Release1SnapshotTest}, bit-identity is asserted where this machine reproduces the checkpoint's
 * own run bit for bit (checked on the predictions it emitted before the checkpoint), closeness
 * elsewhere.
 */
class Release1CheckpointTest {

  @Test
  void aRelease1CheckpointRestoresAndContinuesAsAnOperatorThatNeverStopped(@TempDir Path dir)
      throws Exception {
    List<ModelSample> stream = Release1.operatorStream();
    List<ModelSample> rest = stream.subList(Release1.OPERATOR_CUT, stream.size());

    List<Prediction> all;
    int before;
    List<TrainingMetrics> wholeMetrics;
    List<String> wholeSnapshots;
    try (OperatorRun whole =
        new OperatorRun(Release1.operatorModels(), dir.resolve("a"), null, 1)) {
      whole.process(stream.subList(0, Release1.OPERATOR_CUT), 40);
      before = whole.predictions().size();
      whole.checkpoint(0);
      whole.process(rest, 40).endInput();
      all = whole.predictions();
      wholeMetrics = whole.metrics();
      wholeSnapshots = whole.snapshots();
    }
    boolean sameArithmetic =
        Release1.digest(all.subList(0, before))
            .equals(Files.readString(Release1.operatorPredictionsDigest()).trim());

    try (OperatorRun restored =
        new OperatorRun(
            Release1.operatorModels(),
            dir.resolve("b"),
            OperatorSnapshotUtil.readStateHandle(Release1.operatorFile().toString()),
            Release1.OPERATOR_CHECKPOINT_ID + 1)) {
      restored.process(rest, 40).endInput();
      List<Prediction> after = all.subList(before, all.size());
      assertThat(restored.predictions()).hasSameSizeAs(after);
      assertThat(restored.snapshots()).hasSize(2);
      if (sameArithmetic) {
        assertThat(restored.predictions()).containsExactlyElementsOf(after);
        // at the end of input, models publish in the order the operator first saw them since it
        // (re)started
        assertThat(restored.snapshots()).containsExactlyInAnyOrderElementsOf(wholeSnapshots);
        for (String model : Release1.operatorModels().keySet()) {
          List<TrainingMetrics> mine = ofModel(restored.metrics(), model);
          List<TrainingMetrics> theirs = ofModel(wholeMetrics, model);
          assertThat(mine).isNotEmpty();
          assertThat(mine)
              .containsExactlyElementsOf(
                  theirs.subList(theirs.size() - mine.size(), theirs.size()));
        }
      } else {
        System.err.println(
            "Release1CheckpointTest: this CPU rounds differently from the one that wrote the checkpoint;"
                + " continuation compared within tolerance, not bit for bit");
        for (int i = 0; i < after.size(); i++) {
          Prediction e = after.get(i);
          Prediction a = restored.predictions().get(i);
          assertThat(a.getSampleId()).isEqualTo(e.getSampleId());
          assertThat(a.getModelVersion()).isEqualTo(e.getModelVersion());
          for (int c = 0; c < e.getFusedProbabilities().size(); c++) {
            assertThat((double) a.getFusedProbabilities().get(c))
                .isCloseTo(
                    e.getFusedProbabilities().get(c), org.assertj.core.data.Offset.offset(1e-3));
          }
        }
      }
    }
  }

  /**
   * The spectra behind the last refreshes are reported once and are not part of the checkpoint: a
   * restored operator reports the refreshes it makes itself.
   */
  private static List<TrainingMetrics> ofModel(List<TrainingMetrics> metrics, String model) {
    List<TrainingMetrics> out = new ArrayList<>();
    for (TrainingMetrics m : metrics) {
      if (m.getModelId().equals(model)) {
        out.add(TrainingMetrics.newBuilder(m).setEigenvalues(java.util.Map.of()).build());
      }
    }
    return out;
  }
}
