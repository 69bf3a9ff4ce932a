package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.IgmConfigBuilder;
import dev.igm.core.config.ModalitySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link IgmTrainer#offerScored} returns, for every batch, exactly (bit for bit) what {@link
 * IgmTrainer#score} returns just before {@link IgmTrainer#offer}, and trains exactly the same
 * parameters, whether or not it reuses the steps' forward passes.
 */
class PrequentialScoringTest {

  private static void assertSameAsScoreThenOffer(
      String method, UnaryOperator<IgmConfigBuilder> knobs) {
    IgmConfig config = knobs.apply(Synthetic.config(method)).build();
    List<LabeledSample> data = Synthetic.samples(8 * 14 + 3, 11);
    int batches = 0;
    try (IgmTrainer scored = new IgmTrainer(config);
        IgmTrainer plain = new IgmTrainer(config)) {
      for (LabeledSample s : data) {
        Scores expected = null;
        if (plain.pendingCount() + 1 == config.batchSize()) {
          List<float[][]> inputs = new ArrayList<>();
          plain.internals().batcher().pending().forEach(p -> inputs.add(p.inputs()));
          inputs.add(s.inputs());
          expected = plain.score(inputs);
        }
        List<StepReport> plainSteps = plain.offer(s);
        IgmTrainer.ScoredOffer got = scored.offerScored(s);
        assertThat(got.steps()).isEqualTo(plainSteps);
        if (expected == null) {
          assertThat(got.scores()).isNull();
          continue;
        }
        batches++;
        String at = method + ", batch " + batches;
        Scores g = got.scores();
        assertThat(g.n()).isEqualTo(expected.n());
        for (int j = 0; j < config.modalityCount(); j++) {
          assertThat(g.perModality()[j])
              .as(at + ", modality " + j)
              .isEqualTo(expected.perModality()[j]);
        }
        assertThat(g.meanSoftmax()).as(at + ", mean softmax").isEqualTo(expected.meanSoftmax());
        assertThat(g.fused()).as(at + ", fused").isEqualTo(expected.fused());
      }
      assertThat(batches).isEqualTo(14);
      List<int[]> a = Synthetic.parameterBits(scored);
      List<int[]> b = Synthetic.parameterBits(plain);
      assertThat(a).hasSameSizeAs(b);
      for (int i = 0; i < a.size(); i++) {
        assertThat(a.get(i)).as(method + ", parameter " + i).isEqualTo(b.get(i));
      }
      assertThat(TrainerSnapshot.capture(scored, null).sha256())
          .isEqualTo(TrainerSnapshot.capture(plain, null).sha256());
    }
  }

  @Test
  void igmPhasedReusesTheTrainedModalitysPass() {
    assertSameAsScoreThenOffer("igm", b -> b);
  }

  @Test
  void igmInterleaved() {
    assertSameAsScoreThenOffer("igm", b -> b.set("schedule", "interleaved"));
  }

  @Test
  void igmReferenceSamScoresEveryModalityFirst() {
    assertSameAsScoreThenOffer("igm", b -> b.set("sam.variant", "reference"));
  }

  @Test
  void igmWithoutSam() {
    assertSameAsScoreThenOffer("igm-nosam", b -> b);
  }

  @Test
  void mla() {
    assertSameAsScoreThenOffer("mla", b -> b);
  }

  @Test
  void jointFusesBySoftmaxOfItsSummedLogits() {
    assertSameAsScoreThenOffer("joint", b -> b);
  }

  @Test
  void unimodal() {
    assertSameAsScoreThenOffer("unimodal-b", b -> b);
  }

  @Test
  void weightedFusion() {
    assertSameAsScoreThenOffer("igm", b -> b.set("fusion.weights", List.of(0.35, 0.65)));
  }

  @Test
  void mlpEncoder() {
    assertSameAsScoreThenOffer(
        "igm",
        b ->
            b.modalities(
                List.of(
                    new ModalitySpec("a", List.of(6), "mlp", List.of(5), null, false),
                    ModalitySpec.features("b", 4))));
  }
}
