package dev.igm.flink;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.IgmConfigBuilder;
import dev.igm.core.config.ModalitySpec;
import org.junit.jupiter.api.Test;

/**
 * A restore with model settings other than the checkpointed ones is refused, naming them, not
 * silently ignored.
 */
class RestoredConfigTest {
  private static IgmConfigBuilder model() {
    return IgmConfig.builder()
        .method("igm")
        .addModality(ModalitySpec.features("shape", 9))
        .addModality(ModalitySpec.features("colour", 10))
        .numClasses(7)
        .batchSize(16)
        .lr(0.01)
        .deterministic(true);
  }

  @Test
  void theSameSettingsRestore() {
    IgmConfig c = model().build();
    // what a restore sees: the checkpointed map read back
    IgmConfig restored = IgmConfig.fromMap(c.toMap()).build();
    assertThatCode(() -> TrainerOperator.checkRestored("igm", c, restored))
        .doesNotThrowAnyException();
  }

  @Test
  void otherSettingsAreRefusedNamingEachKnob() {
    assertThatThrownBy(
            () ->
                TrainerOperator.checkRestored(
                    "igm", model().lr(0.5).batchSize(32).build(), model().build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("model igm was checkpointed with batch.size=16, lr=0.01")
        .hasMessageContaining("the configuration now says batch.size=32, lr=0.5")
        .hasMessageContaining("another model id");
  }
}
