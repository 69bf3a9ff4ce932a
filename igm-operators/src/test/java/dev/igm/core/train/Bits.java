package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * Bit-level comparison of whole models, linear in their size (AssertJ's containsExactly diff is
 * quadratic).
 */
final class Bits {
  private Bits() {}

  /** Parameters then buffers of every modality, as raw float bits. */
  static List<int[]> state(IgmTrainer t) {
    List<int[]> out = new ArrayList<>();
    t.nets()
        .forEach(
            net -> {
              net.parameters().forEach(p -> out.add(of(p)));
              net.buffers().forEach(b -> out.add(of(b)));
            });
    return out;
  }

  static int[] of(NDArray a) {
    float[] f = a.toType(DataType.FLOAT32, false).toFloatArray();
    int[] bits = new int[f.length];
    for (int i = 0; i < f.length; i++) {
      bits[i] = Float.floatToRawIntBits(f[i]);
    }
    return bits;
  }

  static void assertIdentical(List<int[]> a, List<int[]> b) {
    assertThat(b).hasSameSizeAs(a);
    for (int i = 0; i < a.size(); i++) {
      assertThat(java.util.Arrays.equals(a.get(i), b.get(i)))
          .as("tensor %d bit-identical", i)
          .isTrue();
    }
  }
}
