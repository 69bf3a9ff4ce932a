package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code unimodal-<name>} trains one head: its fused prediction is that head's own softmax (the
 * untrained heads get no vote), in {@link IgmTrainer#score} and in the prequential scores alike;
 * the per-modality figures and the mean of the softmaxes reported beside stay what they are.
 */
class UnimodalFusionTest {

  @Test
  void fusedIsTheTrainedModalitysSoftmax() {
    List<LabeledSample> data = Synthetic.samples(8 * 5 + 8, 21);
    List<float[][]> inputs = new ArrayList<>();
    data.subList(40, 48).forEach(s -> inputs.add(s.inputs()));
    for (String target : List.of("a", "b")) {
      int j = target.equals("a") ? 0 : 1;
      try (IgmTrainer t = new IgmTrainer(Synthetic.config("unimodal-" + target).build())) {
        Synthetic.train(t, data.subList(0, 40));
        Scores s = t.score(inputs);
        assertThat(s.fused()).as("unimodal-%s fused", target).isEqualTo(s.perModality()[j]);
        assertThat(s.fused()).isNotEqualTo(s.meanSoftmax());
        float[] mean = new float[s.meanSoftmax().length];
        for (int i = 0; i < mean.length; i++) {
          mean[i] = s.perModality()[0][i] * 0.5f + s.perModality()[1][i] * 0.5f;
        }
        assertThat(s.meanSoftmax()).isEqualTo(mean);

        IgmTrainer.ScoredOffer last = null;
        for (LabeledSample x : data.subList(40, 48)) {
          last = t.offerScored(x);
        }
        assertThat(last.scores().fused())
            .as("prequential, unimodal-%s", target)
            .isEqualTo(s.fused());
      }
    }
  }

  @Test
  void theAlternatingMethodsStillFuseByTheMeanAndJointByItsSummedLogits() {
    List<LabeledSample> data = Synthetic.samples(8 * 3, 4);
    List<float[][]> inputs = data.stream().map(LabeledSample::inputs).toList();
    try (IgmTrainer igm = new IgmTrainer(Synthetic.config("igm").build());
        IgmTrainer joint = new IgmTrainer(Synthetic.config("joint").build())) {
      Synthetic.train(igm, data);
      Synthetic.train(joint, data);
      assertThat(igm.score(inputs).fused()).isEqualTo(igm.score(inputs).meanSoftmax());
      assertThat(joint.score(inputs).fused()).isNotEqualTo(joint.score(inputs).meanSoftmax());
    }
  }
}
