package dev.igm.it;

import static dev.igm.it.ServingOutputs.byId;
import static dev.igm.it.ServingOutputs.decode;
import static dev.igm.it.ServingOutputs.publish;
import static dev.igm.it.ServingOutputs.reasons;
import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.DeadLetter;
import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Prediction;
import dev.igm.codec.AvroBytes;
import dev.igm.core.serve.BatchingPolicy;
import dev.igm.core.serve.ModelStoreRoot;
import dev.igm.core.serve.QualityGate;
import dev.igm.core.serve.ServingPolicy;
import dev.igm.core.serve.ServingPolicy.BeforeFirstModel;
import dev.igm.core.train.TrainerSnapshot;
import dev.igm.flink.SnapshotRecords;
import dev.igm.jobs.ServingJob;
import dev.igm.jobs.ServingJobOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Micro-batched serving on a real Kafka broker and a Flink mini cluster: bad records inside a batch
 * go to the dead-letter topic while their batch-mates are scored, every prediction equals the
 * offline recomputation of the version it names, and a version whose file lies outside the model
 * store root is refused while the current one keeps serving.
 */
class ServingBatchIT {
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

  private static final String MODEL = "it-batch";
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir static Path dir;

  private static TrainerSnapshot trained;

  private final AvroBytes<MultimodalSample> sampleAvro = AvroBytes.of(MultimodalSample.class);
  private final AvroBytes<Prediction> predictionAvro = AvroBytes.of(Prediction.class);
  private final AvroBytes<DeadLetter> deadLetterAvro = AvroBytes.of(DeadLetter.class);
  private final Random random = new Random(23);
  private final Map<String, MultimodalSample> sampleLog = new LinkedHashMap<>();

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
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    return METRICS.addToConfiguration(conf);
  }

  @BeforeAll
  static void train() {
    trained = ServingModels.trained(31);
  }

  @AfterAll
  static void closeReferences() {
    ServingModels.closeReferences();
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2})
  void badRecordsInABatchAreDeadLetteredAloneAndVersionsOutsideTheStoreAreRefused(int p)
      throws Exception {
    String samples = KAFKA.uniqueTopic("batch-samples", p);
    String models = KAFKA.uniqueTopic("batch-models");
    String predictions = KAFKA.uniqueTopic("batch-predictions", p);
    String dlq = KAFKA.uniqueTopic("batch-dlq");
    Path root = Files.createDirectories(dir.resolve("p" + p + "/store"));
    ModelSnapshot v1 = ServingModels.publish(trained, root, MODEL, 1, 0.8);

    ServingPolicy policy =
        new ServingPolicy(
            List.of(MODEL),
            BeforeFirstModel.HOLD,
            10_000,
            QualityGate.OFF,
            ModelStoreRoot.of(root.toString(), Path.of("/")));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    ServingJob.build(
        env,
        new ServingJobOptions(
            KAFKA.bootstrapServers(),
            samples,
            models,
            predictions,
            dlq,
            "it-" + UUID.randomUUID(),
            ServingJobOptions.StartFrom.EARLIEST,
            p,
            Duration.ZERO,
            Duration.ofMillis(5),
            policy,
            null,
            new BatchingPolicy(256, Duration.ofMillis(20))));
    JobClient job = env.executeAsync("serving-batch-it-p" + p);
    try (KafkaProducer<byte[], byte[]> producer = JobFixture.producer(KAFKA.bootstrapServers());
        TopicTail predictionTail = new TopicTail(KAFKA.bootstrapServers(), predictions);
        TopicTail deadTail = new TopicTail(KAFKA.bootstrapServers(), dlq)) {
      // 1. Before the first version: held, then scored in one batch per instance when it arrives.
      // One unreadable
      // record per partition behind the burst: once its dead letter is out, its instance has taken
      // in (and held)
      // every sample before it.
      Burst held = sendBurst(producer, samples, "held", 120);
      List<String> probes = sendProbes(producer, samples);
      deadTail.await(
          r -> reasons(r).stream().filter(s -> s.contains("corrupt")).count() == held.corrupt() + p,
          WAIT,
          "dead letters of the corrupt records");
      assertThat(predictionTail.records()).isEmpty();
      long batchesBefore = counter(job.getJobID(), "batches");
      publish(producer, models, v1);
      awaitPredictions(predictionTail, held.good());
      assertThat(counter(job.getJobID(), "batches") - batchesBefore)
          .as("the held samples are scored in one batch per instance")
          .isEqualTo(p);

      // 2. With the version in service: a burst, scored in batches as it arrives.
      long samplesBefore = counter(job.getJobID(), "batchedSamples");
      batchesBefore = counter(job.getJobID(), "batches");
      Burst burst = sendBurst(producer, samples, "burst", 600);
      awaitPredictions(predictionTail, burst.good());
      List<ConsumerRecord<byte[], byte[]>> dead =
          deadTail.await(
              r -> r.size() >= held.bad() + probes.size() + burst.bad(),
              WAIT,
              "dead letters of every bad record");
      long batched = counter(job.getJobID(), "batchedSamples") - samplesBefore;
      long batches = counter(job.getJobID(), "batches") - batchesBefore;
      assertThat(batched).isEqualTo(600);
      assertThat(batches)
          .as("600 samples sent at once are not scored one by one")
          .isLessThan(batched);

      Map<String, String> reasonOf = new LinkedHashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : dead) {
        DeadLetter d = decode(deadLetterAvro, r.value());
        assertThat(reasonOf.put(key(d), d.getReason()))
            .as("one dead letter per record (%s)", key(d))
            .isNull();
      }
      Map<String, String> expected = new LinkedHashMap<>(held.expectedReason());
      probes.forEach(id -> expected.put(id, "corrupt"));
      expected.putAll(burst.expectedReason());
      assertThat(reasonOf.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
      expected.forEach((id, reason) -> assertThat(reasonOf.get(id)).as(id).contains(reason));
      assertThat(reasonOf)
          .allSatisfy(
              (id, reason) ->
                  assertThat(
                          reason.contains("corrupt")
                              || reason.startsWith("model " + MODEL + " v1 cannot score it"))
                      .as(reason)
                      .isTrue());
      Map<String, Prediction> all = byId(predictionTail.records());
      assertThat(all.keySet())
          .containsExactlyInAnyOrderElementsOf(concat(held.good(), burst.good()));
      assertThat(all.values()).extracting(Prediction::getModelVersion).containsOnly(1L);
      ServingModels.assertMatchesOffline(
          MODEL, predictionTail.records(), sampleLog, Map.of(1L, v1));

      // 3. Versions whose files lie outside the store: refused on every instance, v1 keeps serving.
      Path outside = Files.createDirectories(dir.resolve("p" + p + "/outside"));
      ModelSnapshot elsewhere = ServingModels.publish(trained, outside, MODEL, 2, 0.9);
      String rootUri = root.toUri().toString();
      publish(
          producer,
          models,
          moved(elsewhere, 2, rootUri + "../outside/" + MODEL + "-v2.safetensors"));
      publish(
          producer, models, moved(elsewhere, 3, "http://127.0.0.1:9/" + MODEL + "-v2.safetensors"));
      publish(
          producer,
          models,
          moved(elsewhere, 4, outside.resolve(MODEL + "-v2.safetensors").toString()));
      List<String> refusals =
          reasons(
                  deadTail.await(
                      r ->
                          reasons(r).stream()
                                  .filter(s -> s.contains("outside the model store root"))
                                  .count()
                              == 3L * p,
                      WAIT,
                      "3 refusals per instance"))
              .stream()
              .filter(s -> s.contains("outside the model store root"))
              .toList();
      assertThat(refusals).allMatch(s -> s.contains("the current version stays in service"));
      assertThat(refusals)
          .filteredOn(s -> s.contains("version 2 refused"))
          .hasSize(p)
          .allMatch(s -> s.contains("'..'"));
      assertThat(refusals)
          .filteredOn(s -> s.contains("version 3 refused"))
          .hasSize(p)
          .allMatch(s -> s.contains("not on the store's file system"));
      assertThat(refusals)
          .filteredOn(s -> s.contains("version 4 refused"))
          .hasSize(p)
          .allMatch(s -> s.contains("not below"));
      assertThat(counter(job.getJobID(), "versionsOutsideStore")).isEqualTo(3L * p);
      Burst after = sendBurst(producer, samples, "after", 20);
      Map<String, Prediction> afterRefusals = awaitPredictions(predictionTail, after.good());
      assertThat(afterRefusals.values()).extracting(Prediction::getModelVersion).containsOnly(1L);
    } finally {
      job.cancel().get(60, TimeUnit.SECONDS);
    }
  }

  /**
   * bench-serve's bound: the copy job writes every sample record's key and value bytes, unchanged
   * and once, to the output topic (whatever they hold: nothing is decoded).
   */
  @Test
  void theCopyJobCopiesEveryRecordUnchanged() throws Exception {
    int p = 2;
    String samples = KAFKA.uniqueTopic("copy-samples", p);
    String copies = KAFKA.uniqueTopic("copy-out", p);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    ServingJob.buildPassthrough(
        env,
        new ServingJobOptions(
            KAFKA.bootstrapServers(),
            samples,
            KAFKA.uniqueTopic("copy-unused-models"),
            copies,
            KAFKA.uniqueTopic("copy-unused-dlq"),
            "it-" + UUID.randomUUID(),
            ServingJobOptions.StartFrom.EARLIEST,
            p,
            Duration.ZERO,
            Duration.ofMillis(5),
            null,
            null,
            null));
    JobClient job = env.executeAsync("serving-copy-it");
    Map<String, String> sent = new LinkedHashMap<>();
    try (KafkaProducer<byte[], byte[]> producer = JobFixture.producer(KAFKA.bootstrapServers());
        TopicTail tail = new TopicTail(KAFKA.bootstrapServers(), copies)) {
      for (int i = 0; i < 300; i++) {
        byte[] value = new byte[random.nextInt(200)];
        random.nextBytes(value);
        String key = "copy-" + i;
        sent.put(key, HexFormat.of().formatHex(value));
        producer.send(
            new ProducerRecord<>(samples, i % p, key.getBytes(StandardCharsets.UTF_8), value));
      }
      producer.flush();
      List<ConsumerRecord<byte[], byte[]>> out =
          tail.await(r -> r.size() >= sent.size(), WAIT, "300 copies");
      Thread.sleep(500); // a duplicate would come right behind
      Map<String, String> got = new LinkedHashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : tail.records()) {
        String key = new String(r.key(), StandardCharsets.UTF_8);
        assertThat(got.put(key, HexFormat.of().formatHex(r.value())))
            .as("one copy of %s", key)
            .isNull();
      }
      assertThat(out).hasSizeGreaterThanOrEqualTo(sent.size());
      assertThat(got).isEqualTo(sent);
    } finally {
      job.cancel().get(60, TimeUnit.SECONDS);
    }
  }

  // ------------------------------------------------------------------------------------------
  // helpers

  /**
   * Samples sent in one go: the good ones' ids, and per bad one its id and the reason its dead
   * letter must give.
   */
  private record Burst(
      List<String> good, List<String> badIds, Map<String, String> expectedReason, int corrupt) {
    int bad() {
      return badIds.size();
    }
  }

  /**
   * Sends {@code n} records at once, round robin over the partitions; every 7th is bad in one of
   * four ways (corrupt bytes, a missing modality, a NaN, a wrong size).
   */
  private Burst sendBurst(
      KafkaProducer<byte[], byte[]> producer, String topic, String prefix, int n) throws Exception {
    List<String> good = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    Map<String, String> reason = new LinkedHashMap<>();
    int corrupt = 0;
    int partitions = producer.partitionsFor(topic).size();
    for (int i = 0; i < n; i++) {
      String id = prefix + "-" + i;
      byte[] value;
      if (i % 7 == 3) {
        int kind = (i / 7) % 4;
        MultimodalSample s = ServingModels.sample(id, random);
        switch (kind) {
          case 0 -> {
            value = new byte[] {9, 9, 9};
            reason.put(id, "corrupt");
            corrupt++;
          }
          case 1 -> {
            s.getModalities().remove("b");
            value = sampleAvro.encode(s);
            reason.put(id, "has no modality 'b'");
          }
          case 2 -> {
            float[] a = ServingModels.CODEC.toFloatArray(s.getModalities().get("a"));
            a[2] = Float.NaN;
            s.getModalities().put("a", ServingModels.CODEC.encodeFloat32(a, a.length));
            value = sampleAvro.encode(s);
            reason.put(id, "non-finite value NaN");
          }
          default -> {
            s.getModalities().put("b", ServingModels.CODEC.encodeFloat32(new float[5], 5));
            value = sampleAvro.encode(s);
            reason.put(id, "has 5 values, the model takes 4");
          }
        }
        bad.add(id);
      } else {
        MultimodalSample s = ServingModels.sample(id, random);
        sampleLog.put(id, s);
        good.add(id);
        value = sampleAvro.encode(s);
      }
      producer.send(
          new ProducerRecord<>(topic, i % partitions, id.getBytes(StandardCharsets.UTF_8), value));
    }
    producer.flush();
    return new Burst(good, bad, reason, corrupt);
  }

  /** One unreadable record per partition, keyed {@code probe-<n>}. */
  private List<String> sendProbes(KafkaProducer<byte[], byte[]> producer, String topic)
      throws Exception {
    List<String> ids = new ArrayList<>();
    int partitions = producer.partitionsFor(topic).size();
    for (int part = 0; part < partitions; part++) {
      String id = "probe-" + UUID.randomUUID().toString().substring(0, 6);
      producer
          .send(
              new ProducerRecord<>(
                  topic, part, id.getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3}))
          .get();
      ids.add(id);
    }
    return ids;
  }

  private static String key(DeadLetter d) {
    java.nio.ByteBuffer b = d.getRawKey().duplicate();
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static ModelSnapshot moved(ModelSnapshot s, long version, String uri) {
    return SnapshotRecords.announce(
        s.getModelId(), version, s.getMethod(), uri, s.getSha256(), s.getConfig(), s.getMetrics());
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static Map<String, Prediction> awaitPredictions(TopicTail predictions, List<String> ids)
      throws InterruptedException {
    return ServingOutputs.awaitPredictions(predictions, ids, WAIT);
  }

  private static long counter(JobID job, String name) {
    return ServingOutputs.counter(METRICS, job, name);
  }
}
