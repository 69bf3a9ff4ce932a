package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.Prediction;
import dev.igm.avro.Split;
import dev.igm.avro.TrainingMetrics;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.ingest.ValidSample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Prequential scoring per batch, metrics windows, and exact resume from a session checkpoint. */
class ModelSessionTest {
  private static ValidSample valid(LabeledSample s, long time) {
    return new ValidSample(s.id(), Split.TRAIN, s.label(), time, s.inputs());
  }

  @Test
  void scoresEachBatchBeforeItsStepAndMatchesAPlainTrainer() {
    IgmConfig config = Synthetic.config("igm").build();
    List<LabeledSample> data = Synthetic.samples(29, 3); // 3 batches of 8 + 5 pending
    try (ModelSession session = ModelSession.create("m", config);
        IgmTrainer plain = new IgmTrainer(config)) {
      List<Prediction> predictions = new ArrayList<>();
      for (int i = 0; i < data.size(); i++) {
        if (i == 16) {
          // the prediction of sample 16..23 must come from the model after 2 batches, as scored one
          // by one
          Scores expected = plain.score(List.<float[][]>of(data.get(16).inputs()));
          ModelSession.TrainOutcome o = null;
          for (int k = 16; k < 24; k++) {
            o = session.train(valid(data.get(k), k));
            plain.offer(data.get(k));
          }
          assertThat(o.predictions()).hasSize(8);
          assertThat(o.predictions().get(0).getModelVersion()).isEqualTo(2);
          assertThat(o.predictions().get(0).getFusedProbabilities().get(0))
              .isCloseTo(expected.fused(0)[0], org.assertj.core.data.Offset.offset(1e-6f));
          assertThat(o.predictions().get(7).getEventTime().toEpochMilli()).isEqualTo(23);
          predictions.addAll(o.predictions());
          i = 23;
          continue;
        }
        predictions.addAll(session.train(valid(data.get(i), i)).predictions());
        plain.offer(data.get(i));
      }
      assertThat(predictions).hasSize(24);
      assertThat(session.version()).isEqualTo(3);
      assertThat(TrainerSnapshot.capture(session.trainer(), null).sha256())
          .isEqualTo(TrainerSnapshot.capture(plain, null).sha256());
      TrainingMetrics m = session.emitMetrics(1, 7);
      assertThat(m.getSamplesTrained()).isEqualTo(24);
      assertThat(m.getPrequentialAccuracy()).containsKeys("a", "b", "fused");
      assertThat(m.getDeadLetters()).isEqualTo(7);
      assertThat(session.windowAccuracy()).isEmpty();
    }
  }

  @Test
  void resumesExactlyFromACheckpointWithAPendingBatch() {
    IgmConfig config = Synthetic.config("igm").build();
    List<LabeledSample> data = Synthetic.samples(61, 5);
    List<Prediction> whole = new ArrayList<>();
    List<Prediction> resumed = new ArrayList<>();
    try (ModelSession a = ModelSession.create("m", config);
        ModelSession b = ModelSession.create("m", config)) {
      for (int i = 0; i < data.size(); i++) {
        whole.addAll(a.train(valid(data.get(i), i)).predictions());
      }
      for (int i = 0; i < 29; i++) {
        resumed.addAll(b.train(valid(data.get(i), i)).predictions());
      }
      SessionCheckpoint cp = b.checkpoint();
      try (ModelSession c = ModelSession.restore("m", cp)) {
        assertThat(c.trainer().pendingCount()).isEqualTo(5);
        for (int i = 29; i < data.size(); i++) {
          resumed.addAll(c.train(valid(data.get(i), i)).predictions());
        }
        assertThat(TrainerSnapshot.capture(c.trainer(), null).sha256())
            .isEqualTo(TrainerSnapshot.capture(a.trainer(), null).sha256());
        assertThat(c.emitMetrics(0, 0).getLoss()).isEqualTo(a.emitMetrics(0, 0).getLoss());
      }
    }
    assertThat(resumed)
        .isEqualTo(whole); // every prediction exactly once, same values, event times included
  }

  @Test
  void trainsOnAThreadOtherThanTheOneThatStartedTheEngine() throws Exception {
    IgmConfig config = Synthetic.config("igm").build();
    List<LabeledSample> data = Synthetic.samples(40, 9);
    String expected;
    try (IgmTrainer here = new IgmTrainer(config)) {
      Synthetic.train(here, data);
      expected = TrainerSnapshot.capture(here, null).sha256();
    }
    String[] there = new String[1];
    Throwable[] error = new Throwable[1];
    Thread t =
        new Thread(
            () -> { // PyTorch's grad mode is thread-local and on in a fresh thread
              try (IgmTrainer other = new IgmTrainer(config)) {
                Synthetic.train(other, data);
                there[0] = TrainerSnapshot.capture(other, null).sha256();
              } catch (Throwable e) {
                error[0] = e;
              }
            });
    t.start();
    t.join();
    assertThat(error[0]).isNull();
    assertThat(there[0]).isEqualTo(expected);
  }
}
