package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.MultimodalSample;
import dev.igm.avro.TrainingMetrics;
import dev.igm.cli.IgmCli;
import dev.igm.cluster.FlinkRestClient;
import dev.igm.cluster.LocalFlinkCluster;
import dev.igm.codec.AvroBytes;
import dev.igm.jobs.ServingJob;
import dev.igm.jobs.TrainJobConfig;
import dev.igm.jobs.TrainingData;
import dev.igm.jobs.TrainingJob;
import dev.igm.kafka.LocalKafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming training job on a real Flink 2.2 session cluster ({@code
 * deploy/local/flink-cluster.sh}: one JobManager and two TaskManagers, each its own JVM, on free
 * ports, DJL and OpenBLAS on the cluster classpath), submitted the two ways users do with the job
 * jar {@code flink-jobs/target/igm-flink-jobs-job.jar}: as {@code flink run} does (jar upload,
 * {@code igm train} run as the jar's main() by the JobManager) and as {@code igm train --target
 * remote} does ({@link TrainingJob} with a remote environment shipping the jar), with RocksDB
 * incremental checkpoints every 200 ms.
 *
 * <p>Faults, each mid-training, on the {@link ParityWorkload} (deterministic mode, models igm and
 * joint):
 *
 * <ul>
 *   <li>the TaskManager running the job is killed with SIGKILL; the job restores its trainers and
 *       offsets from the latest checkpoint on the other TaskManager (a replacement joins too) and
 *       completes;
 *   <li>the Kafka broker is stopped for 20 s and started again (same data, same port).
 * </ul>
 *
 * Both must end exactly like an uninterrupted run: final tensors bit-identical to the offline
 * trainer, every TRAIN sample trained once, every model version, metrics record and prediction
 * committed once.
 *
 * <p>The serving job goes the same way ({@code igm serve --target remote}, run through the command
 * line) and must score with the published version exactly as the snapshot file computes offline.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES) // a hung job must fail CI, not stall it
class SessionClusterIT {

  private static final Logger LOG = LoggerFactory.getLogger(SessionClusterIT.class);

  /**
   * Slows training so that faults land mid-run: 74 steps (37 batches x 2 models) of at least this
   * long.
   */
  private static final String BATCH_DELAY = "debug.batch.delay.ms=150";

  /** Enough restart attempts for a fault that lasts a while. */
  private static final String RESTART_ATTEMPTS = "flink.restart-strategy.fixed-delay.attempts=30";

  private static final String RESTART_DELAY = "flink.restart-strategy.fixed-delay.delay=2s";

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  private static LocalFlinkCluster cluster;
  private static FlinkRestClient rest;
  private static ParityWorkload workload;

  @TempDir Path scratch;

  @BeforeAll
  static void startCluster() throws Exception {
    long t0 = System.nanoTime();
    cluster =
        LocalFlinkCluster.builder()
            .taskManagers(2)
            .slotsPerTaskManager(2)
            .jobManagerMemory("768m")
            .taskManagerMemory("1280m")
            .build();
    try {
      cluster.start();
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    rest = cluster.rest();
    LOG.info(
        "Session cluster {} up in {} ms", cluster.restUrl(), (System.nanoTime() - t0) / 1_000_000);
    workload = ParityWorkload.create();
  }

  @AfterAll
  static void stopCluster() throws IOException {
    if (cluster == null) {
      return;
    }
    long jm = cluster.jobManagerPid();
    Map<Integer, Long> tms = cluster.taskManagerPids();
    cluster.close();
    assertThat(ProcessHandle.of(jm).map(ProcessHandle::isAlive).orElse(false))
        .as("JobManager gone")
        .isFalse();
    for (long pid : tms.values()) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("TaskManager %d gone", pid)
          .isFalse();
    }
  }

  @Test
  void clusterReportsTwoTaskManagersAndItsConfiguration() throws IOException {
    JsonNode overview = rest.overview();
    assertThat(overview.path("flink-version").asText()).isEqualTo("2.2.1");
    assertThat(overview.path("taskmanagers").asInt()).isEqualTo(2);
    assertThat(overview.path("slots-total").asInt()).isEqualTo(4);
    JsonNode config = rest.get("/jobmanager/config");
    assertThat(configValue(config, "state.backend.type")).isEqualTo("rocksdb");
    assertThat(configValue(config, "execution.checkpointing.incremental")).isEqualTo("true");
    assertThat(configValue(config, "execution.checkpointing.dir"))
        .isEqualTo("file://" + cluster.checkpointDir());
    assertThat(configValue(config, "classloader.parent-first-patterns.additional"))
        .isEqualTo("ai.djl.;org.bytedeco.");
    String status = cluster.status();
    assertThat(status)
        .contains(
            "JobManager running",
            "REST " + cluster.restUrl(),
            "TaskManager 1 running",
            "TaskManager 2 running");
  }

  @Test
  void clusterProcessesListenOnLoopbackOnly() throws IOException {
    Map<String, Long> processes = new LinkedHashMap<>();
    processes.put("JobManager", cluster.jobManagerPid());
    cluster.taskManagerPids().forEach((i, pid) -> processes.put("TaskManager " + i, pid));
    for (Map.Entry<String, Long> p : processes.entrySet()) {
      List<ListeningSockets.Listener> listeners = ListeningSockets.of(p.getValue());
      assertThat(listeners).as("%s (pid %d) listens", p.getKey(), p.getValue()).isNotEmpty();
      assertThat(listeners)
          .as("listeners of the %s (pid %d)", p.getKey(), p.getValue())
          .allMatch(ListeningSockets.Listener::loopback);
    }
  }

  @Test
  void trainingJobSurvivesTaskManagerKillBitIdentical() throws Exception {
    JobFixture.Topics topics = JobFixture.Topics.create(KAFKA);
    TrainingData.produce(KAFKA.bootstrapServers(), topics.samples(), workload.records);
    // As 'flink run' does it: the job jar uploaded, its main() (igm train) run by the JobManager
    // (POST /jars/:id/run).
    List<String> args =
        new ArrayList<>(List.of("train", "--config", JobFixture.exampleConfig().toString()));
    for (String o :
        JobFixture.overrides(
            KAFKA.bootstrapServers(),
            topics,
            scratch,
            JobFixture.uniqueGroup("tm-kill"),
            BATCH_DELAY,
            RESTART_ATTEMPTS,
            RESTART_DELAY)) {
      args.addAll(List.of("--set", o));
    }
    String jobId =
        rest.submit(
            TrainJobConfig.defaultJobJar(JobFixture.projectRoot()),
            IgmCli.class.getName(),
            args,
            null);
    assertThat(rest.awaitState(jobId, Duration.ofSeconds(90), "RUNNING")).isEqualTo("RUNNING");

    awaitCompletedCheckpoints(jobId, 2, Duration.ofSeconds(120));
    // A checkpoint taken before a model's first sample holds no state for it (on a loaded machine
    // the first two can
    // be), and that model would start fresh after the kill. Committed metrics of both models mean a
    // completed
    // checkpoint holds both trainers.
    awaitCommittedMetricsOfEveryModel(
        topics.metrics(), List.of("igm", "joint"), Duration.ofSeconds(120));
    List<String> busy = rest.taskManagersOf(jobId);
    assertThat(busy).isNotEmpty();
    int victim = cluster.taskManagerIndex(busy.get(0));
    assertThat(victim).as("TaskManager %s is one of ours", busy.get(0)).isPositive();
    long lastBeforeKill = latestCompleted(jobId);
    cluster.killTaskManager(victim);
    long killedAt = System.nanoTime();
    LOG.info(
        "SIGKILL to TaskManager {} ({}) running job {} after checkpoint {}",
        victim,
        busy.get(0),
        jobId,
        lastBeforeKill);
    cluster.startMissingTaskManagers();

    awaitFinished(jobId, killedAt);
    JsonNode checkpoints = rest.checkpoints(jobId);
    assertThat(checkpoints.path("counts").path("restored").asInt())
        .as(checkpoints.toString())
        .isGreaterThanOrEqualTo(1);
    JsonNode restored = checkpoints.path("latest").path("restored");
    assertThat(restored.path("id").asLong())
        .as("restored from a checkpoint no older than the kill")
        .isGreaterThanOrEqualTo(lastBeforeKill);
    assertThat(restored.path("external_path").asText()).contains(scratch.resolve("chk").toString());
    assertThat(accumulator(jobId, "igm.trainers.restored"))
        .as("the final attempt rebuilt both trainers from checkpointed keyed state")
        .isEqualTo("2");
    workload.assertFinalModelsAndExactlyOnce(KAFKA, topics);
  }

  @Test
  void trainingJobRidesOutTwentySecondBrokerOutage() throws Exception {
    try (LocalKafkaBroker broker = LocalKafkaBroker.builder().build().start()) {
      String suffix = JobFixture.uniqueGroup("outage");
      JobFixture.Topics topics =
          new JobFixture.Topics(
              suffix + ".samples",
              suffix + ".dlq",
              suffix + ".metrics",
              suffix + ".predictions",
              suffix + ".models");
      broker.createTopics(
          topics.samples(), topics.dlq(), topics.metrics(), topics.predictions(), topics.models());
      TrainingData.produce(broker.bootstrapServers(), topics.samples(), workload.records);
      JobClient client =
          TrainingJob.start(
              JobFixture.config(
                  broker.bootstrapServers(), topics, scratch, suffix, remoteSettings()));
      String jobId = client.getJobID().toHexString();
      assertThat(rest.awaitState(jobId, Duration.ofSeconds(90), "RUNNING")).isEqualTo("RUNNING");

      awaitCompletedCheckpoints(jobId, 2, Duration.ofSeconds(120));
      long before = latestCompleted(jobId);
      broker.stop();
      long stoppedAt = System.nanoTime();
      LOG.info(
          "Broker {} stopped after checkpoint {} of job {}; 20 s outage",
          broker.bootstrapServers(),
          before,
          jobId);
      Thread.sleep(20_000);
      assertThat(rest.jobState(jobId))
          .as("the job is not given up during the outage")
          .isIn("RUNNING", "RESTARTING", "CREATED", "INITIALIZING");
      broker.start();
      LOG.info(
          "Broker {} back after {} ms",
          broker.bootstrapServers(),
          (System.nanoTime() - stoppedAt) / 1_000_000);

      awaitFinished(jobId, stoppedAt);
      client.getJobExecutionResult().get(60, TimeUnit.SECONDS);
      JsonNode counts = rest.checkpoints(jobId).path("counts");
      LOG.info("Job {} after the outage: checkpoints {}", jobId, counts);
      assertThat(latestCompleted(jobId))
          .as("checkpoints completed after the outage")
          .isGreaterThan(before);
      workload.assertFinalModelsAndExactlyOnce(broker.bootstrapServers(), topics);
    }
  }

  @Test
  void servingJobSubmittedFromTheCommandLineScoresWithThePublishedVersion() throws Exception {
    String model = "cluster-model";
    String samples = KAFKA.uniqueTopic("serve-samples", 2);
    String models = KAFKA.uniqueTopic("serve-models");
    String predictions = KAFKA.uniqueTopic("serve-predictions", 2);
    String dlq = KAFKA.uniqueTopic("serve-dlq");
    ModelSnapshot v1 = ServingModels.publish(ServingModels.trained(7), scratch, model, 1, 0.8);
    AvroBytes<MultimodalSample> sampleAvro = AvroBytes.of(MultimodalSample.class);
    Map<String, MultimodalSample> sent = new LinkedHashMap<>();
    Random random = new Random(3);
    try (KafkaProducer<byte[], byte[]> producer = JobFixture.producer(KAFKA.bootstrapServers());
        TopicTail tail = new TopicTail(KAFKA.bootstrapServers(), predictions)) {
      producer
          .send(
              new ProducerRecord<>(
                  models, utf8(model), AvroBytes.of(ModelSnapshot.class).encode(v1)))
          .get(30, TimeUnit.SECONDS);
      // igm serve --target remote, as a user runs it (blocks until the job ends; the test cancels
      // it)
      String group = JobFixture.uniqueGroup("serve");
      CompletableFuture<Integer> cli =
          CompletableFuture.supplyAsync(
              () ->
                  IgmCli.run(
                      "serve",
                      "--bootstrap",
                      KAFKA.bootstrapServers(),
                      "--samples-topic",
                      samples,
                      "--models-topic",
                      models,
                      "--predictions-topic",
                      predictions,
                      "--dlq-topic",
                      dlq,
                      "--model",
                      model,
                      "--parallelism",
                      "2",
                      "--samples-from",
                      "earliest",
                      "--checkpoint-interval",
                      "0",
                      "--group-id",
                      group,
                      "--model-store-root",
                      scratch.toString(),
                      "--target",
                      "remote",
                      "--jobmanager",
                      cluster.jobManagerAddress()));
      String jobId = awaitRunningJob(ServingJob.jobName(group), Duration.ofSeconds(90));
      try {
        for (int i = 0; i < 40; i++) {
          MultimodalSample s = ServingModels.sample("cluster-" + i, random);
          sent.put(s.getSampleId(), s);
          producer.send(
              new ProducerRecord<>(samples, i % 2, utf8(s.getSampleId()), sampleAvro.encode(s)));
        }
        producer.flush();
        List<ConsumerRecord<byte[], byte[]>> scored =
            tail.await(
                r -> r.size() >= sent.size(), Duration.ofSeconds(90), sent.size() + " predictions");
        assertThat(scored).hasSize(sent.size());
        ServingModels.assertMatchesOffline(model, scored, sent, Map.of(1L, v1));
        assertThat(rest.taskManagersOf(jobId))
            .as("scored on the cluster's TaskManagers")
            .isNotEmpty();
      } finally {
        rest.cancel(jobId);
        assertThat(rest.awaitState(jobId, Duration.ofSeconds(60), "CANCELED"))
            .isEqualTo("CANCELED");
        cli.get(60, TimeUnit.SECONDS);
        ServingModels.closeReferences();
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  /** The id of the one running job named {@code name}, once it runs. */
  private static String awaitRunningJob(String name, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (JsonNode job : rest.get("/jobs/overview").path("jobs")) {
        if (name.equals(job.path("name").asText())
            && "RUNNING".equals(job.path("state").asText())) {
          return job.path("jid").asText();
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no running job named " + name + " within " + timeout);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * {@code igm train --target remote --jobmanager <this cluster>} with the default job jar, slowed
   * down, and with enough restart attempts for a fault that lasts a while.
   */
  private static String[] remoteSettings() {
    return new String[] {
      "target=remote",
      "jobmanager=" + cluster.jobManagerAddress(),
      BATCH_DELAY,
      RESTART_ATTEMPTS,
      RESTART_DELAY
    };
  }

  private static void awaitFinished(String jobId, long faultAt) throws Exception {
    String state =
        rest.awaitState(jobId, Duration.ofSeconds(240), "FINISHED", "FAILED", "CANCELED");
    LOG.info(
        "Job {} {} {} ms after the fault", jobId, state, (System.nanoTime() - faultAt) / 1_000_000);
    assertThat(state)
        .as(rest.get("/jobs/" + jobId + "/exceptions").toString())
        .isEqualTo("FINISHED");
  }

  /** A user accumulator of a job as the REST API shows it ({@code GET /jobs/:id/accumulators}). */
  private static String accumulator(String jobId, String name) throws IOException {
    for (JsonNode a : rest.get("/jobs/" + jobId + "/accumulators").path("user-task-accumulators")) {
      if (name.equals(a.path("name").asText())) {
        return a.path("value").asText();
      }
    }
    return null;
  }

  private static long latestCompleted(String jobId) throws IOException {
    JsonNode latest = rest.checkpoints(jobId).path("latest").path("completed");
    return latest.isMissingNode() || latest.isNull() ? 0 : latest.path("id").asLong();
  }

  private static void awaitCompletedCheckpoints(String jobId, int n, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (rest.checkpoints(jobId).path("counts").path("completed").asInt() >= n) {
        return;
      }
      assertThat(rest.jobState(jobId))
          .as("job still running while waiting for checkpoints")
          .isEqualTo("RUNNING");
      Thread.sleep(100);
    }
    throw new AssertionError("fewer than " + n + " checkpoints completed within " + timeout);
  }

  private static void awaitCommittedMetricsOfEveryModel(
      String topic, List<String> models, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> seen = new TreeSet<>();
    while (!seen.containsAll(models)) {
      assertThat(System.nanoTime())
          .as("committed metrics of %s within %s (seen: %s)", models, timeout, seen)
          .isLessThan(deadline);
      for (TrainingMetrics m :
          JobFixture.decode(
              JobFixture.readCommitted(
                  KAFKA.bootstrapServers(), topic, models.size(), Duration.ofSeconds(2)),
              TrainingMetrics.class)) {
        seen.add(m.getModelId().toString());
      }
    }
  }

  private static String configValue(JsonNode entries, String key) {
    for (JsonNode e : entries) {
      if (key.equals(e.path("key").asText())) {
        return e.path("value").asText();
      }
    }
    return null;
  }
}
