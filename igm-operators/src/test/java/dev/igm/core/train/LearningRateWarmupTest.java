package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.igm.core.config.IgmConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code lr.warmup.batches}: lr(b) = base_lr(b) · min(1, (b+1)/n); 0 leaves every step as it was.
 */
class LearningRateWarmupTest {

  @Test
  void warmUpScalesTheFirstBatchesLinearly() {
    LearningRateSchedule s = new LearningRateSchedule(0.08, 0, 0.1, 4);
    assertThat(s.at(0)).isEqualTo(0.08 * 0.25);
    assertThat(s.at(1)).isEqualTo(0.08 * 0.5);
    assertThat(s.at(2)).isEqualTo(0.08 * 0.75);
    assertThat(s.at(3)).isEqualTo(0.08);
    assertThat(s.at(1000)).isEqualTo(0.08);
  }

  @Test
  void warmUpMultipliesTheDecayedRate() {
    LearningRateSchedule s = new LearningRateSchedule(0.1, 5, 0.5, 10);
    assertThat(s.at(7)).isEqualTo(0.1 * Math.pow(0.5, 1) * (8 / 10.0));
    assertThat(s.at(12)).isEqualTo(0.1 * Math.pow(0.5, 2));
    assertThat(new LearningRateSchedule(0.1, 5, 0.5, 0).at(7)).isEqualTo(0.1 * 0.5);
  }

  @Test
  void theTrainerStepsWithTheWarmedUpRate() {
    IgmConfig config = Synthetic.config("igm").lrWarmup(4).build();
    try (IgmTrainer t = new IgmTrainer(config)) {
      List<StepReport> steps = Synthetic.train(t, Synthetic.samples(8 * 6, 3));
      assertThat(steps)
          .extracting(StepReport::lr)
          .containsExactly(0.05 * 0.25, 0.05 * 0.5, 0.05 * 0.75, 0.05, 0.05, 0.05);
      assertThat(t.learningRate(2)).isEqualTo(0.05 * 0.75);
    }
  }

  @Test
  void offAndOneBatchOfWarmUpTrainTheSameBitsAsBefore() {
    var data = Synthetic.samples(8 * 9 + 3, 5);
    try (IgmTrainer plain = new IgmTrainer(Synthetic.config("igm").build());
        IgmTrainer off = new IgmTrainer(Synthetic.config("igm").lrWarmup(0).build());
        IgmTrainer one = new IgmTrainer(Synthetic.config("igm").lrWarmup(1).build())) {
      Synthetic.train(plain, data);
      Synthetic.train(off, data);
      Synthetic.train(one, data);
      Bits.assertIdentical(Bits.state(plain), Bits.state(off));
      Bits.assertIdentical(Bits.state(plain), Bits.state(one));
    }
  }

  @Test
  void theKnobIsValidatedAndOnlyWrittenWhenSet() {
    assertThat(Synthetic.config("igm").build().toMap()).doesNotContainKey("lr.warmup.batches");
    assertThat(Synthetic.config("igm").set("lr.warmup.batches", "20").build().toMap())
        .containsEntry("lr.warmup.batches", 20);
    assertThatThrownBy(() -> Synthetic.config("igm").lrWarmup(-1).build())
        .hasMessage("lr.warmup.batches must be >= 0, got -1");
  }
}
