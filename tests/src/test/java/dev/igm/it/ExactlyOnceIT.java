package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.jobs.TrainJobConfig;
import dev.igm.jobs.TrainingData;
import dev.igm.jobs.TrainingJob;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once training across faults, on the parity workload (300 segment rows x 2 epochs + 60
 * TEST rows, models igm and joint, checkpoints every 200 ms on RocksDB):
 *
 * <ul>
 *   <li>an injected failure after a checkpoint restores trainers and offsets from it and ends
 *       bit-identical to the offline run, with every prediction committed exactly once;
 *   <li>cancel with a retained checkpoint, inspect it (RocksDB incremental: shared SST files,
 *       incremental keyed handles in _metadata), restart from it: the same final model, and the two
 *       runs' outputs together hold every prediction exactly once.
 * </ul>
 */
@Timeout(180) // a hung job must fail CI, not stall it
class ExactlyOnceIT {
  private static final Logger LOG = LoggerFactory.getLogger(ExactlyOnceIT.class);
  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  private static ParityWorkload workload;

  @TempDir Path scratch;

  @BeforeAll
  static void reference() throws Exception {
    workload = ParityWorkload.create();
  }

  @Test
  void injectedFailureRestoresFromCheckpointAndEndsBitIdentical() throws Exception {
    long t0 = System.nanoTime();
    JobFixture.Topics topics = JobFixture.Topics.create(KAFKA);
    TrainingData.produce(KAFKA.bootstrapServers(), topics.samples(), workload.records);
    TrainJobConfig config =
        JobFixture.config(
            KAFKA,
            topics,
            scratch,
            JobFixture.uniqueGroup("fail"),
            "debug.fail.after.batches=20",
            "debug.batch.delay.ms=60");

    JobExecutionResult result = TrainingJob.run(config);

    assertThat((Long) result.getAccumulatorResult("igm.trainers.restored"))
        .as("the final attempt rebuilt its trainers from checkpointed keyed state")
        .isEqualTo(2L);
    workload.assertFinalModelsAndExactlyOnce(KAFKA, topics);
    LOG.info("Failure + restore: {} ms", (System.nanoTime() - t0) / 1_000_000);
  }

  @Test
  void cancelWithRetainedCheckpointThenRestoreFromIt() throws Exception {
    long t0 = System.nanoTime();
    JobFixture.Topics topics = JobFixture.Topics.create(KAFKA);
    TrainingData.produce(KAFKA.bootstrapServers(), topics.samples(), workload.records);
    String group = JobFixture.uniqueGroup("cancel");
    // slowed down so that it is cancelled mid-run: ~74 batches x 60 ms
    TrainJobConfig first =
        JobFixture.config(KAFKA, topics, scratch, group, "debug.batch.delay.ms=60");
    JobClient client = TrainingJob.start(first);
    Path jobDir = scratch.resolve("chk").resolve(client.getJobID().toHexString());
    Path retained = waitForCompletedCheckpoint(jobDir, 2, Duration.ofSeconds(60));
    client.cancel().get();
    // the embedded per-job cluster goes away with the job: wait for its end through the result
    // future
    client
        .getJobExecutionResult()
        .handle((r, e) -> null)
        .get(30, java.util.concurrent.TimeUnit.SECONDS);
    retained = latestCompletedCheckpoint(jobDir).orElseThrow();
    LOG.info("Cancelled job {}; restoring from retained {}", client.getJobID(), retained);

    inspectIncrementalRocksDbCheckpoint(jobDir, retained);

    TrainJobConfig second =
        JobFixture.config(
            KAFKA,
            topics,
            scratch,
            group,
            "flink.execution.state-recovery.path=" + retained.toUri());
    JobExecutionResult result = TrainingJob.run(second);
    assertThat((Long) result.getAccumulatorResult("igm.trainers.restored")).isEqualTo(2L);
    workload.assertFinalModelsAndExactlyOnce(KAFKA, topics);
    LOG.info(
        "Cancel + restore from retained checkpoint: {} ms", (System.nanoTime() - t0) / 1_000_000);
  }

  /**
   * RocksDB incremental: SST files under shared/, and the trainer's keyed state is an incremental
   * handle.
   */
  private static void inspectIncrementalRocksDbCheckpoint(Path jobDir, Path checkpoint)
      throws Exception {
    List<Path> shared;
    try (Stream<Path> s = Files.walk(jobDir.resolve("shared"))) {
      shared = s.filter(Files::isRegularFile).toList();
    }
    assertThat(shared).as("incremental checkpoints keep RocksDB files in shared/").isNotEmpty();
    CheckpointMetadata md;
    try (InputStream in = Files.newInputStream(checkpoint.resolve("_metadata"))) {
      md =
          Checkpoints.loadCheckpointMetadata(
              new DataInputStream(in), ExactlyOnceIT.class.getClassLoader(), checkpoint.toString());
    }
    List<KeyedStateHandle> keyed = new ArrayList<>();
    for (OperatorState op : md.getOperatorStates()) {
      for (OperatorSubtaskState st : op.getStates()) {
        keyed.addAll(st.getManagedKeyedState());
      }
    }
    assertThat(keyed)
        .as("keyed state handles in %s", checkpoint)
        .isNotEmpty()
        .allMatch(h -> h instanceof IncrementalRemoteKeyedStateHandle);
    long bytes = keyed.stream().mapToLong(KeyedStateHandle::getStateSize).sum();
    LOG.info(
        "Checkpoint {}: {} keyed handle(s), incremental RocksDB, {} bytes of keyed state; {} files in shared/",
        md.getCheckpointId(),
        keyed.size(),
        bytes,
        shared.size());
  }

  private static Path waitForCompletedCheckpoint(Path jobDir, long atLeast, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<Path> p = latestCompletedCheckpoint(jobDir);
      if (p.isPresent()
          && Long.parseLong(p.get().getFileName().toString().substring(4)) >= atLeast) {
        return p.get();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no completed checkpoint >= " + atLeast + " in " + jobDir);
  }

  private static Optional<Path> latestCompletedCheckpoint(Path jobDir) throws Exception {
    if (!Files.isDirectory(jobDir)) {
      return Optional.empty();
    }
    try (Stream<Path> s = Files.list(jobDir)) {
      return s.filter(
              p ->
                  p.getFileName().toString().startsWith("chk-")
                      && Files.exists(p.resolve("_metadata")))
          .max(
              Comparator.comparingLong(
                  p -> Long.parseLong(p.getFileName().toString().substring(4))));
    }
  }
}
