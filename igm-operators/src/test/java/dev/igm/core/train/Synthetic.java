package dev.igm.core.train;

import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.IgmConfigBuilder;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.model.Rng;
import java.util.ArrayList;
import java.util.List;

/** Small separable two-view data for trainer tests: view "a" is informative, view "b" weakly so. */
final class Synthetic {
  private Synthetic() {}

  static List<LabeledSample> samples(int n, long seed) {
    Rng rng = new Rng(seed);
    List<LabeledSample> out = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      int y = rng.nextInt(3);
      float[] a = new float[6];
      float[] b = new float[4];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) ((i % 3 == y ? 1.5 : 0) + 0.5 * rng.nextGaussian());
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = (float) ((i == y ? 0.7 : 0) + rng.nextGaussian());
      }
      out.add(new LabeledSample("s" + s, y, new float[][] {a, b}));
    }
    return out;
  }

  static IgmConfigBuilder config(String method) {
    return IgmConfig.builder()
        .method(method)
        .addModality(ModalitySpec.features("a", 6))
        .addModality(ModalitySpec.features("b", 4))
        .numClasses(3)
        .headWidths(List.of(16, 8))
        .batchSize(8)
        .phaseBatches(3)
        .tRefreshBatches(2)
        .lr(0.05)
        .seed(7)
        .deterministic(true);
  }

  static List<StepReport> train(IgmTrainer t, List<LabeledSample> data) {
    List<StepReport> all = new ArrayList<>();
    for (LabeledSample s : data) {
      all.addAll(t.offer(s));
    }
    return all;
  }

  /** All parameters as raw float bits, modality by modality. */
  static List<int[]> parameterBits(IgmTrainer t) {
    List<int[]> out = new ArrayList<>();
    t.nets()
        .forEach(
            net ->
                net.parameters()
                    .forEach(
                        p -> {
                          float[] f = p.toFloatArray();
                          int[] bits = new int[f.length];
                          for (int i = 0; i < f.length; i++) {
                            bits[i] = Float.floatToRawIntBits(f[i]);
                          }
                          out.add(bits);
                        }));
    return out;
  }
}
