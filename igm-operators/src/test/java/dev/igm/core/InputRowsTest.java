package dev.igm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class InputRowsTest {
  @Test
  void theArrayIsTheFirstRowsWithoutACopy() {
    InputRows rows = new InputRows(3, 2);
    rows.put(0, new float[] {1, 2, 3});
    rows.put(1, new float[] {4, 5, 6});
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray one = rows.array(m, 1);
      assertThat(one.getShape()).isEqualTo(new Shape(1, 3));
      assertThat(one.toFloatArray()).containsExactly(1, 2, 3);
      NDArray two = rows.array(m, 2);
      assertThat(two.sum().getFloat()).isEqualTo(21f);
      rows.put(
          0, 0,
          10f); // the engine reads the buffer itself: the next batch must wait until this one is
      // done
      assertThat(two.toFloatArray()).containsExactly(10, 2, 3, 4, 5, 6);
    }
  }

  @Test
  void growsForALargerBatch() {
    InputRows rows = new InputRows(2, 1);
    assertThatThrownBy(() -> rows.put(1, new float[] {1, 2}))
        .isInstanceOf(IndexOutOfBoundsException.class);
    rows.ensureCapacity(5);
    assertThat(rows.capacity()).isGreaterThanOrEqualTo(5);
    for (int r = 0; r < 5; r++) {
      rows.put(r, new float[] {r, -r});
    }
    try (NDManager m = NDManager.newBaseManager()) {
      assertThat(rows.array(m, 5).toFloatArray()).containsExactly(0, 0, 1, -1, 2, -2, 3, -3, 4, -4);
      assertThatThrownBy(() -> rows.array(m, 0)).hasMessageContaining("asked for 0");
    }
    assertThatThrownBy(() -> rows.put(0, new float[] {1}))
        .hasMessageContaining("a row has 2 values");
  }
}
