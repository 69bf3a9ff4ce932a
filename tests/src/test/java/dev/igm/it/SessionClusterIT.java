package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.igm.cluster.CheckpointedCountJob;
import dev.igm.cluster.FlinkRestClient;
import dev.igm.cluster.LocalFlinkCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Flink 2.2 session cluster ({@code deploy/local/flink-cluster.sh}: one JobManager and two TaskManagers, each
 * its own JVM, on free ports, data under {@code var/tmp}), a job submitted through the REST API
 * ({@code POST /jars/upload}, {@code /jars/:id/run}) with RocksDB incremental checkpoints, and a TaskManager
 * killed with SIGKILL while the job runs.
 *
 * <p>The job is {@link CheckpointedCountJob} from the product's jar ({@code flink-jobs/target/igm-flink-jobs-*.jar}):
 * numbers 0..N-1, keyed counters and sums in RocksDB, totals per key written when the input ends. After the kill the
 * job must restore from the latest completed checkpoint and finish with every key's count and sum exact (nothing
 * lost, nothing counted twice).
 */
class SessionClusterIT {

  private static final Logger LOG = LoggerFactory.getLogger(SessionClusterIT.class);

  private static LocalFlinkCluster cluster;
  private static FlinkRestClient rest;

  @BeforeAll
  static void startCluster() throws IOException {
    long t0 = System.nanoTime();
    cluster = LocalFlinkCluster.builder()
        .taskManagers(2)
        .slotsPerTaskManager(2)
        .jobManagerMemory("768m")
        .taskManagerMemory("1024m")
        .build();
    try {
      cluster.start();
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    rest = cluster.rest();
    LOG.info("Session cluster {} up in {} ms", cluster.restUrl(), (System.nanoTime() - t0) / 1_000_000);
  }

  @AfterAll
  static void stopCluster() throws IOException {
    if (cluster == null) {
      return;
    }
    long jm = cluster.jobManagerPid();
    Map<Integer, Long> tms = cluster.taskManagerPids();
    long t0 = System.nanoTime();
    cluster.close();
    LOG.info("Session cluster stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
    assertThat(ProcessHandle.of(jm).map(ProcessHandle::isAlive).orElse(false)).as("JobManager gone").isFalse();
    for (long pid : tms.values()) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("TaskManager %d gone", pid).isFalse();
    }
  }

  @Test
  void clusterReportsTwoTaskManagersAndVersion() throws IOException {
    JsonNode overview = rest.overview();
    assertThat(overview.path("flink-version").asText()).isEqualTo("2.2.1");
    assertThat(overview.path("taskmanagers").asInt()).isEqualTo(2);
    assertThat(overview.path("slots-total").asInt()).isEqualTo(4);
    JsonNode config = rest.get("/jobmanager/config");
    assertThat(configValue(config, "state.backend.type")).isEqualTo("rocksdb");
    assertThat(configValue(config, "execution.checkpointing.incremental")).isEqualTo("true");
    assertThat(configValue(config, "execution.checkpointing.dir")).isEqualTo("file://" + cluster.checkpointDir());
    String status = cluster.status();
    assertThat(status).contains("JobManager running", "REST " + cluster.restUrl(), "TaskManager 1 running", "TaskManager 2 running");
  }

  @Test
  void jobSurvivesTaskManagerKillWithExactlyOnceCounts() throws Exception {
    long records = 8_000;
    int keys = 8;
    Path output = cluster.dataDir().resolve("count-output");
    Path jar = productJar();

    String jobId = rest.submit(jar, CheckpointedCountJob.class.getName(),
        List.of("--records", Long.toString(records), "--keys", Integer.toString(keys), "--rate", "400",
            "--checkpoint-interval", "500", "--output", output.toString()),
        2);
    LOG.info("Submitted {} as job {}", jar.getFileName(), jobId);
    assertThat(rest.awaitState(jobId, Duration.ofSeconds(60), "RUNNING")).isEqualTo("RUNNING");

    // Let a few checkpoints complete, then kill a TaskManager that runs part of the job.
    long lastCompleted = awaitCompletedCheckpoints(jobId, 3, Duration.ofSeconds(60));
    List<String> busy = rest.taskManagersOf(jobId);
    assertThat(busy).isNotEmpty();
    int victim = cluster.taskManagerIndex(busy.get(0));
    assertThat(victim).as("TaskManager %s is one of ours", busy.get(0)).isPositive();
    long lastBeforeKill = latestCompleted(jobId);
    cluster.killTaskManager(victim);
    long killedAt = System.nanoTime();
    LOG.info("SIGKILL to TaskManager {} ({}) after checkpoint {} (>= {})", victim, busy.get(0), lastBeforeKill, lastCompleted);

    // The surviving TaskManager has enough slots; a replacement joins as well (flink-cluster.sh start is idempotent).
    cluster.startMissingTaskManagers();
    assertThat(rest.overview().path("taskmanagers").asInt()).isGreaterThanOrEqualTo(2);

    String state = rest.awaitState(jobId, Duration.ofSeconds(150), "FINISHED");
    LOG.info("Job {} {} {} ms after the kill", jobId, state, (System.nanoTime() - killedAt) / 1_000_000);
    assertThat(state).as(rest.get("/jobs/" + jobId + "/exceptions").toString()).isEqualTo("FINISHED");

    // Recovery came from a checkpoint at least as new as the last one completed before the kill.
    JsonNode checkpoints = rest.checkpoints(jobId);
    assertThat(checkpoints.path("counts").path("restored").asInt()).as(checkpoints.toString()).isGreaterThanOrEqualTo(1);
    JsonNode restored = checkpoints.path("latest").path("restored");
    LOG.info("Restored checkpoint {} ({} restore(s), {} checkpoints completed in all): {}", restored.path("id").asLong(),
        checkpoints.path("counts").path("restored").asInt(), checkpoints.path("counts").path("completed").asInt(),
        restored.path("external_path").asText());
    assertThat(restored.path("id").asLong()).as(checkpoints.toString()).isGreaterThanOrEqualTo(lastBeforeKill);
    assertThat(restored.path("external_path").asText()).contains(cluster.checkpointDir().toString());
    // RocksDB incremental checkpoints: SST files in the job's shared folder.
    Path shared = cluster.checkpointDir().resolve(jobId).resolve("shared");
    assertThat(shared).isDirectory();

    // Exactly once: every key saw each of its numbers once.
    for (int k = 0; k < keys; k++) {
      long count = 0;
      long sum = 0;
      for (long n = k; n < records; n += keys) {
        count++;
        sum += n;
      }
      Path file = output.resolve("key-" + k + ".txt");
      assertThat(file).exists();
      assertThat(Files.readString(file, StandardCharsets.UTF_8).trim()).isEqualTo("count=" + count + " sum=" + sum);
    }
    try (Stream<Path> files = Files.list(output)) {
      assertThat(files.filter(p -> p.getFileName().toString().startsWith("key-")).count()).isEqualTo(keys);
    }
  }

  // ------------------------------------------------------------------ helpers

  private static long latestCompleted(String jobId) throws IOException {
    JsonNode latest = rest.checkpoints(jobId).path("latest").path("completed");
    return latest.isMissingNode() || latest.isNull() ? 0 : latest.path("id").asLong();
  }

  private static long awaitCompletedCheckpoints(String jobId, int n, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode cp = rest.checkpoints(jobId);
      if (cp.path("counts").path("completed").asInt() >= n) {
        return cp.path("latest").path("completed").path("id").asLong();
      }
      assertThat(rest.jobState(jobId)).as("job still running while waiting for checkpoints").isEqualTo("RUNNING");
      Thread.sleep(200);
    }
    throw new AssertionError("fewer than " + n + " checkpoints completed within " + timeout);
  }

  private static String configValue(JsonNode entries, String key) {
    for (JsonNode e : entries) {
      if (key.equals(e.path("key").asText())) {
        return e.path("value").asText();
      }
    }
    return null;
  }

  /** The product's job jar as the build wrote it (the thin igm-flink-jobs jar holds CheckpointedCountJob). */
  static Path productJar() throws IOException {
    Path target = LocalFlinkCluster.locateProjectRoot().resolve("flink-jobs").resolve("target");
    try (Stream<Path> files = Files.list(target)) {
      return files
          .filter(p -> p.getFileName().toString().matches("igm-flink-jobs-[0-9][^-]*(-SNAPSHOT)?\\.jar"))
          .findFirst()
          .orElseThrow(() -> new IOException("no igm-flink-jobs-<version>.jar in " + target + " (run mvn package first)"));
    }
  }
}
