package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.cli.ServeCommand;
import dev.igm.core.serve.QualityGate;
import dev.igm.core.serve.ServingPolicy;
import dev.igm.jobs.ServingJob;
import dev.igm.jobs.ServingJobOptions;
import dev.igm.jobs.TrainJobConfig;
import dev.igm.jobs.TrainingData;
import dev.igm.jobs.TrainingJob;
import dev.igm.local.LocalScripts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training and serving jobs export the product's metrics to Prometheus: an embedded training
 * job with {@code embedded.metrics-port} and an embedded serving job with {@code --metrics-port}
 * are scraped over HTTP while they run, and the product's metrics are found by name, with the
 * labels and values the run implies (samples trained, loss, prequential accuracy per modality and
 * fused, model version, T refresh time, dead letters by reason, serving predictions and latency).
 * Every metric the Grafana dashboard (deploy/monitoring) queries is among them, and both endpoints
 * listen on loopback only.
 */
class PrometheusMetricsIT {
  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  private static final String OP = "flink_taskmanager_job_task_operator_";
  private static final String MODEL = OP + "model_";
  private static final String SERVING = OP + "igm_serving_";

  @TempDir static Path scratch;

  @Test
  void trainingAndServingJobsExportTheProductsMetricsByName() throws Exception {
    JobFixture.Topics t = JobFixture.Topics.create(KAFKA);
    TrainingData data =
        TrainingData.segment(300, 60, 1, 7); // 300 TRAIN rows: 18 batches of 16 per model
    TrainingData.produce(KAFKA.bootstrapServers(), t.samples(), data.encodedRecords());
    try (KafkaProducer<byte[], byte[]> p = JobFixture.producer(KAFKA.bootstrapServers())) {
      p.send(new ProducerRecord<>(t.samples(), new byte[] {1, 2, 3}))
          .get(30, TimeUnit.SECONDS); // a dead letter
    }
    int trainPort = LocalScripts.freePort("127.0.0.1");
    int servePort = LocalScripts.freePort("127.0.0.1", trainPort);
    TrainJobConfig config =
        JobFixture.config(
            KAFKA,
            t,
            scratch.resolve("train"),
            JobFixture.uniqueGroup("prom"),
            "input.bounded=false",
            "embedded.metrics-port=" + trainPort);
    JobClient training = TrainingJob.start(config);
    JobClient serving = null;
    try {
      StreamExecutionEnvironment env =
          ServeCommand.embeddedEnvironment(
              1, scratch.resolve("serve-tmp"), null, null, Integer.toString(servePort));
      ServingJob.build(
          env,
          new ServingJobOptions(
              KAFKA.bootstrapServers(),
              t.samples(),
              t.models(),
              KAFKA.uniqueTopic("serve-predictions"),
              KAFKA.uniqueTopic("serve-dlq"),
              JobFixture.uniqueGroup("prom-serve"),
              ServingJobOptions.StartFrom.EARLIEST,
              1,
              Duration.ofSeconds(5),
              Duration.ofMillis(5),
              new ServingPolicy(
                  List.of("igm"), ServingPolicy.BeforeFirstModel.HOLD, 1000, QualityGate.OFF),
              Map.of()));
      serving = env.executeAsync("prometheus-serving");

      String trainUrl = "http://127.0.0.1:" + trainPort + "/metrics";
      PrometheusScrape train =
          await(
              trainUrl,
              s ->
                  s.value(MODEL + "samplesTrained", "model", "igm").orElse(0) >= 288
                      && s.value(MODEL + "samplesTrained", "model", "joint").orElse(0) >= 288);
      for (String model : List.of("igm", "joint")) {
        assertThat(train.value(MODEL + "samplesTrained", "model", model)).hasValue(288.0);
        assertThat(train.value(MODEL + "modelVersion", "model", model)).hasValue(18.0);
        assertThat(train.value(MODEL + "publishedVersion", "model", model).orElseThrow())
            .isGreaterThanOrEqualTo(10.0);
        assertThat(train.value(MODEL + "loss", "model", model).orElseThrow())
            .isFinite()
            .isPositive();
        assertThat(train.value(MODEL + "samplesPerSecond", "model", model)).isPresent();
        assertThat(train.value(MODEL + "refusedSteps", "model", model)).hasValue(0.0);
        for (String group : List.of("shape", "colour", "fused")) {
          assertThat(
                  train.value(MODEL + "prequentialAccuracy_" + group, "model", model).orElseThrow())
              .as("%s prequential accuracy %s", model, group)
              .isBetween(0.0, 1.0);
        }
      }
      assertThat(train.value(MODEL + "tRefreshMillis", "model", "igm").orElseThrow())
          .as("igm refreshed T at the end of its phases")
          .isPositive();
      assertThat(train.value(OP + "kind_deadLetters", "kind", "CORRUPT_RECORD")).hasValue(1.0);
      assertThat(train.value(OP + "kind_deadLetters", "kind", "NON_FINITE")).hasValue(0.0);
      assertThat(train.value(OP + "deadLetters")).hasValue(1.0);
      assertThat(train.samples(MODEL + "samplesTrained").get(0).labels())
          .containsKeys("job_name", "task_name", "subtask_index", "operator_name", "model");

      PrometheusScrape serve =
          await(
              "http://127.0.0.1:" + servePort + "/metrics",
              s -> s.value(SERVING + "predictions").orElse(0) >= 360);
      assertThat(serve.value(SERVING + "predictions")).hasValue(360.0);
      assertThat(serve.value(SERVING + "samplesInvalid")).hasValue(1.0);
      assertThat(serve.value(SERVING + "model_igm_version").orElseThrow())
          .isGreaterThanOrEqualTo(10.0);
      assertThat(serve.value(SERVING + "latencyMillis", "quantile", "0.5").orElseThrow())
          .as("median time from Kafka record to prediction")
          .isPositive();

      // every metric the Grafana dashboard queries exists, by the name Prometheus sees
      Set<String> names = new TreeSet<>(train.names());
      names.addAll(serve.names());
      for (String queried : dashboardMetricNames()) {
        assertThat(names)
            .as("metric %s of the dashboard", queried)
            .anyMatch(n -> n.startsWith(queried));
      }

      // and the endpoints listen where everything else does: loopback
      List<ListeningSockets.Listener> listeners =
          ListeningSockets.of(ProcessHandle.current().pid());
      for (int port : List.of(trainPort, servePort)) {
        assertThat(listeners)
            .as("listeners on the metrics port %d", port)
            .filteredOn(l -> l.address().getPort() == port)
            .isNotEmpty()
            .allMatch(ListeningSockets.Listener::loopback);
      }
    } finally {
      cancel(training);
      cancel(serving);
    }
  }

  /**
   * The metric names (or name prefixes, before a regular expression) in the dashboard's queries.
   */
  private static Set<String> dashboardMetricNames() throws Exception {
    String json =
        Files.readString(
            JobFixture.projectRoot().resolve("deploy/monitoring/igm-on-flink-dashboard.json"));
    Set<String> out = new TreeSet<>();
    Matcher m = Pattern.compile("flink_[A-Za-z0-9_]+").matcher(json);
    while (m.find()) {
      out.add(m.group());
    }
    // label_replace's capture patterns repeat a prefix already queried; the job variable's source
    // is Flink's own
    out.removeIf(n -> n.endsWith("_"));
    List<String> prefixes = new ArrayList<>();
    Matcher r = Pattern.compile("__name__=~\\\\\"(flink_[A-Za-z0-9_]+)").matcher(json);
    while (r.find()) {
      prefixes.add(r.group(1));
    }
    assertThat(prefixes).as("regular-expression queries in the dashboard").isNotEmpty();
    out.addAll(prefixes);
    assertThat(out).hasSizeGreaterThan(10);
    return out;
  }

  private static PrometheusScrape await(String url, Predicate<PrometheusScrape> done)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    PrometheusScrape last = null;
    Exception error = null;
    while (System.nanoTime() < deadline) {
      try {
        last = PrometheusScrape.of(url);
        if (done.test(last)) {
          return last;
        }
      } catch (java.io.IOException e) {
        error = e; // not listening yet
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        "scraping "
            + url
            + " did not show what was expected within 150 s; last names: "
            + (last == null ? "none (" + error + ")" : last.names()));
  }

  private static void cancel(JobClient job) throws Exception {
    if (job != null) {
      job.cancel().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
      job.getJobExecutionResult().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
    }
  }
}
