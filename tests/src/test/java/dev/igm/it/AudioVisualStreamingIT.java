package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.Prediction;
import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.avro.TrainingMetrics;
import dev.igm.cli.CremaFolder;
import dev.igm.cli.IgmCli;
import dev.igm.codec.TensorCodec;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.LabeledSample;
import dev.igm.core.train.TrainerSnapshot;
import dev.igm.data.ReplayPlan;
import dev.igm.data.layout.DatasetLayout;
import dev.igm.data.layout.LayoutOptions;
import dev.igm.data.layout.LayoutSource;
import dev.igm.data.layout.PaperLayouts;
import dev.igm.jobs.TrainJobConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The paper's setting end to end on a tiny generated CREMA-D-layout folder: {@code igm replay
 * --layout cremad} (reduced spectrogram, two frames per clip) to a real broker, {@code igm train
 * --config config/train-cremad.yaml} (models igm and joint, both modalities on ResNet-18,
 * deterministic; tiny input shapes set with {@code --set}) trains it, and each model's final
 * tensors are bit-identical to an offline {@link IgmTrainer} fed the same layout's samples in the
 * replay's order, and to what {@code igm fit --layout} on the same layout, options and seed writes.
 */
@Timeout(480) // a hung job must fail CI, not stall it (a minute on a quiet 2-core machine)
class AudioVisualStreamingIT {
  private static final Logger LOG = LoggerFactory.getLogger(AudioVisualStreamingIT.class);
  private static final int TRAIN = 12;
  private static final int TEST = 6;
  private static final int EPOCHS = 2;
  private static final long SHUFFLE_SEED =
      42; // the models' seed in config/train-cremad.yaml: igm fit's --seed is both
  private static final LayoutOptions OPTIONS =
      new LayoutOptions(16, 50, new LayoutOptions.GridSize(32, 24), 2);
  private static final int BATCH = 4; // 24 TRAIN records: 6 batches, none pending

  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  @TempDir Path scratch;

  @Test
  void replayedCremaLayoutTrainsBothResNetsAndEqualsTheOfflineRun() throws Exception {
    long t0 = System.nanoTime();
    Path root = CremaFolder.write(scratch.resolve("crema"), TRAIN, TEST, 2, 24, 3);
    JobFixture.Topics topics = JobFixture.Topics.create(KAFKA);
    int code =
        IgmCli.run(
            CremaFolder.command(
                "replay",
                root,
                "--valid-fraction",
                "0",
                "--epochs",
                Integer.toString(EPOCHS),
                "--shuffle-seed",
                Long.toString(SHUFFLE_SEED),
                "--bootstrap",
                KAFKA.bootstrapServers(),
                "--topic",
                topics.samples(),
                "--no-progress"));
    assertThat(code).as("igm replay exit code").isZero();

    List<String> overrides =
        new ArrayList<>(
            JobFixture.overrides(
                KAFKA.bootstrapServers(), topics, scratch, JobFixture.uniqueGroup("av")));
    overrides.addAll(
        List.of(
            "model.defaults.modalities=[{name: audio, input.shape: [1, 32, 24], encoder: resnet18},"
                + " {name: visual, input.shape: [3, 2, 16, 16], encoder: resnet18}]",
            "model.defaults.batch.size=" + BATCH,
            "model.defaults.phase.batches=2",
            "model.defaults.head.widths=[32, 16]",
            "snapshot.every.batches=4",
            "metrics.every.batches=4",
            // each model's keyed state is ~180 MB (two trunks, momentum, covariances): checkpoint
            // it rarely
            "flink.execution.checkpointing.interval=30s"));
    Path yaml = JobFixture.projectRoot().resolve("config/train-cremad.yaml");
    TrainJobConfig config = TrainJobConfig.load(yaml, overrides);
    assertThat(config.models().keySet()).containsExactly("igm", "joint");
    List<String> train = new ArrayList<>(List.of("train", "--config", yaml.toString()));
    overrides.forEach(o -> train.addAll(List.of("--set", o)));
    assertThat(IgmCli.run(train.toArray(String[]::new))).as("igm train exit code").isZero();
    long trained = System.nanoTime();

    int batches = TRAIN * EPOCHS / BATCH;
    List<ModelSnapshot> snapshots = JobFixture.read(KAFKA, topics.models(), 4, ModelSnapshot.class);
    List<Prediction> predictions =
        JobFixture.read(KAFKA, topics.predictions(), (TRAIN * EPOCHS + TEST) * 2, Prediction.class);
    List<TrainingMetrics> metrics =
        JobFixture.read(KAFKA, topics.metrics(), 4, TrainingMetrics.class);
    List<LabeledSample> samples = offlineSamples(root, config.models().get("igm"));
    assertThat(samples).hasSize(TRAIN * EPOCHS);
    for (String id : config.models().keySet()) {
      IgmConfig model = config.models().get(id);
      assertThat(model.modalities())
          .extracting(m -> m.encoder())
          .containsExactly("resnet18", "resnet18");
      try (IgmTrainer offline = new IgmTrainer(model)) {
        samples.forEach(offline::offer);
        ModelSnapshot last =
            snapshots.stream()
                .filter(s -> s.getModelId().equals(id))
                .max(Comparator.comparingLong(ModelSnapshot::getVersion))
                .orElseThrow();
        assertThat(
                snapshots.stream()
                    .filter(s -> s.getModelId().equals(id))
                    .map(ModelSnapshot::getVersion))
            .containsExactly(4L, (long) batches);
        assertThat(offline.batches()).isEqualTo(batches);
        assertThat(offline.refusedSteps()).isZero();
        assertThat(last.getSha256())
            .as("model %s: streaming vs offline tensors", id)
            .isEqualTo(JobFixture.sha256(offline));
        Path file = Paths.get(URI.create(last.getUri()));
        LOG.info("model {}: snapshot {} bytes (two ResNet-18 trunks)", id, Files.size(file));
        TrainingMetrics fin =
            metrics.stream()
                .filter(m -> m.getModelId().equals(id))
                .max(
                    Comparator.comparingLong(TrainingMetrics::getBatches)
                        .thenComparingLong(m -> m.getTime().toEpochMilli()))
                .orElseThrow();
        assertThat(fin.getSamplesTrained()).isEqualTo(TRAIN * EPOCHS);
        assertThat(fin.getDeadLetters())
            .as("every replayed record fits the model's shapes")
            .isZero();
      }
    }
    // igm fit on the same layout, layout options, order seed and knobs trains the same models, bit
    // for bit
    Path fitOut = scratch.resolve("fit");
    int fitCode =
        IgmCli.run(
            CremaFolder.command(
                "fit",
                root,
                "--valid-fraction",
                "0",
                "--methods",
                "igm,joint",
                "--epochs",
                Integer.toString(EPOCHS),
                "--seed",
                Long.toString(SHUFFLE_SEED),
                "--batch-size",
                Integer.toString(BATCH),
                "--lr",
                "0.01",
                "--set",
                "momentum=0.9",
                "--set",
                "weight-decay=0.0001",
                "--set",
                "phase.batches=2",
                "--set",
                "head.widths=32,16",
                "--quiet",
                "--out",
                fitOut.toString()));
    assertThat(fitCode).as("igm fit --layout exit code").isZero();
    for (String id : config.models().keySet()) {
      ModelSnapshot last =
          snapshots.stream()
              .filter(s -> s.getModelId().equals(id))
              .max(Comparator.comparingLong(ModelSnapshot::getVersion))
              .orElseThrow();
      String fitted =
          TrainerSnapshot.read(fitOut.resolve(id).resolve("model.safetensors")).sha256();
      assertThat(fitted)
          .as("model %s: igm fit --layout vs the streaming job", id)
          .isEqualTo(last.getSha256());
    }
    assertThat(predictions).hasSize((TRAIN * EPOCHS + TEST) * 2);
    assertThat(predictions.stream().filter(p -> p.getSplit() == Split.TEST)).hasSize(TEST * 2);
    LOG.info(
        "AV streaming: replay + job {} ms, whole test {} ms",
        (trained - t0) / 1_000_000,
        (System.nanoTime() - t0) / 1_000_000);
  }

  /**
   * The layout's TRAIN samples in the replay's order, decoded as the replay decodes them, in the
   * model's modality order.
   */
  private static List<LabeledSample> offlineSamples(Path root, IgmConfig model) {
    DatasetLayout layout = PaperLayouts.open("cremad", root, OPTIONS);
    LayoutSource source = new LayoutSource(layout);
    TensorCodec codec = TensorCodec.create();
    List<LabeledSample> out = new ArrayList<>();
    for (ReplayPlan.Entry e :
        ReplayPlan.of(source.index(), EPOCHS, SHUFFLE_SEED, false).entries()) {
      if (!e.trains()) {
        continue;
      }
      Map<String, Tensor> t = source.tensors(e.row());
      float[][] in = new float[model.modalityCount()][];
      for (int j = 0; j < in.length; j++) {
        in[j] = codec.toFloatArray(t.get(model.modalities().get(j).name()));
      }
      out.add(new LabeledSample(e.sampleId(), e.row().label(), in));
    }
    return out;
  }
}
