package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.IgmConfigBuilder;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.model.ModalityNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TorchScript encoder, using a module the test writes itself ({@link TorchScriptFixture}): {@code
 * relu(linear(flatten(x), W, b))} on modality "a" (input [2, 3]) of the {@link Synthetic} data.
 */
class TorchScriptEncoderTest {
  private static final int IN = 6;
  private static final int OUT = 5;

  private static IgmConfigBuilder config(String method, ModalitySpec a) {
    return IgmConfig.builder()
        .method(method)
        .addModality(a)
        .addModality(ModalitySpec.features("b", 4))
        .numClasses(3)
        .headWidths(List.of(16, 8))
        .batchSize(8)
        .phaseBatches(3)
        .lr(0.05)
        .samRho(0.5) // large enough that SAM's in-place perturbation of the module changes the step
        // visibly
        .seed(7)
        .deterministic(true);
  }

  private static ModalitySpec torchscript(Path file, boolean frozen) {
    return new ModalitySpec("a", List.of(2, 3), "torchscript", List.of(), file.toString(), frozen);
  }

  private static Path module(Path dir) throws Exception {
    float[] w = new float[OUT * IN];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) Math.sin(1.7 * i) * 0.4f;
    }
    float[] b = {0.1f, -0.05f, 0.2f, 0f, 0.05f};
    return TorchScriptFixture.linearRelu(dir.resolve("encoder.pt"), IN, OUT, w, b);
  }

  @Test
  void loadsTheModuleAndFindsItsOutputWidth(@TempDir Path dir) throws Exception {
    try (IgmTrainer t = new IgmTrainer(config("igm", torchscript(module(dir), false)).build())) {
      ModalityNet net = t.nets().get(0);
      assertThat(net.featureDim()).isEqualTo(OUT);
      assertThat(net.parameterNames())
          .startsWith("a.encoder.weight", "a.encoder.bias", "a.head.0.weight");
      assertThat(net.isTrainable(0)).isTrue();
      assertThat(net.isSubstitutable(0)).isFalse();
      assertThat(net.isSubstitutable(net.headWeightIndex(0))).isTrue();
      assertThat(net.parameters().get(1).toFloatArray())
          .containsExactly(0.1f, -0.05f, 0.2f, 0f, 0.05f);
    }
  }

  /**
   * The module computes what a one-layer mlp encoder computes, so with the same starting parameters
   * IGM (SAM + GM) must train both to the same place: this checks the in-place perturb-and-restore
   * path of SAM against the substitute-array path.
   */
  @Test
  void fineTuningMatchesTheEquivalentMlpEncoder(@TempDir Path dir) throws Exception {
    ModalitySpec mlp = new ModalitySpec("a", List.of(6), "mlp", List.of(OUT), null, false);
    try (IgmTrainer reference = new IgmTrainer(config("igm", mlp).build())) {
      ModalityNet ref = reference.nets().get(0);
      Path file =
          TorchScriptFixture.linearRelu(
              dir.resolve("same.pt"),
              IN,
              OUT,
              ref.parameters().get(0).toFloatArray(),
              ref.parameters().get(1).toFloatArray());
      try (IgmTrainer scripted = new IgmTrainer(config("igm", torchscript(file, false)).build())) {
        for (int j = 0; j < 2; j++) {
          List<NDArray> from = reference.nets().get(j).parameters();
          List<NDArray> to = scripted.nets().get(j).parameters();
          for (int p = 0; p < from.size(); p++) {
            to.get(p).set(new NDIndex("..."), from.get(p));
          }
        }
        List<LabeledSample> data = Synthetic.samples(240, 1);
        Synthetic.train(reference, data);
        Synthetic.train(scripted, data);
        List<NDArray> a = ref.parameters();
        List<NDArray> b = scripted.nets().get(0).parameters();
        for (int p = 0; p < a.size(); p++) {
          float[] x = a.get(p).toFloatArray();
          float[] y = b.get(p).toFloatArray();
          for (int i = 0; i < x.length; i++) {
            assertThat(y[i])
                .as("%s[%d]", ref.parameterNames().get(p), i)
                .isCloseTo(x[i], within(1e-5f));
          }
        }
        assertThat(b.get(0).toFloatArray())
            .as("the module was fine-tuned")
            .isNotEqualTo(scriptedWeightsInFile(dir));
      }
    }
  }

  private static float[] scriptedWeightsInFile(Path dir) throws Exception {
    ModalitySpec spec = torchscript(dir.resolve("same.pt"), true);
    try (IgmTrainer fresh = new IgmTrainer(config("igm", spec).build())) {
      return fresh.nets().get(0).parameters().get(0).toFloatArray();
    }
  }

  @Test
  void samWithZeroRhoEqualsThePlainStepAndRestoresTheModuleExactly(@TempDir Path dir)
      throws Exception {
    Path file = module(dir);
    List<LabeledSample> data = Synthetic.samples(96, 2);
    try (IgmTrainer sam =
            new IgmTrainer(config("igm", torchscript(file, false)).samRho(0).build());
        IgmTrainer plain = new IgmTrainer(config("igm-nosam", torchscript(file, false)).build());
        IgmTrainer rho = new IgmTrainer(config("igm", torchscript(file, false)).build())) {
      Synthetic.train(sam, data);
      Synthetic.train(plain, data);
      Synthetic.train(rho, data);
      Bits.assertIdentical(Bits.state(plain), Bits.state(sam));
      assertThat(Bits.of(rho.nets().get(0).parameters().get(0)))
          .isNotEqualTo(Bits.of(plain.nets().get(0).parameters().get(0)));
    }
  }

  @Test
  void aFrozenModuleStaysFixedWhileTheHeadLearns(@TempDir Path dir) throws Exception {
    try (IgmTrainer t = new IgmTrainer(config("igm", torchscript(module(dir), true)).build())) {
      ModalityNet net = t.nets().get(0);
      assertThat(net.isTrainable(0)).isFalse();
      assertThat(net.parameters().get(0).hasGradient()).isFalse();
      int[] encoder = Bits.of(net.parameters().get(0));
      int[] head = Bits.of(net.parameters().get(net.headWeightIndex(0)));
      Synthetic.train(t, Synthetic.samples(96, 3));
      assertThat(t.refusedSteps()).isZero();
      assertThat(Bits.of(net.parameters().get(0))).isEqualTo(encoder);
      assertThat(Bits.of(net.parameters().get(net.headWeightIndex(0)))).isNotEqualTo(head);
    }
  }

  @Test
  void snapshotOfAFineTunedModuleResumesBitIdentically(@TempDir Path dir) throws Exception {
    IgmConfig config = config("igm", torchscript(module(dir), false)).build();
    List<LabeledSample> data = Synthetic.samples(203, 12);
    int cut = 101;
    try (IgmTrainer whole = new IgmTrainer(config);
        IgmTrainer first = new IgmTrainer(config)) {
      Synthetic.train(whole, data);
      Synthetic.train(first, data.subList(0, cut));
      Path file = dir.resolve("model.safetensors");
      TrainerSnapshot.capture(first, Map.of()).write(file);
      try (IgmTrainer resumed = TrainerSnapshot.read(file).restore()) {
        // the restored module holds the fine-tuned weights, not the file's
        assertThat(Bits.of(resumed.nets().get(0).parameters().get(0)))
            .isEqualTo(Bits.of(first.nets().get(0).parameters().get(0)));
        Synthetic.train(resumed, data.subList(cut, data.size()));
        Bits.assertIdentical(Bits.state(whole), Bits.state(resumed));
        assertThat(TrainerSnapshot.capture(resumed, Map.of()).sha256())
            .isEqualTo(TrainerSnapshot.capture(whole, Map.of()).sha256());
      }
    }
  }

  @Test
  void aMissingOrCorruptFileIsAClearError(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("nope.pt");
    assertThatThrownBy(() -> new IgmTrainer(config("igm", torchscript(missing, false)).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("modality a")
        .hasMessageContaining("does not exist");
    Path corrupt = Files.write(dir.resolve("corrupt.pt"), "not a zip archive".getBytes());
    assertThatThrownBy(() -> new IgmTrainer(config("igm", torchscript(corrupt, false)).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a loadable TorchScript module");
    // loads, but cannot take this input shape: [2, 2] flattens to 4 values, the module's weight
    // wants 6
    ModalitySpec wrongShape =
        new ModalitySpec(
            "a", List.of(2, 2), "torchscript", List.of(), module(dir).toString(), false);
    assertThatThrownBy(() -> new IgmTrainer(config("igm", wrongShape).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not run on input shape [2, 2]");
  }
}
