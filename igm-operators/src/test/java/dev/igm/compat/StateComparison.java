package dev.igm.compat;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** Compares the tensors of two safetensors files by name. */
final class StateComparison {
  private StateComparison() {}

  /** Tensor name to its raw bytes (dtype, shape and bits) of a safetensors file. */
  static Map<String, byte[]> tensors(byte[] safetensors) {
    Map<String, byte[]> out = new TreeMap<>();
    try (NDManager m = NDManager.newBaseManager()) {
      for (NDArray a : NDList.decode(m, safetensors)) {
        out.put(
            a.getName(),
            (a.getDataType() + a.getShape().toString() + ":" + Arrays.toString(a.toByteArray()))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /**
   * Whether every tensor of {@code expected} is in {@code actual} with the same dtype, shape and
   * bits.
   */
  static boolean sameTensors(byte[] expected, byte[] actual) {
    Map<String, byte[]> e = tensors(expected);
    Map<String, byte[]> a = tensors(actual);
    if (!a.keySet().equals(e.keySet())) {
      return false;
    }
    return e.entrySet().stream().allMatch(x -> Arrays.equals(x.getValue(), a.get(x.getKey())));
  }

  static void assertSameTensors(byte[] expected, byte[] actual) {
    Map<String, byte[]> e = tensors(expected);
    Map<String, byte[]> a = tensors(actual);
    assertThat(a.keySet()).containsExactlyElementsOf(e.keySet());
    for (String name : e.keySet()) {
      assertThat(Arrays.equals(e.get(name), a.get(name)))
          .as("tensor %s bit-identical", name)
          .isTrue();
    }
  }

  /** Largest |a − b| / (1 + |b|) over all float tensors of the same name. */
  static double maxRelativeDifference(byte[] a, byte[] b) {
    double worst = 0;
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> x = new TreeMap<>();
      for (NDArray t : NDList.decode(m, a)) {
        x.put(t.getName(), t);
      }
      for (NDArray t : NDList.decode(m, b)) {
        NDArray s = x.get(t.getName());
        assertThat(s).as("tensor %s", t.getName()).isNotNull();
        double[] u = s.toType(DataType.FLOAT64, false).toDoubleArray();
        double[] v = t.toType(DataType.FLOAT64, false).toDoubleArray();
        for (int i = 0; i < u.length; i++) {
          worst = Math.max(worst, Math.abs(u[i] - v[i]) / (1 + Math.abs(v[i])));
        }
      }
    }
    return worst;
  }
}
