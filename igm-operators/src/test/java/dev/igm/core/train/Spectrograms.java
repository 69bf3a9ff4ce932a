package dev.igm.core.train;

import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.IgmConfigBuilder;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.model.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * Two-modality data for encoder tests: a spectrogram-like image {@code [1, H, W]} whose class shows
 * as a bright frequency band (rows {@code 4y+1 .. 4y+3}) under noise, and a 4-d feature view that
 * is only weakly informative.
 */
final class Spectrograms {
  static final int SIZE = 16;

  private Spectrograms() {}

  static List<LabeledSample> samples(int n, long seed) {
    Rng rng = new Rng(seed);
    List<LabeledSample> out = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      int y = rng.nextInt(3);
      float[] image = new float[SIZE * SIZE];
      for (int r = 0; r < SIZE; r++) {
        boolean band = r >= 4 * y + 1 && r <= 4 * y + 3;
        for (int c = 0; c < SIZE; c++) {
          image[r * SIZE + c] = (float) ((band ? 1.0 : 0) + 0.5 * rng.nextGaussian());
        }
      }
      float[] features = new float[4];
      for (int i = 0; i < features.length; i++) {
        features[i] = (float) ((i == y ? 0.5 : 0) + rng.nextGaussian());
      }
      out.add(new LabeledSample("s" + s, y, new float[][] {image, features}));
    }
    return out;
  }

  static ModalitySpec resnet(boolean frozen) {
    return new ModalitySpec("spec", List.of(1, SIZE, SIZE), "resnet18", List.of(), null, frozen);
  }

  static IgmConfigBuilder config(String method, boolean frozen) {
    return IgmConfig.builder()
        .method(method)
        .addModality(resnet(frozen))
        .addModality(ModalitySpec.features("feat", 4))
        .numClasses(3)
        .headWidths(List.of(16, 8))
        .batchSize(8)
        .phaseBatches(2)
        .lr(0.02)
        .seed(3)
        .deterministic(true);
  }
}
