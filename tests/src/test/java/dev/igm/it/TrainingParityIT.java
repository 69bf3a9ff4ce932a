package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.Prediction;
import dev.igm.avro.Split;
import dev.igm.avro.TrainingMetrics;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.TrainerSnapshot;
import dev.igm.jobs.TrainJobConfig;
import dev.igm.jobs.TrainingData;
import dev.igm.jobs.TrainingJob;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deterministic streaming training equals offline training: 300 segment rows x 2 epochs (+60 TEST
 * rows) replayed to a one-partition topic, trained by the Flink job (models igm and joint side by
 * side, RocksDB checkpoints every 200 ms, exactly-once sinks), end with exactly the tensors of an
 * {@link IgmTrainer} fed the same samples in order.
 */
@Timeout(180) // a hung job must fail CI, not stall it
class TrainingParityIT {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingParityIT.class);

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  @TempDir Path scratch;

  @Test
  void streamingModelIsBitIdenticalToOfflineRun() throws Exception {
    long t0 = System.nanoTime();
    TrainingData data = TrainingData.segment(300, 60, 2, 7);
    JobFixture.Topics topics = JobFixture.Topics.create(KAFKA);
    TrainingData.produce(KAFKA.bootstrapServers(), topics.samples(), data.encodedRecords());
    TrainJobConfig config =
        JobFixture.config(KAFKA, topics, scratch, JobFixture.uniqueGroup("parity"));

    TrainingJob.run(config);
    long trained = System.nanoTime();

    int trainSent = (int) data.trainCount(); // 600
    List<ModelSnapshot> snapshots = JobFixture.read(KAFKA, topics.models(), 8, ModelSnapshot.class);
    List<Prediction> predictions =
        JobFixture.read(KAFKA, topics.predictions(), (37 * 16 + 60) * 2, Prediction.class);
    List<TrainingMetrics> metrics =
        JobFixture.read(KAFKA, topics.metrics(), 16, TrainingMetrics.class);

    for (String id : config.models().keySet()) {
      try (IgmTrainer offline = data.trainOffline(config.models().get(id))) {
        ModelSnapshot last =
            snapshots.stream()
                .filter(s -> s.getModelId().equals(id))
                .max(Comparator.comparingLong(ModelSnapshot::getVersion))
                .orElseThrow();
        assertThat(
                snapshots.stream()
                    .filter(s -> s.getModelId().equals(id))
                    .map(ModelSnapshot::getVersion))
            .containsExactly(10L, 20L, 30L, 37L);
        assertThat(last.getVersion()).isEqualTo(offline.batches()).isEqualTo(37);
        assertThat(last.getSha256())
            .as("model %s: streaming vs offline tensors", id)
            .isEqualTo(JobFixture.sha256(offline));
        byte[] file = Files.readAllBytes(Paths.get(URI.create(last.getUri())));
        assertThat(TrainerSnapshot.sha256(file)).isEqualTo(last.getSha256());
        assertThat(last.getMethod()).isEqualTo(config.models().get(id).methodName());

        TrainingMetrics fin =
            metrics.stream()
                .filter(m -> m.getModelId().equals(id))
                .max(Comparator.comparingLong(m -> m.getTime().toEpochMilli()))
                .orElseThrow();
        assertThat(fin.getSamplesTrained()).isEqualTo(offline.samplesTrained()).isEqualTo(37 * 16);
        assertThat(fin.getSamplesTrained() + offline.pendingCount()).isEqualTo(trainSent);
        assertThat(fin.getDeadLetters()).isZero();
      }
    }
    // every sample scored exactly once per model: TRAIN ones prequentially (the 8 pending ones are
    // not yet scored)
    Set<String> keys = new HashSet<>();
    for (Prediction p : predictions) {
      assertThat(keys.add(p.getModelId() + "/" + p.getSampleId()))
          .as("duplicate prediction %s", p.getSampleId())
          .isTrue();
    }
    long test = predictions.stream().filter(p -> p.getSplit() == Split.TEST).count();
    assertThat(test).isEqualTo(60 * 2);
    assertThat(predictions).hasSize((37 * 16 + 60) * 2);
    LOG.info(
        "Parity: job {} ms, whole test {} ms",
        (trained - t0) / 1_000_000,
        (System.nanoTime() - t0) / 1_000_000);
  }
}
