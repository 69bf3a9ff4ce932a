package dev.igm.compat;

import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.Prediction;
import dev.igm.avro.TrainingMetrics;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.LabeledSample;
import dev.igm.core.train.TrainerSnapshot;
import dev.igm.flink.ModelRegistry;
import dev.igm.flink.ModelSample;
import dev.igm.flink.TrainerOperator;
import dev.igm.flink.TrainerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.apache.flink.util.OutputTag;

/**
 * Writes the state files of {@link Release1} with the code it is compiled with. Run once, from
 * {@code igm-operators}, with the release whose formats the files are to keep (they are checked in;
 * never regenerate them with later code, that would defeat their purpose):
 *
 * <pre>
 * mvn -B -ntp -o -pl igm-operators -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
 *     -Dmdep.outputFile=/tmp/cp.txt
 * cd igm-operators &amp;&amp; OPT_OUT_TRACKING=true OPENBLAS_NUM_THREADS=2 java -Dai.djl.offline=true \
 *     -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
 *     -cp target/test-classes:target/classes:$(cat /tmp/cp.txt) dev.igm.compat.Release1Writer
 * </pre>
 */
public final class Release1Writer {
  private Release1Writer() {}

  public static void main(String[] args) throws Exception {
    Files.createDirectories(Release1.DIR);
    for (String variant : Release1.TRAINER_VARIANTS) {
      writeTrainer(variant);
    }
    writeOperator();
  }

  static void writeTrainer(String variant) throws Exception {
    List<LabeledSample> data = Release1.trainerStream().subList(0, Release1.TRAINER_CUT);
    try (IgmTrainer t = new IgmTrainer(Release1.trainerConfig(variant))) {
      for (LabeledSample s : data) {
        t.offer(s);
      }
      TrainerSnapshot.capture(t, Map.of("prequential.fused.acc", 0.5))
          .write(Release1.trainerFile(variant));
      System.out.println(
          variant + ": " + t.batches() + " batches, " + t.pendingCount() + " pending");
    }
  }

  static final OutputTag<TrainingMetrics> METRICS = new OutputTag<>("metrics") {};
  static final OutputTag<ModelSnapshot> MODELS = new OutputTag<>("models") {};

  static KeyedOneInputStreamOperatorTestHarness<String, ModelSample, Prediction> harness(Path store)
      throws Exception {
    TrainerSettings settings = new TrainerSettings(1000, 3, store.toUri().toString(), 0, 0, 0, 0);
    TrainerOperator op =
        new TrainerOperator(
            new ModelRegistry(Release1.operatorModels()), settings, METRICS, MODELS);
    return new KeyedOneInputStreamOperatorTestHarness<>(
        op, (KeySelector<ModelSample, String>) s -> s.modelId, Types.STRING);
  }

  static void writeOperator() throws Exception {
    Path store = Files.createTempDirectory("igm-release1-store");
    List<ModelSample> stream = Release1.operatorStream();
    try (var h = harness(store)) {
      h.open();
      long checkpoint = 1;
      for (int i = 0; i < Release1.OPERATOR_CUT; i++) {
        ModelSample s = stream.get(i);
        h.processElement(new StreamRecord<>(s, s.eventTime));
        if (i % 40 == 39) {
          h.processWatermark(new Watermark(s.eventTime));
          h.prepareSnapshotPreBarrier(checkpoint);
          h.snapshot(checkpoint, s.eventTime);
          h.notifyOfCompletedCheckpoint(checkpoint);
          checkpoint++;
        }
      }
      if (checkpoint != Release1.OPERATOR_CHECKPOINT_ID) {
        throw new IllegalStateException("checkpoint id " + checkpoint);
      }
      h.prepareSnapshotPreBarrier(checkpoint);
      OperatorSubtaskState state =
          h.snapshot(checkpoint, stream.get(Release1.OPERATOR_CUT - 1).eventTime);
      OperatorSnapshotUtil.writeStateHandle(state, Release1.operatorFile().toString());
      List<Prediction> before = h.extractOutputValues();
      Files.writeString(Release1.operatorPredictionsDigest(), Release1.digest(before) + "\n");
      System.out.println("operator: " + before.size() + " predictions before the checkpoint");
    }
  }
}
