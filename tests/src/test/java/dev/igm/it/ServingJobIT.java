package dev.igm.it;

import static dev.igm.it.ServingOutputs.byId;
import static dev.igm.it.ServingOutputs.decode;
import static dev.igm.it.ServingOutputs.reasons;
import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.DeadLetter;
import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Prediction;
import dev.igm.codec.AvroBytes;
import dev.igm.core.serve.QualityGate;
import dev.igm.core.serve.ServingPolicy;
import dev.igm.core.serve.ServingPolicy.BeforeFirstModel;
import dev.igm.core.train.TrainerSnapshot;
import dev.igm.jobs.ServingJob;
import dev.igm.jobs.ServingJobOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The serving job on a real Kafka broker and a Flink mini cluster, at parallelism 1 and 2: versions
 * hot-swapped while serving, every prediction equal to what the snapshot it names computes offline,
 * unusable and worse versions refused while the current one keeps serving, and samples before the
 * first version held or rejected.
 */
class ServingJobIT {
  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .setConfiguration(flinkConfiguration())
              .build());

  private static final String MODEL = "it-model";
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir static Path store;

  private static TrainerSnapshot first;
  private static TrainerSnapshot second;

  private final AvroBytes<MultimodalSample> sampleAvro = AvroBytes.of(MultimodalSample.class);
  private final AvroBytes<ModelSnapshot> snapshotAvro = AvroBytes.of(ModelSnapshot.class);
  private final AvroBytes<Prediction> predictionAvro = AvroBytes.of(Prediction.class);
  private final AvroBytes<DeadLetter> deadLetterAvro = AvroBytes.of(DeadLetter.class);
  private final Random random = new Random(11);

  private static Configuration flinkConfiguration() {
    Configuration conf = new Configuration();
    Path tmp =
        Path.of(System.getProperty("igm.project.root", "."), "tests", "target", "flink-tmp")
            .toAbsolutePath();
    try {
      Files.createDirectories(tmp);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    conf.set(CoreOptions.TMP_DIRS, tmp.toString());
    // A failure must fail the test, not be hidden by a restart.
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    return METRICS.addToConfiguration(conf);
  }

  @BeforeAll
  static void trainTwoModels() {
    first = ServingModels.trained(7);
    second = ServingModels.trained(8);
    assertThat(second.sha256()).isNotEqualTo(first.sha256());
  }

  @AfterAll
  static void closeReferences() {
    ServingModels.closeReferences();
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2})
  void holdsThenHotSwapsRefusesBadVersionsAndKeepsServing(int p) throws Exception {
    Topics t = topics("hold", p);
    Path dir = Files.createDirectories(store.resolve("hold-p" + p));
    ModelSnapshot v1 = ServingModels.publish(first, dir, MODEL, 1, 0.80);
    ModelSnapshot v2 = ServingModels.publish(second, dir, MODEL, 2, 0.82);
    ModelSnapshot v3Worse =
        ServingModels.publish(first, dir, MODEL, 3, 0.70); // gate: 0.70 < 0.82 - 0.05
    ModelSnapshot v4Corrupt = ServingModels.publish(first, dir, MODEL, 4, 0.90);
    corrupt(Path.of(URI.create(v4Corrupt.getUri())));
    ModelSnapshot v5Missing = ServingModels.publish(second, dir, MODEL, 5, 0.90);
    Files.delete(Path.of(URI.create(v5Missing.getUri())));
    ModelSnapshot v6 = ServingModels.publish(first, dir, MODEL, 6, 0.81);

    JobClient job = start(t, p, BeforeFirstModel.HOLD, new QualityGate("valid.fused.acc", 0.05));
    try (KafkaProducer<byte[], byte[]> producer = JobFixture.producer(KAFKA.bootstrapServers());
        TopicTail predictions = new TopicTail(KAFKA.bootstrapServers(), t.predictions);
        TopicTail deadLetters = new TopicTail(KAFKA.bootstrapServers(), t.dlq)) {
      // Samples before any model, then one unreadable record per partition behind them: once its
      // dead letter is
      // out, every sample before it in that partition has reached the operator, with no model to
      // score it.
      List<String> early = sendSamples(producer, t, "early", 6 * p);
      for (int part = 0; part < p; part++) {
        producer.send(new ProducerRecord<>(t.samples, part, null, new byte[] {1, 2, 3})).get();
      }
      deadLetters.await(
          r -> reasons(r).stream().filter(s -> s.contains("corrupt")).count() == p,
          WAIT,
          "probe dead letters");
      assertThat(byId(predictions.records())).isEmpty();

      publish(producer, t, v1);
      Map<String, Prediction> held = awaitPredictions(predictions, early);
      assertThat(held.values()).extracting(Prediction::getModelVersion).containsOnly(1L);

      assertThat(awaitPredictions(predictions, sendSamples(producer, t, "v1", 4 * p)).values())
          .extracting(Prediction::getModelVersion)
          .containsOnly(1L);

      publish(producer, t, v2);
      awaitAllOnVersion(producer, predictions, t, "to-v2", 2);

      // Refused: worse than the margin allows, corrupt bytes, missing file; ignored: an old version
      // again.
      publish(producer, t, v3Worse);
      publish(producer, t, v4Corrupt);
      publish(producer, t, v5Missing);
      publish(producer, t, v1);
      List<String> refusals =
          reasons(
              deadLetters.await(
                  r -> reasons(r).stream().filter(s -> s.contains(" refused ")).count() == 3L * p,
                  WAIT,
                  "3 refusals per subtask"));
      for (String part : List.of("version 3 refused", "version 4 refused", "version 5 refused")) {
        List<String> of = refusals.stream().filter(s -> s.contains(part)).toList();
        assertThat(of).as(part).hasSize(p);
        for (int i = 0; i < p; i++) {
          String subtask = "subtask " + i + " of " + p;
          assertThat(of).as(part).anyMatch(s -> s.contains(subtask));
        }
      }
      assertThat(refusals)
          .filteredOn(s -> s.contains("version 3"))
          .allMatch(s -> s.contains("quality gate"));
      assertThat(refusals)
          .filteredOn(s -> s.contains("version 4"))
          .allMatch(s -> s.contains("checksum mismatch"));
      assertThat(refusals)
          .filteredOn(s -> s.contains("version 5"))
          .allMatch(s -> s.contains("not found"));
      // Every subtask has seen the refused versions (their dead letters are out), so these are
      // scored after them.
      assertThat(
              awaitPredictions(predictions, sendSamples(producer, t, "after-refusals", 4 * p))
                  .values())
          .extracting(Prediction::getModelVersion)
          .containsOnly(2L);

      publish(producer, t, v6);
      awaitAllOnVersion(producer, predictions, t, "to-v6", 6);

      assertThat(counter(job.getJobID(), "versionsRefusedByGate")).isEqualTo(p);
      assertThat(counter(job.getJobID(), "versionsUnusable")).isEqualTo(2L * p);
      assertThat(counter(job.getJobID(), "versionsStale")).isEqualTo(p);
      assertThat(counter(job.getJobID(), "versionsLoaded")).isEqualTo(3L * p);

      Map<Long, ModelSnapshot> versions = Map.of(1L, v1, 2L, v2, 6L, v6);
      ServingModels.assertMatchesOffline(MODEL, predictions.records(), sampleLog, versions);
      assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
    } finally {
      job.cancel().get(60, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2})
  void rejectsSamplesBeforeTheFirstVersion(int p) throws Exception {
    Topics t = topics("reject", p);
    Path dir = Files.createDirectories(store.resolve("reject-p" + p));
    ModelSnapshot v1 = ServingModels.publish(first, dir, MODEL, 1, 0.80);
    JobClient job = start(t, p, BeforeFirstModel.REJECT, QualityGate.OFF);
    try (KafkaProducer<byte[], byte[]> producer = JobFixture.producer(KAFKA.bootstrapServers());
        TopicTail predictions = new TopicTail(KAFKA.bootstrapServers(), t.predictions);
        TopicTail deadLetters = new TopicTail(KAFKA.bootstrapServers(), t.dlq)) {
      List<String> early = sendSamples(producer, t, "early", 6 * p);
      List<ConsumerRecord<byte[], byte[]>> dead =
          deadLetters.await(r -> r.size() >= early.size(), WAIT, early.size() + " rejections");
      List<DeadLetter> letters = dead.stream().map(r -> decode(deadLetterAvro, r.value())).toList();
      assertThat(letters)
          .allMatch(
              d -> d.getReason().contains("no version of model " + MODEL + " in service yet"));
      assertThat(
              letters.stream()
                  .map(d -> decode(sampleAvro, d.getRawValue().array()).getSampleId())
                  .collect(Collectors.toSet()))
          .containsExactlyInAnyOrderElementsOf(early);
      assertThat(letters)
          .allMatch(d -> d.getSourceTopic().equals(t.samples) && d.getStage().equals("serve"));

      publish(producer, t, v1);
      // Under "reject" a sample that reaches a subtask before the version does is rejected, so wait
      // until every
      // subtask has loaded it (the operator's metric) before sending more.
      awaitCounter(job.getJobID(), "versionsLoaded", p);
      assertThat(
              awaitPredictions(predictions, sendSamples(producer, t, "after-v1", 4 * p)).values())
          .extracting(Prediction::getModelVersion)
          .containsOnly(1L);
      assertThat(byId(predictions.records())).doesNotContainKeys(early.toArray(String[]::new));
      assertThat(counter(job.getJobID(), "samplesRejectedNoModel")).isEqualTo(early.size());
      ServingModels.assertMatchesOffline(MODEL, predictions.records(), sampleLog, Map.of(1L, v1));
    } finally {
      job.cancel().get(60, TimeUnit.SECONDS);
    }
  }

  // ------------------------------------------------------------------------------------------
  // helpers

  private record Topics(String samples, String models, String predictions, String dlq) {}

  /** Every sample sent, by id, to recompute its prediction offline. */
  private final Map<String, MultimodalSample> sampleLog = new LinkedHashMap<>();

  private static Topics topics(String prefix, int p) {
    return new Topics(
        KAFKA.uniqueTopic(prefix + "-samples", p),
        KAFKA.uniqueTopic(prefix + "-models"),
        KAFKA.uniqueTopic(prefix + "-predictions", p),
        KAFKA.uniqueTopic(prefix + "-dlq"));
  }

  private static JobClient start(Topics t, int p, BeforeFirstModel before, QualityGate gate)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    ServingJob.build(
        env,
        new ServingJobOptions(
            KAFKA.bootstrapServers(),
            t.samples,
            t.models,
            t.predictions,
            t.dlq,
            "it-" + UUID.randomUUID(),
            ServingJobOptions.StartFrom.EARLIEST,
            p,
            Duration.ZERO,
            Duration.ofMillis(5),
            new ServingPolicy(List.of(MODEL), before, 1000, gate),
            null));
    return env.executeAsync("serving-it-p" + p);
  }

  private List<String> sendSamples(
      KafkaProducer<byte[], byte[]> producer, Topics t, String prefix, int n) throws Exception {
    List<String> ids = new ArrayList<>();
    int partitions = producer.partitionsFor(t.samples).size();
    for (int i = 0; i < n; i++) {
      MultimodalSample s = ServingModels.sample(prefix + "-" + i, random);
      sampleLog.put(s.getSampleId(), s);
      ids.add(s.getSampleId());
      producer.send(
          new ProducerRecord<>(
              t.samples,
              i % partitions,
              s.getSampleId().getBytes(StandardCharsets.UTF_8),
              sampleAvro.encode(s)));
    }
    producer.flush();
    return ids;
  }

  /**
   * Sends batches until one is scored entirely by {@code version}. A sample and a model record
   * reach a subtask on different inputs, so samples sent just after a publication may still meet
   * the old version; once a subtask scored with the new one it never goes back, which the last
   * batch and the offline comparison check.
   */
  private void awaitAllOnVersion(
      KafkaProducer<byte[], byte[]> producer,
      TopicTail predictions,
      Topics t,
      String prefix,
      long version)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (int round = 0; ; round++) {
      Map<String, Prediction> batch =
          awaitPredictions(predictions, sendSamples(producer, t, prefix + "-" + round, 4));
      if (batch.values().stream().allMatch(pr -> pr.getModelVersion() == version)) {
        Map<String, Prediction> next =
            awaitPredictions(predictions, sendSamples(producer, t, prefix + "-after", 8));
        assertThat(next.values()).extracting(Prediction::getModelVersion).containsOnly(version);
        return;
      }
      assertThat(System.nanoTime())
          .as("version %d in service everywhere within %s", version, WAIT)
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static void awaitCounter(JobID job, String name, long value) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (counter(job, name) < value) {
      assertThat(System.nanoTime())
          .as("%s reaches %d within %s", name, value, WAIT)
          .isLessThan(deadline);
      Thread.sleep(25);
    }
  }

  /** Flips one byte after the checksum was published. */
  private static void corrupt(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 1] ^= 0x5a;
    Files.write(file, bytes);
  }

  private static Map<String, Prediction> awaitPredictions(TopicTail predictions, List<String> ids)
      throws InterruptedException {
    return ServingOutputs.awaitPredictions(predictions, ids, WAIT);
  }

  private static long counter(JobID job, String name) {
    return ServingOutputs.counter(METRICS, job, name);
  }

  private static void publish(KafkaProducer<byte[], byte[]> producer, Topics t, ModelSnapshot s)
      throws Exception {
    ServingOutputs.publish(producer, t.models(), s);
  }
}
