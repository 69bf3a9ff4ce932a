package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A snapshot taken mid-run (mid-phase, with a pending partial batch) resumes to exactly the
 * uninterrupted run.
 */
class SnapshotResumeTest {

  @ParameterizedTest
  @ValueSource(strings = {"igm", "mla", "joint", "igm-reference", "igm-adam"})
  void resumedRunIsBitIdenticalToUninterruptedRun(String variant, @TempDir Path dir)
      throws Exception {
    var builder = Synthetic.config(variant.startsWith("igm") ? "igm" : variant);
    if (variant.equals("igm-reference")) {
      builder.samVariant(dev.igm.core.config.IgmConfig.SamVariant.REFERENCE);
    }
    if (variant.equals("igm-adam")) {
      builder.optimizer(dev.igm.core.config.IgmConfig.OptimizerKind.ADAM).lr(0.01);
    }
    var config = builder.build();
    List<LabeledSample> data = Synthetic.samples(203, 12);
    int cut = 101; // 12 full batches + 5 pending samples, in the middle of a phase
    try (IgmTrainer whole = new IgmTrainer(config);
        IgmTrainer first = new IgmTrainer(config)) {
      Synthetic.train(whole, data);
      Synthetic.train(first, data.subList(0, cut));
      assertThat(first.pendingCount()).isEqualTo(5);
      Path file = dir.resolve("model.safetensors");
      TrainerSnapshot.capture(first, Map.of("valid.acc", 0.5)).write(file);
      TrainerSnapshot loaded = TrainerSnapshot.read(file);
      assertThat(loaded.metadataMap()).containsEntry("method", config.methodName());
      try (IgmTrainer resumed = loaded.restore()) {
        assertThat(resumed.batches()).isEqualTo(first.batches());
        assertThat(resumed.pendingCount()).isEqualTo(5);
        Synthetic.train(resumed, data.subList(cut, data.size()));
        List<int[]> a = Synthetic.parameterBits(whole);
        List<int[]> b = Synthetic.parameterBits(resumed);
        for (int i = 0; i < a.size(); i++) {
          assertThat(b.get(i)).as("tensor %d", i).containsExactly(a.get(i));
        }
        assertThat(resumed.samplesTrained()).isEqualTo(whole.samplesTrained());
        // and a snapshot of both ends identically (optimizer state, covariances, T, projectors
        // included)
        assertThat(TrainerSnapshot.capture(resumed, Map.of()).sha256())
            .isEqualTo(TrainerSnapshot.capture(whole, Map.of()).sha256());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"igm", "igm-adam"})
  void aCaptureWrittenLaterHoldsTheStateOfItsInstant(String variant) throws Exception {
    var builder = Synthetic.config("igm");
    if (variant.equals("igm-adam")) {
      builder.optimizer(dev.igm.core.config.IgmConfig.OptimizerKind.ADAM).lr(0.01);
    }
    List<LabeledSample> data = Synthetic.samples(203, 12);
    try (IgmTrainer t = new IgmTrainer(builder.build())) {
      Synthetic.train(t, data.subList(0, 101));
      TrainerSnapshot now = TrainerSnapshot.capture(t, Map.of("m", 1.0));
      try (TrainerSnapshot.Capture later = TrainerSnapshot.captureLater(t, Map.of("m", 1.0))) {
        Synthetic.train(
            t,
            data.subList(101, data.size())); // parameters, optimizer state, covariances, T move on
        java.io.ByteArrayOutputStream streamed = new java.io.ByteArrayOutputStream();
        later.writeTensors(streamed);
        assertThat(TrainerSnapshot.sha256(streamed.toByteArray())).isEqualTo(now.sha256());
        assertThat(later.encode().tensors()).isEqualTo(now.tensors());
        assertThat(later.metadataMap()).containsEntry("batches", now.metadataMap().get("batches"));
      }
      assertThat(TrainerSnapshot.capture(t, Map.of()).sha256()).isNotEqualTo(now.sha256());
    }
  }
}
