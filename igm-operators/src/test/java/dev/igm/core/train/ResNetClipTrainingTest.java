package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.IgmConfigBuilder;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.model.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IGM with a resnet18 clip modality {@code [3, 2, 16, 16]} beside a feature modality: determinism
 * and resume.
 */
class ResNetClipTrainingTest {
  private static final int S = 16;

  /**
   * Clips whose class shows as a bright band in one of the two frames (which one is random), under
   * noise.
   */
  static List<LabeledSample> samples(int n, long seed) {
    Rng rng = new Rng(seed);
    List<LabeledSample> out = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      int y = rng.nextInt(3);
      int frame = rng.nextInt(2);
      float[] clip = new float[3 * 2 * S * S];
      for (int c = 0; c < 3; c++) {
        for (int f = 0; f < 2; f++) {
          for (int r = 0; r < S; r++) {
            boolean band = f == frame && r >= 4 * y + 1 && r <= 4 * y + 3;
            for (int col = 0; col < S; col++) {
              clip[((c * 2 + f) * S + r) * S + col] =
                  (float) ((band ? 1.0 : 0) + 0.5 * rng.nextGaussian());
            }
          }
        }
      }
      float[] features = new float[4];
      for (int i = 0; i < features.length; i++) {
        features[i] = (float) ((i == y ? 0.5 : 0) + rng.nextGaussian());
      }
      out.add(new LabeledSample("c" + s, y, new float[][] {clip, features}));
    }
    return out;
  }

  static IgmConfigBuilder config(String method) {
    return IgmConfig.builder()
        .method(method)
        .addModality(
            new ModalitySpec("visual", List.of(3, 2, S, S), "resnet18", List.of(), null, false))
        .addModality(ModalitySpec.features("feat", 4))
        .numClasses(3)
        .headWidths(List.of(16, 8))
        .batchSize(8)
        .phaseBatches(2)
        .lr(0.02)
        .seed(3)
        .deterministic(true);
  }

  @Test
  void twoDeterministicRunsAreBitIdenticalAndTheClipStatisticsMove() {
    List<LabeledSample> data = samples(40, 3);
    try (IgmTrainer a = new IgmTrainer(config("igm").build());
        IgmTrainer b = new IgmTrainer(config("igm").build())) {
      Synthetic.train(a, data);
      Synthetic.train(b, data);
      assertThat(a.refusedSteps()).isZero();
      assertThat(a.flatMatrix(0, 0)).as("T of the clip modality's 512-wide head input").isNotNull();
      Bits.assertIdentical(Bits.state(a), Bits.state(b));
      int runningMean = a.nets().get(0).bufferNames().indexOf("visual.encoder.bn1.running_mean");
      assertThat(a.nets().get(0).buffers().get(runningMean).toFloatArray())
          .as("statistics moved")
          .isNotEqualTo(new float[64]);
    }
  }

  @Test
  void resumedRunIsBitIdenticalToUninterruptedRun(@TempDir Path dir) throws Exception {
    IgmConfig config = config("igm").build();
    List<LabeledSample> data = samples(45, 4);
    int cut = 29; // 3 batches (the second clip phase has begun) + 5 pending clips
    try (IgmTrainer whole = new IgmTrainer(config);
        IgmTrainer first = new IgmTrainer(config)) {
      Synthetic.train(whole, data);
      Synthetic.train(first, data.subList(0, cut));
      Path file = dir.resolve("model.safetensors");
      TrainerSnapshot.capture(first, Map.of()).write(file);
      try (IgmTrainer resumed = TrainerSnapshot.read(file).restore()) {
        assertThat(resumed.pendingCount()).isEqualTo(5);
        Synthetic.train(resumed, data.subList(cut, data.size()));
        Bits.assertIdentical(Bits.state(whole), Bits.state(resumed));
        assertThat(TrainerSnapshot.capture(resumed, Map.of()).sha256())
            .isEqualTo(TrainerSnapshot.capture(whole, Map.of()).sha256());
      }
    }
  }
}
