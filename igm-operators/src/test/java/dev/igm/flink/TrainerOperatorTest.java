package dev.igm.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.Prediction;
import dev.igm.avro.Split;
import dev.igm.compat.OperatorRun;
import dev.igm.compat.Release1;
import dev.igm.core.config.IgmConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training operator in Flink's keyed operator test harness: several models (keys) on one
 * operator, watermarks and checkpoint barriers between batches, snapshot → restore into a new
 * operator → continue.
 */
class TrainerOperatorTest {

  /** Three models, one of them MLA, trained side by side from one interleaved stream. */
  private static Map<String, IgmConfig> models() {
    Map<String, IgmConfig> m = new LinkedHashMap<>(Release1.operatorModels());
    m.put("mla", Release1.trainerConfig("mla"));
    return m;
  }

  private static List<dev.igm.flink.ModelSample> stream() {
    List<dev.igm.flink.ModelSample> out = new ArrayList<>();
    for (dev.igm.flink.ModelSample s : Release1.operatorStream()) {
      out.add(s);
      if (s.modelId.equals("joint")) {
        dev.igm.flink.ModelSample m = new dev.igm.flink.ModelSample();
        m.modelId = "mla";
        m.sampleId = "mla-" + s.sampleId;
        m.split = s.split;
        m.label = s.label;
        m.eventTime = s.eventTime;
        m.inputs = s.inputs;
        m.deadLetters = s.deadLetters;
        out.add(m);
      }
    }
    return out;
  }

  @Test
  void watermarksAndCheckpointBarriersBetweenBatchesChangeNothing(@TempDir Path dir)
      throws Exception {
    List<dev.igm.flink.ModelSample> stream = stream();
    try (OperatorRun plain = new OperatorRun(models(), dir.resolve("a"), null, 1);
        OperatorRun barriers = new OperatorRun(models(), dir.resolve("b"), null, 1)) {
      plain.process(stream, 0).endInput();
      barriers.process(stream, 7).endInput();
      long pending = 0; // samples of a partial last batch wait, unscored
      for (String model : models().keySet()) {
        pending +=
            stream.stream().filter(x -> x.modelId.equals(model) && x.split == Split.TRAIN).count()
                % 16;
      }
      assertThat(pending).isPositive();
      assertThat(plain.predictions()).hasSize((int) (stream.size() - pending));
      assertThat(barriers.predictions()).containsExactlyElementsOf(plain.predictions());
      assertThat(barriers.metrics()).containsExactlyElementsOf(plain.metrics());
      assertThat(barriers.snapshots()).hasSize(3).containsExactlyElementsOf(plain.snapshots());
      List<Long> marks = barriers.watermarks();
      assertThat(marks).hasSize(stream.size() / 7).isSorted();
      assertThat(plain.watermarks()).isEmpty();
      // keys do not mix: each model's predictions carry its own versions, in order
      for (String model : models().keySet()) {
        List<Long> versions =
            plain.predictions().stream()
                .filter(p -> p.getModelId().equals(model))
                .map(Prediction::getModelVersion)
                .toList();
        assertThat(versions).isNotEmpty().isSorted();
      }
    }
  }

  @Test
  void snapshotRestoreContinueIsTheUninterruptedRun(@TempDir Path dir) throws Exception {
    List<dev.igm.flink.ModelSample> stream = stream();
    List<Prediction> all;
    List<String> finalModels;
    try (OperatorRun whole = new OperatorRun(models(), dir.resolve("whole"), null, 1)) {
      whole.process(stream, 11).endInput();
      all = whole.predictions();
      finalModels = whole.snapshots();
    }
    for (int cut : new int[] {53, 200, 401}) {
      OperatorSubtaskState state;
      int emitted;
      try (OperatorRun first = new OperatorRun(models(), dir.resolve("first" + cut), null, 1)) {
        first.process(stream.subList(0, cut), 11);
        emitted = first.predictions().size();
        state = first.checkpoint(cut);
      }
      try (OperatorRun restored =
          new OperatorRun(models(), dir.resolve("restored" + cut), state, 100)) {
        restored.process(stream.subList(cut, stream.size()), 11).endInput();
        assertThat(restored.predictions())
            .as("cut at %d", cut)
            .containsExactlyElementsOf(all.subList(emitted, all.size()));
        assertThat(restored.snapshots())
            .as("cut at %d", cut)
            .containsExactlyInAnyOrderElementsOf(finalModels);
      }
    }
  }

  @Test
  void gaugesReadAPublishedViewFromAnyThreadAndAfterClose(@TempDir Path dir) throws Exception {
    List<dev.igm.flink.ModelSample> stream = stream();
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (OperatorRun run = new OperatorRun(models(), dir, null, 1)) {
      TrainerOperator op = (TrainerOperator) run.harness().getOperator();
      assertThat(op.view("igm")).isEqualTo(ModelView.NONE);
      Thread reporter =
          new Thread(
              () -> {
                while (!done.get()) {
                  try {
                    for (String id : models().keySet()) {
                      ModelView v = op.view(id);
                      v.accuracy("fused");
                      v.loss();
                      assertThat(v.modelVersion()).isGreaterThanOrEqualTo(0);
                    }
                  } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                  }
                }
              },
              "metrics-reporter");
      reporter.start();
      int i = 0;
      while (op.view("igm").modelVersion()
          < 8) { // metrics every 3 batches: batch 8 is inside an open window
        run.process(stream.subList(i, i + 1), 0);
        i++;
      }
      ModelView igm = op.view("igm");
      assertThat(igm.accuracy()).containsKeys("shape", "colour", "fused");
      assertThat(igm.loss()).isFinite();
      assertThat(igm.deadLetters()).isEqualTo(stream.get(i - 1).deadLetters);
      run.process(stream.subList(i, stream.size()), 0);
      igm = op.view("igm");
      assertThat(igm.modelVersion()).isEqualTo(9);
      assertThat(igm.accuracy()).as("a metrics record at batch 9 opened a new window").isEmpty();
      run.close(); // sessions closed: gauges keep showing the last published view
      assertThat(op.view("igm")).isEqualTo(igm);
      done.set(true);
      reporter.join();
    }
    assertThat(failure.get()).isNull();
  }

  @Test
  void validSamplesAreScoredNeverTrained(@TempDir Path dir) throws Exception {
    List<dev.igm.flink.ModelSample> stream =
        stream().stream().filter(s -> s.modelId.equals("igm")).toList();
    try (OperatorRun run = new OperatorRun(models(), dir, null, 1)) {
      run.process(stream, 0);
      long valid = stream.stream().filter(s -> s.split == Split.VALID).count();
      long train = stream.size() - valid;
      TrainerOperator op = (TrainerOperator) run.harness().getOperator();
      assertThat(op.view("igm").modelVersion()).isEqualTo(train / 16);
      assertThat(run.predictions().stream().filter(p -> p.getSplit() == Split.VALID).count())
          .isEqualTo(valid);
    }
  }
}
