package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.cli.ServeCommand;
import dev.igm.core.serve.QualityGate;
import dev.igm.core.serve.ServingPolicy;
import dev.igm.jobs.ServingJob;
import dev.igm.jobs.ServingJobOptions;
import dev.igm.jobs.TrainJobConfig;
import dev.igm.jobs.TrainingJob;
import dev.igm.kafka.LocalKafkaBroker;
import dev.igm.local.LocalScripts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing the product starts listens beyond this machine unless asked to: the local Kafka broker
 * and the embedded Flink clusters of the training and serving jobs (REST endpoint, blob server,
 * RPC, data exchange) bind to loopback. Flink's REST API accepts jar uploads and job submissions
 * without authentication, so a listener on a public interface would let anyone who reaches the
 * machine run code in it. The sockets are read from {@code /proc} while the jobs run, with their
 * web UIs and Prometheus endpoints on; {@code embedded.bind-address} is the explicit way to expose
 * them, and it takes effect.
 */
class LoopbackListenersIT {
  private static LocalKafkaBroker broker;

  @TempDir static Path scratch;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = LocalKafkaBroker.builder().port(0).build().start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void brokerAndEmbeddedTrainingAndServingJobsListenOnLoopbackOnly() throws Exception {
    List<ListeningSockets.Listener> before = ListeningSockets.of(ProcessHandle.current().pid());
    JobFixture.Topics topics = topics("loopback");
    int trainMetrics = LocalScripts.freePort("127.0.0.1");
    int serveMetrics = LocalScripts.freePort("127.0.0.1", trainMetrics);
    JobClient training =
        TrainingJob.start(
            trainingConfig(topics, "loopback", "embedded.metrics-port=" + trainMetrics));
    JobClient serving = null;
    try {
      awaitRunning(training);
      serving = startServing(topics, serveMetrics);
      awaitRunning(serving);

      List<ListeningSockets.Listener> jobs =
          new ArrayList<>(ListeningSockets.of(ProcessHandle.current().pid()));
      jobs.removeAll(before);
      assertThat(jobs)
          .as("the embedded clusters' REST endpoints and blob servers, at least")
          .hasSizeGreaterThanOrEqualTo(2);
      assertThat(jobs)
          .as("listeners of this process's embedded Flink clusters")
          .allMatch(ListeningSockets.Listener::loopback);
      for (int port : List.of(trainMetrics, serveMetrics)) {
        assertThat(jobs)
            .as("the Prometheus endpoint on port %d", port)
            .anyMatch(l -> l.address().getPort() == port);
      }

      List<ListeningSockets.Listener> kafka = ListeningSockets.of(broker.pid());
      assertThat(kafka)
          .as("the broker's client and controller listeners, at least")
          .hasSizeGreaterThanOrEqualTo(2);
      assertThat(kafka)
          .as("listeners of the local Kafka broker (pid %d)", broker.pid())
          .allMatch(ListeningSockets.Listener::loopback);
    } finally {
      cancel(training);
      cancel(serving);
    }
  }

  @Test
  void bindAddressExposesTheEmbeddedClusterWhenAskedTo() throws Exception {
    List<ListeningSockets.Listener> before = ListeningSockets.of(ProcessHandle.current().pid());
    JobFixture.Topics topics = topics("exposed");
    JobClient training =
        TrainingJob.start(trainingConfig(topics, "exposed", "embedded.bind-address=0.0.0.0"));
    try {
      awaitRunning(training);
      List<ListeningSockets.Listener> now =
          new ArrayList<>(ListeningSockets.of(ProcessHandle.current().pid()));
      now.removeAll(before);
      assertThat(now)
          .as("embedded.bind-address=0.0.0.0 binds the REST endpoint to every interface")
          .anyMatch(l -> l.address().getAddress().isAnyLocalAddress());
    } finally {
      cancel(training);
    }
  }

  private static JobFixture.Topics topics(String prefix) {
    JobFixture.Topics t =
        new JobFixture.Topics(
            prefix + ".samples",
            prefix + ".dlq",
            prefix + ".metrics",
            prefix + ".predictions",
            prefix + ".models");
    broker.createTopics(t.samples(), t.dlq(), t.metrics(), t.predictions(), t.models());
    return t;
  }

  /** An unbounded training job on an empty topic: it runs (and listens) until cancelled. */
  private static TrainJobConfig trainingConfig(JobFixture.Topics t, String name, String... extra)
      throws Exception {
    List<String> o = new ArrayList<>(List.of("input.bounded=false"));
    o.addAll(List.of(extra));
    return JobFixture.config(
        broker.bootstrapServers(),
        t,
        scratch.resolve(name),
        JobFixture.uniqueGroup(name),
        o.toArray(String[]::new));
  }

  private static JobClient startServing(JobFixture.Topics t, int metricsPort) throws Exception {
    StreamExecutionEnvironment env =
        ServeCommand.embeddedEnvironment(
            1, scratch.resolve("serve-tmp"), null, null, Integer.toString(metricsPort));
    ServingJob.build(
        env,
        new ServingJobOptions(
            broker.bootstrapServers(),
            t.samples(),
            t.models(),
            t.predictions(),
            t.dlq(),
            JobFixture.uniqueGroup("serve"),
            ServingJobOptions.StartFrom.EARLIEST,
            1,
            Duration.ofSeconds(10),
            Duration.ofMillis(5),
            new ServingPolicy(
                List.of("igm"), ServingPolicy.BeforeFirstModel.HOLD, 100, QualityGate.OFF),
            Map.of()));
    return env.executeAsync("loopback-serving");
  }

  private static void awaitRunning(JobClient job) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (job.getJobStatus().get(10, TimeUnit.SECONDS) != JobStatus.RUNNING) {
      assertThat(System.nanoTime())
          .as("job %s running within 90 s", job.getJobID())
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static void cancel(JobClient job) throws Exception {
    if (job != null) {
      job.cancel().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
      job.getJobExecutionResult().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
    }
  }
}
