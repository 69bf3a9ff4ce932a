package dev.igm.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IgmConfigTest {
  private static IgmConfigBuilder base() {
    return IgmConfig.builder()
        .addModality(ModalitySpec.features("audio", 8))
        .addModality(new ModalitySpec("video", List.of(4, 3), "mlp", List.of(16, 8), null, false))
        .numClasses(5);
  }

  @Test
  void defaultsAreThoseOfTheDesign() {
    IgmConfig c = base().build();
    assertThat(c.methodName()).isEqualTo("igm");
    assertThat(c.tau()).isEqualTo(0.4);
    assertThat(c.samRho()).isEqualTo(0.05);
    assertThat(c.lr()).isEqualTo(1e-2);
    assertThat(c.momentum()).isEqualTo(0.9);
    assertThat(c.weightDecay()).isEqualTo(1e-4);
    assertThat(c.headWidths()).containsExactly(256, 64);
    assertThat(c.covarianceReset()).isEqualTo(IgmConfig.CovarianceReset.PER_PHASE);
    assertThat(c.samVariant()).isEqualTo(IgmConfig.SamVariant.PAPER);
  }

  @Test
  void mapRoundTripKeepsEveryKnob() {
    IgmConfig c =
        base()
            .method("unimodal-video")
            .phaseBatches(7)
            .tau(1.5)
            .samVariant(IgmConfig.SamVariant.REFERENCE)
            .optimizer(IgmConfig.OptimizerKind.ADAM)
            .lrDecay(100, 0.5)
            .fusionWeights(List.of(0.3, 0.7))
            .seed(9)
            .build();
    IgmConfig back = IgmConfig.fromMap(c.toMap()).build();
    assertThat(back).isEqualTo(c);
    assertThat(back.methodName()).isEqualTo("unimodal-video");
    assertThat(back.modalities().get(1).inputSize()).isEqualTo(12);
  }

  @Test
  void stringOverridesAsFromTheCommandLine() {
    Map<String, Object> m = new LinkedHashMap<>(base().build().toMap());
    m.put("phase.batches", "3");
    m.put("schedule", "interleaved");
    m.put("covariance.reset", "never");
    m.put("head.widths", "128,32");
    IgmConfig c = IgmConfig.fromMap(m).build();
    assertThat(c.phaseBatches()).isEqualTo(3);
    assertThat(c.schedule()).isEqualTo(IgmConfig.Schedule.INTERLEAVED);
    assertThat(c.covarianceReset()).isEqualTo(IgmConfig.CovarianceReset.NEVER);
    assertThat(c.headWidths()).containsExactly(128, 32);
  }

  @Test
  void everyProblemOfAMapIsReportedAtOnceWithTheNearestNames() {
    Map<String, Object> m = new LinkedHashMap<>(base().build().toMap());
    m.put("phase.batchez", 3);
    m.put("lr", "fast");
    m.put("tua", 0.5);
    assertThatThrownBy(() -> IgmConfig.fromMap(m))
        .isInstanceOf(ConfigProblems.Failure.class)
        .hasMessage(
            "3 problems: lr must be a number, got 'fast'; unknown model setting 'phase.batchez' (did you mean"
                + " 'phase.batches'?); unknown model setting 'tua' (did you mean 'tau'?)");
    Map<String, Object> checks = new LinkedHashMap<>(base().build().toMap());
    checks.put("tau", -1);
    checks.put("momentum", 2);
    assertThatThrownBy(() -> IgmConfig.fromMap(checks).build())
        .hasMessage(
            "2 problems: tau must be finite and >= 0, got -1.0; momentum must be in [0, 1), got 2.0");
  }

  @Test
  void badSettingsAreRejectedWithTheirName() {
    assertThatThrownBy(() -> base().set("phase.batchez", 3))
        .hasMessageContaining("unknown model setting 'phase.batchez'");
    assertThatThrownBy(() -> base().tau(-1).build()).hasMessageContaining("tau");
    assertThatThrownBy(() -> base().set("lr", "fast")).hasMessageContaining("lr must be a number");
    assertThatThrownBy(() -> base().method("unimodal-text").build())
        .hasMessageContaining("names no configured modality");
    assertThatThrownBy(() -> base().method("sgdx")).hasMessageContaining("unknown method 'sgdx'");
    assertThatThrownBy(
            () ->
                IgmConfig.builder()
                    .addModality(ModalitySpec.features("a", 3))
                    .numClasses(2)
                    .build())
        .hasMessageContaining("at least two");
    assertThatThrownBy(() -> base().addModality(ModalitySpec.features("audio", 2)).build())
        .hasMessageContaining("listed twice");
    assertThatThrownBy(() -> base().fusionWeights(List.of(1.0)).build())
        .hasMessageContaining("one weight per modality");
    assertThatThrownBy(() -> new ModalitySpec("x", List.of(3), "mlp", List.of(), null, false))
        .hasMessageContaining("needs encoder.hidden");
    assertThatThrownBy(() -> new ModalitySpec("x", List.of(3), "vit", List.of(), null, false))
        .hasMessageContaining("unknown encoder 'vit'");
  }
}
