package dev.igm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InferenceModeTest {
  private boolean before;

  @BeforeEach
  void gradModeOn() {
    Engine.getInstance(); // loads libtorch
    before = JniUtils.isGradMode();
    JniUtils.setGradMode(true); // PyTorch's default on a fresh thread
  }

  @AfterEach
  void restore() {
    JniUtils.setGradMode(before);
  }

  @Test
  void operationsInsideRecordNoGraphEvenOnArraysThatRequireGradients() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(new float[] {1, 2, 3});
      w.setRequiresGradient(true);
      assertThat(InferenceMode.recording()).isTrue();
      NDArray recorded = w.mul(2);
      assertThat(gradientFunction(recorded))
          .as("outside: recorded for autograd")
          .isEqualTo("MulBackward0");
      // Only a leaf (a tensor with no graph behind it) may be switched off gradients.
      assertThatThrownBy(() -> recorded.setRequiresGradient(false)).hasMessageContaining("leaf");
      try (InferenceMode ignored = InferenceMode.enter()) {
        assertThat(InferenceMode.recording()).isFalse();
        NDArray y = w.mul(2).add(1).softmax(0);
        assertThatCode(() -> y.setRequiresGradient(false))
            .as("inside: no graph behind the result")
            .doesNotThrowAnyException();
        assertThat(y.toFloatArray()).hasSize(3);
      }
      assertThat(InferenceMode.recording()).as("the mode it found comes back").isTrue();
      assertThat(gradientFunction(w.mul(2))).isEqualTo("MulBackward0");
    }
  }

  @Test
  void nestedScopesRestoreWhatTheyFound() {
    try (InferenceMode outer = InferenceMode.enter()) {
      try (InferenceMode inner = InferenceMode.enter()) {
        assertThat(InferenceMode.recording()).isFalse();
      }
      assertThat(InferenceMode.recording()).as("the inner scope found it off").isFalse();
    }
    assertThat(InferenceMode.recording()).isTrue();
  }

  /**
   * The autograd node that produced {@code a} (only for arrays that have one: DJL crashes on the
   * others).
   */
  private static String gradientFunction(NDArray a) {
    return JniUtils.getGradientFunctionNames((PtNDArray) a);
  }
}
