package dev.igm.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.LabeledSample;
import dev.igm.core.train.TrainerSnapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Trainer snapshots written by the first release (checked in under {@code compat/release-1})
 * restore under this code and train on exactly as a trainer that never stopped.
 *
 * <p>The restore itself is exact on any CPU: every tensor of the file comes back bit for bit. The
 * continuation is compared with a trainer that trains the whole stream here; its first part
 * reproduces the file bit for bit only where libtorch rounds as on the machine that wrote it
 * (x86-64 with AVX-512; AVX2 or {@code ATEN_CPU_CAPABILITY=default} round differently). Where it
 * does, the continuation must be bit-identical; elsewhere the two runs differ from the first batch
 * on by float rounding, and the test asserts closeness instead, and says so on stderr.
 */
class Release1SnapshotTest {

  static List<String> variants() {
    return Release1.TRAINER_VARIANTS;
  }

  @ParameterizedTest
  @MethodSource("variants")
  void aRelease1SnapshotRestoresAndContinuesAsATrainerThatNeverStopped(String variant)
      throws Exception {
    List<LabeledSample> data = Release1.trainerStream();
    TrainerSnapshot file = TrainerSnapshot.read(Release1.trainerFile(variant));
    try (IgmTrainer restored = file.restore();
        IgmTrainer whole = new IgmTrainer(Release1.trainerConfig(variant))) {
      assertThat(restored.config()).isEqualTo(Release1.trainerConfig(variant));
      // the configuration is written as the first release wrote it, key for key and in the same
      // order
      var json = new com.fasterxml.jackson.databind.ObjectMapper();
      assertThat(json.writeValueAsString(restored.config().toMap()))
          .isEqualTo(json.writeValueAsString(json.readTree(file.metadata()).get("config")));
      assertThat(restored.batches()).isEqualTo(10);
      assertThat(restored.pendingCount()).isEqualTo(5);
      assertThat(restored.samplesTrained()).isEqualTo(160);
      StateComparison.assertSameTensors(
          file.tensors(), TrainerSnapshot.capture(restored, Map.of()).tensors());

      for (LabeledSample s : data.subList(0, Release1.TRAINER_CUT)) {
        whole.offer(s);
      }
      boolean sameArithmetic =
          StateComparison.sameTensors(
              file.tensors(), TrainerSnapshot.capture(whole, Map.of()).tensors());
      for (LabeledSample s : data.subList(Release1.TRAINER_CUT, data.size())) {
        whole.offer(s);
        restored.offer(s);
      }
      assertThat(restored.batches()).isEqualTo(whole.batches()).isEqualTo(22);
      assertThat(restored.pendingCount()).isEqualTo(whole.pendingCount());
      byte[] a = TrainerSnapshot.capture(whole, Map.of()).tensors();
      byte[] b = TrainerSnapshot.capture(restored, Map.of()).tensors();
      if (sameArithmetic) {
        StateComparison.assertSameTensors(a, b);
      } else {
        System.err.println(
            "Release1SnapshotTest["
                + variant
                + "]: this CPU rounds differently from the one that wrote"
                + " the file; continuation compared within tolerance, not bit for bit");
        assertThat(StateComparison.maxRelativeDifference(a, b)).isLessThan(1e-3);
      }
    }
  }
}
