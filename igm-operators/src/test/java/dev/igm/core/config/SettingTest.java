package dev.igm.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** One description per key: parsing from YAML values and command-line text, checks, rendering. */
class SettingTest {

  @Test
  void integersFromYamlOrTextAndNothingLossy() {
    Setting<Integer> s = IgmSettings.BATCH_SIZE;
    assertThat(s.parse(32)).isEqualTo(32);
    assertThat(s.parse(" 32 ")).isEqualTo(32);
    assertThat(s.parse(32.0)).isEqualTo(32);
    assertThatThrownBy(() -> s.parse(32.5)).hasMessage("batch.size must be an integer, got '32.5'");
    assertThatThrownBy(() -> s.parse("many"))
        .hasMessage("batch.size must be an integer, got 'many'");
    assertThatThrownBy(() -> s.parse(1L << 40))
        .hasMessageContaining("batch.size must be an integer");
    assertThatThrownBy(() -> s.validate(0)).hasMessage("batch.size must be >= 1, got 0");
  }

  @Test
  void booleansAreTrueOrFalseOnly() {
    assertThat(IgmSettings.DETERMINISTIC.parse("TRUE")).isTrue();
    assertThat(IgmSettings.DETERMINISTIC.parse(false)).isFalse();
    assertThatThrownBy(() -> IgmSettings.DETERMINISTIC.parse("yes"))
        .hasMessage("deterministic must be true or false, got 'yes'");
  }

  @Test
  void enumsUseTheirWireNames() {
    assertThat(IgmSettings.COVARIANCE_RESET.parse("per-phase"))
        .isEqualTo(IgmConfig.CovarianceReset.PER_PHASE);
    assertThat(IgmSettings.COVARIANCE_RESET.render(IgmConfig.CovarianceReset.PER_PHASE))
        .isEqualTo("per-phase");
    assertThatThrownBy(() -> IgmSettings.SCHEDULE.parse("random"))
        .hasMessage("schedule: unknown value 'random' (one of [phased, interleaved])");
  }

  @Test
  void listsFromYamlOrCommaSeparatedText() {
    assertThat(IgmSettings.HEAD_WIDTHS.parse(List.of(128, 32))).containsExactly(128, 32);
    assertThat(IgmSettings.HEAD_WIDTHS.parse("[128, 32]")).containsExactly(128, 32);
    assertThat(IgmSettings.FUSION_WEIGHTS.parse("0.35,0.65")).containsExactly(0.35, 0.65);
    assertThatThrownBy(() -> IgmSettings.HEAD_WIDTHS.validate(List.of(128)))
        .hasMessageContaining("head.widths must be two positive widths");
  }

  @Test
  void methodsAreReadAsWritten() {
    assertThat(IgmSettings.METHOD.parse("IGM-NoSAM")).isEqualTo("igm-nosam");
    assertThat(IgmSettings.METHOD.parse("unimodal-Video")).isEqualTo("unimodal-Video");
    assertThatThrownBy(() -> IgmSettings.METHOD.parse("sam"))
        .hasMessageContaining("unknown method 'sam'");
  }

  @Test
  void requiredSettingsAndDerivedDefaults() {
    assertThatThrownBy(
            () ->
                IgmConfig.builder()
                    .addModality(ModalitySpec.features("a", 3))
                    .addModality(ModalitySpec.features("b", 3))
                    .build())
        .hasMessage("num.classes is required");
    IgmConfig c =
        IgmConfig.builder()
            .addModality(ModalitySpec.features("a", 3))
            .addModality(ModalitySpec.features("b", 3))
            .numClasses(2)
            .samRho(0.2)
            .build();
    assertThat(c.samRhoEncoder()).isEqualTo(0.2);
    assertThat(IgmSettings.SAM_RHO_ENCODER.defaultText()).isEqualTo("as sam.rho");
    assertThat(c.toMap()).containsEntry("sam.rho.encoder", 0.2).doesNotContainKey("fusion.weights");
  }

  @Test
  void everyKnobHasOneDescriptionAndAUniqueKey() {
    assertThat(IgmSettings.ALL.stream().map(Setting::key).distinct())
        .hasSameSizeAs(IgmSettings.ALL);
    for (Setting<?> s : IgmSettings.ALL) {
      assertThat(s.help()).as(s.key()).isNotBlank();
      assertThat(IgmSettings.named(s.key())).isSameAs(s);
    }
  }
}
