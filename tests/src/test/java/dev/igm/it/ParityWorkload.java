package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.Prediction;
import dev.igm.avro.TrainingMetrics;
import dev.igm.core.train.IgmTrainer;
import dev.igm.jobs.TrainJobConfig;
import dev.igm.jobs.TrainingData;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fault-tolerance workload of the training-job tests: 300 segment rows x 2 epochs + 60 TEST
 * rows, models {@code igm} and {@code joint} of config/train-segment.yaml (phases of 5 batches,
 * batch 16, deterministic), the offline reference of each model, and the check that a job's
 * committed output matches an uninterrupted run exactly: final tensors bit-identical to the offline
 * trainer (which TrainingParityIT shows an uninterrupted streaming run equals), every model
 * version, metrics record and prediction exactly once, every TRAIN sample trained once.
 */
final class ParityWorkload {
  static final int BATCHES = 37; // 600 TRAIN samples / 16; 8 stay pending
  static final int PENDING = 8;
  static final int SCORED = (BATCHES * 16 + 60) * 2; // prequential TRAIN + TEST, two models

  final TrainingData data;
  final List<byte[]> records;
  final Map<String, String> offlineSha = new HashMap<>();

  private ParityWorkload() throws Exception {
    data = TrainingData.segment(300, 60, 2, 7);
    records = data.encodedRecords();
    TrainJobConfig any =
        TrainJobConfig.load(
            JobFixture.projectRoot().resolve("config/train-segment.yaml"),
            List.of("kafka.bootstrap=unused:9092", "model.defaults.phase.batches=5"));
    for (var e : any.models().entrySet()) {
      try (IgmTrainer t = data.trainOffline(e.getValue())) {
        offlineSha.put(e.getKey(), JobFixture.sha256(t));
      }
    }
  }

  /** The workload with its offline reference models trained. */
  static ParityWorkload create() throws Exception {
    return new ParityWorkload();
  }

  /**
   * Same tensors as offline; predictions, trained counts and model versions exactly once over all
   * attempts/runs.
   */
  void assertFinalModelsAndExactlyOnce(KafkaBroker kafka, JobFixture.Topics topics)
      throws Exception {
    assertFinalModelsAndExactlyOnce(kafka.bootstrapServers(), topics);
  }

  void assertFinalModelsAndExactlyOnce(String bootstrap, JobFixture.Topics topics)
      throws Exception {
    List<ModelSnapshot> snapshots =
        JobFixture.read(bootstrap, topics.models(), 8, ModelSnapshot.class);
    List<Prediction> predictions =
        JobFixture.read(bootstrap, topics.predictions(), SCORED, Prediction.class);
    List<TrainingMetrics> metrics =
        JobFixture.read(bootstrap, topics.metrics(), 16, TrainingMetrics.class);
    for (String id : offlineSha.keySet()) {
      List<Long> versions =
          snapshots.stream()
              .filter(s -> s.getModelId().equals(id))
              .map(ModelSnapshot::getVersion)
              .toList();
      assertThat(versions)
          .as("model %s versions published once each", id)
          .containsExactly(10L, 20L, 30L, 37L);
      ModelSnapshot last =
          snapshots.stream()
              .filter(s -> s.getModelId().equals(id))
              .max(Comparator.comparingLong(ModelSnapshot::getVersion))
              .orElseThrow();
      assertThat(last.getSha256())
          .as("model %s after recovery vs offline", id)
          .isEqualTo(offlineSha.get(id));
      TrainingMetrics fin =
          metrics.stream()
              .filter(m -> m.getModelId().equals(id))
              .max(
                  Comparator.comparingLong(TrainingMetrics::getBatches)
                      .thenComparingLong(m -> m.getTime().toEpochMilli()))
              .orElseThrow();
      assertThat(fin.getSamplesTrained() + PENDING)
          .as("trained + pending = TRAIN samples sent")
          .isEqualTo(data.trainCount());
      assertThat(
              metrics.stream()
                  .filter(m -> m.getModelId().equals(id))
                  .map(TrainingMetrics::getBatches)
                  .toList())
          .as("metrics records exactly once")
          .containsExactly(5L, 10L, 15L, 20L, 25L, 30L, 35L, 37L);
    }
    Set<String> keys = new HashSet<>();
    for (Prediction p : predictions) {
      assertThat(keys.add(p.getModelId() + "/" + p.getSampleId()))
          .as("duplicate prediction %s/%s", p.getModelId(), p.getSampleId())
          .isTrue();
    }
    assertThat(predictions).hasSize(SCORED);
  }
}
