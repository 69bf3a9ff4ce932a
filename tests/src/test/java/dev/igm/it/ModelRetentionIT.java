package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.ModelSnapshot;
import dev.igm.cli.ServeCommand;
import dev.igm.core.serve.QualityGate;
import dev.igm.core.serve.ServingPolicy;
import dev.igm.jobs.ServingJob;
import dev.igm.jobs.ServingJobOptions;
import dev.igm.jobs.TrainingData;
import dev.igm.jobs.TrainingJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model store keeps {@code model.store.keep} versions per model plus the version a serving job
 * has in service: a running training job publishes eleven versions of each model with {@code
 * model.store.keep=3}; a serving job puts the third in service (its marker goes to the store) and
 * is stopped, as a serving job that will restore from its checkpoint is. In the end the store holds
 * exactly the newest three versions of each model, plus that third version of the served model, and
 * nothing else, while the models topic announced all eleven.
 */
class ModelRetentionIT {
  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  @TempDir static Path scratch;

  @Test
  void storeKeepsTheNewestVersionsAndTheOneInService() throws Exception {
    JobFixture.Topics t = JobFixture.Topics.create(KAFKA);
    Path store = scratch.resolve("models");
    JobClient training =
        TrainingJob.start(
            JobFixture.config(
                KAFKA,
                t,
                scratch,
                JobFixture.uniqueGroup("retention"),
                "input.bounded=false",
                "snapshot.every.batches=5",
                "model.store.keep=3"));
    try {
      // 300 TRAIN rows: 18 batches per model, versions 5, 10 and 15
      TrainingData.produce(
          KAFKA.bootstrapServers(),
          t.samples(),
          TrainingData.segment(300, 0, 1, 7).encodedRecords());
      awaitCommittedVersion(t, 15);

      String group = "retention-serve";
      StreamExecutionEnvironment env =
          ServeCommand.embeddedEnvironment(1, scratch.resolve("serve-tmp"), null);
      ServingJob.build(
          env,
          new ServingJobOptions(
              KAFKA.bootstrapServers(),
              t.samples(),
              t.models(),
              KAFKA.uniqueTopic("retention-predictions"),
              KAFKA.uniqueTopic("retention-serve-dlq"),
              group,
              ServingJobOptions.StartFrom.LATEST,
              1,
              Duration.ofSeconds(5),
              Duration.ofMillis(5),
              new ServingPolicy(
                  List.of("igm"), ServingPolicy.BeforeFirstModel.HOLD, 100, QualityGate.OFF),
              Map.of()));
      JobClient serving = env.executeAsync(ServingJob.jobName(group));
      Path marker = store.resolve("igm/serving/" + ServingJob.jobName(group) + "-0.version");
      try {
        await(
            () -> Files.exists(marker) && Files.readString(marker).contains("version=15\n"),
            "the serving marker of v15");
      } finally {
        serving.cancel().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
        serving.getJobExecutionResult().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
      }
      assertThat(Files.readString(marker))
          .as("a stopped serving job's marker stays")
          .contains("version=15\n");

      // 2 more epochs: 600 samples + 12 pending = 38 batches more, versions 20 ... 55
      TrainingData.produce(
          KAFKA.bootstrapServers(),
          t.samples(),
          TrainingData.segment(300, 0, 2, 8).encodedRecords());
      awaitCommittedVersion(t, 55);
      // retention runs once a checkpoint has committed v55's record, on the publisher thread
      await(
          () ->
              versions(store, "igm").equals(Set.of(15L, 45L, 50L, 55L))
                  && versions(store, "joint").equals(Set.of(45L, 50L, 55L)),
          "the store to hold the kept versions only");
    } finally {
      training.cancel().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
      training.getJobExecutionResult().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
    }
    List<ModelSnapshot> announced = JobFixture.read(KAFKA, t.models(), 22, ModelSnapshot.class);
    for (String model : List.of("igm", "joint")) {
      assertThat(
              announced.stream()
                  .filter(s -> s.getModelId().equals(model))
                  .map(ModelSnapshot::getVersion)
                  .toList())
          .as("versions of %s announced", model)
          .containsExactly(5L, 10L, 15L, 20L, 25L, 30L, 35L, 40L, 45L, 50L, 55L);
    }
    assertThat(versions(store, "igm"))
        .as("igm: newest 3 + the one in service")
        .containsExactly(15L, 45L, 50L, 55L);
    assertThat(versions(store, "joint")).as("joint: newest 3").containsExactly(45L, 50L, 55L);
    try (Stream<Path> files = Files.list(store.resolve("igm"))) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly(
              "serving",
              "v00000015.json",
              "v00000015.safetensors",
              "v00000045.json",
              "v00000045.safetensors",
              "v00000050.json",
              "v00000050.safetensors",
              "v00000055.json",
              "v00000055.safetensors");
    }
  }

  private static void awaitCommittedVersion(JobFixture.Topics t, long version) throws Exception {
    await(
        () ->
            JobFixture.decode(
                        JobFixture.readCommitted(
                            KAFKA.bootstrapServers(), t.models(), 1, Duration.ofSeconds(2)),
                        ModelSnapshot.class)
                    .stream()
                    .filter(s -> s.getVersion() >= version)
                    .map(ModelSnapshot::getModelId)
                    .distinct()
                    .count()
                == 2,
        "version " + version + " of both models committed");
  }

  /** The versions with a .safetensors file in the model's folder. */
  private static Set<Long> versions(Path store, String model) throws Exception {
    Set<Long> out = new TreeSet<>();
    if (!Files.isDirectory(store.resolve(model))) {
      return out;
    }
    try (Stream<Path> files = Files.list(store.resolve(model))) {
      files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.matches("v\\d{8}\\.safetensors"))
          .forEach(n -> out.add(Long.parseLong(n.substring(1, 9))));
    }
    return out;
  }

  @FunctionalInterface
  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void await(Condition c, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!c.holds()) {
      assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
