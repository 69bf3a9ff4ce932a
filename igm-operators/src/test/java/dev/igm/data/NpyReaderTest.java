package dev.igm.data;

import static dev.igm.data.NpyFixtures.f4;
import static dev.igm.data.NpyFixtures.f8;
import static dev.igm.data.NpyFixtures.i4;
import static dev.igm.data.NpyFixtures.i8;
import static dev.igm.data.NpyFixtures.npy;
import static dev.igm.data.NpyFixtures.u1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpyReaderTest {
  @TempDir Path dir;

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  private static byte[] data(String descr, double... v) {
    return switch (descr) {
      case "<f4" -> {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        yield f4(f);
      }
      case "<f8" -> f8(v);
      case "<i4" -> i4(Arrays.stream(v).mapToInt(d -> (int) d).toArray());
      case "<i8" -> i8(Arrays.stream(v).mapToLong(d -> (long) d).toArray());
      case "|u1" -> u1(Arrays.stream(v).mapToInt(d -> (int) d).toArray());
      default -> throw new IllegalArgumentException(descr);
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"<f4", "<f8", "<i4", "<i8", "|u1"})
  void readsEachSupportedDtype(String descr) throws IOException {
    double[] values = {0, 1, 2, 3, 4, 250};
    NpyArray a = NpyReader.read(write("a.npy", npy(descr, new int[] {2, 3}, data(descr, values))));
    assertThat(a.dtype()).isEqualTo(descr);
    assertThat(a.shape()).containsExactly(2, 3);
    assertThat(a.rows()).isEqualTo(2);
    assertThat(a.rowWidth()).isEqualTo(3);
    assertThat(a.rowAsFloats(1)).containsExactly(3f, 4f, 250f);
    for (int i = 0; i < values.length; i++) {
      assertThat(a.getDouble(i)).isEqualTo(values[i]);
    }
  }

  @Test
  void readsVersion2HeaderNegativeIntsAnd1dAndScalarShapes() throws IOException {
    NpyArray a =
        NpyReader.read(
            write("v2.npy", npy("<i8", new int[] {3}, i8(-1, 5, Long.MAX_VALUE), 2, false)));
    assertThat(a.shape()).containsExactly(3);
    assertThat(a.getLong(0)).isEqualTo(-1);
    assertThat(a.getLong(2)).isEqualTo(Long.MAX_VALUE);
    assertThat(a.rowWidth()).isEqualTo(1);
    NpyArray s = NpyReader.read(write("s.npy", npy("<f8", new int[0], f8(2.5))));
    assertThat(s.shape()).isEmpty();
    assertThat(s.size()).isEqualTo(1);
    assertThat(s.getDouble(0)).isEqualTo(2.5);
  }

  @Test
  void readsUnicodeStrings() throws IOException {
    NpyArray a =
        NpyReader.read(
            write("u.npy", npy("<U5", new int[] {2}, NpyFixtures.unicode(5, "train", "té"))));
    assertThat(a.getString(0)).isEqualTo("train");
    assertThat(a.getString(1)).isEqualTo("té");
  }

  @Test
  void fortranOrderIsAClearError() throws IOException {
    Path p = write("f.npy", npy("<f4", new int[] {2, 2}, f4(1, 2, 3, 4), 1, true));
    assertThatThrownBy(() -> NpyReader.read(p))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith("f.npy: fortran_order True is not supported");
  }

  @Test
  void badFilesAreNamed() throws IOException {
    assertThatThrownBy(
            () -> NpyReader.read(write("be.npy", npy(">f4", new int[] {1}, new byte[4]))))
        .hasMessageStartingWith("be.npy: unsupported dtype '>f4'");
    assertThatThrownBy(
            () -> NpyReader.read(write("short.npy", npy("<f8", new int[] {4}, f8(1, 2, 3)))))
        .hasMessageStartingWith("short.npy: truncated data: expected 32 bytes");
    assertThatThrownBy(
            () -> NpyReader.read(write("magic.npy", "hello world, not numpy".getBytes())))
        .hasMessageStartingWith("magic.npy: not a .npy file");
    assertThatThrownBy(
            () ->
                NpyReader.read(
                    write("cut.npy", Arrays.copyOf(npy("<f4", new int[] {1}, f4(1)), 20))))
        .hasMessageStartingWith("cut.npy: truncated .npy header");
  }
}
