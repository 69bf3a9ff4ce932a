package dev.igm.compat;

import dev.igm.avro.Prediction;
import dev.igm.avro.Split;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.IgmConfigBuilder;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.ingest.ValidSample;
import dev.igm.core.model.Rng;
import dev.igm.core.train.LabeledSample;
import dev.igm.flink.ModelSample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state files of the first release (written by {@link Release1Writer} with the code of that
 * release, kept under {@code src/test/resources/compat/release-1}) and the streams they were
 * trained on, so that a test can restore a file and continue it on exactly the samples that an
 * uninterrupted run sees next.
 *
 * <p>Nothing here may change: the checked-in files were trained on these exact samples and
 * configurations.
 */
public final class Release1 {
  private Release1() {}

  /**
   * Where the files live (read from the test classpath's source folder, so the writer and the tests
   * agree).
   */
  public static final Path DIR = Path.of("src/test/resources/compat/release-1");

  // ------------------------------------------------------------------------------------------
  // trainer snapshots

  /**
   * Trainer variants with a snapshot file each: method and schedule paths that persist different
   * state.
   */
  public static final List<String> TRAINER_VARIANTS =
      List.of("igm", "igm-reference", "mla", "joint-adam", "igm-nosam-interleaved");

  /**
   * Samples trained before the snapshot: 10 full mini-batches of 16 and 5 pending, mid-phase
   * (phases of 3).
   */
  public static final int TRAINER_CUT = 16 * 10 + 5;

  /** Samples of the whole stream. */
  public static final int TRAINER_TOTAL = 16 * 22 + 3;

  /**
   * A model shaped like the bundled segment data: views of 9 and 10 features, 7 classes, a smaller
   * head.
   */
  public static IgmConfig trainerConfig(String variant) {
    String method =
        switch (variant) {
          case "igm", "igm-reference" -> "igm";
          case "mla" -> "mla";
          case "joint-adam" -> "joint";
          case "igm-nosam-interleaved" -> "igm-nosam";
          default -> throw new IllegalArgumentException(variant);
        };
    IgmConfigBuilder b =
        IgmConfig.builder()
            .method(method)
            .addModality(ModalitySpec.features("shape", 9))
            .addModality(ModalitySpec.features("colour", 10))
            .numClasses(7)
            .headWidths(List.of(32, 16))
            .batchSize(16)
            .phaseBatches(3)
            .tRefreshBatches(2)
            .lr(0.05)
            .seed(11)
            .deterministic(true);
    switch (variant) {
      case "igm-reference" -> b.samVariant(IgmConfig.SamVariant.REFERENCE);
      case "mla" -> b.mlaBatchesPerEpoch(7);
      case "joint-adam" -> b.optimizer(IgmConfig.OptimizerKind.ADAM).lr(0.005).lrDecay(12, 0.5);
      case "igm-nosam-interleaved" ->
          b.schedule(IgmConfig.Schedule.INTERLEAVED)
              .covarianceReset(IgmConfig.CovarianceReset.NEVER)
              .covarianceDecay(0.9);
      default -> {}
    }
    return b.build();
  }

  public static Path trainerFile(String variant) {
    return DIR.resolve("trainer-" + variant + ".safetensors");
  }

  /**
   * Seven classes over two views: {@code shape} (9 values) weakly informative, {@code colour} (10
   * values) strongly, as in the segment data.
   */
  public static List<LabeledSample> samples(int n, long seed) {
    Rng rng = new Rng(seed);
    List<LabeledSample> out = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      int y = rng.nextInt(7);
      float[] shape = new float[9];
      float[] colour = new float[10];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = (float) ((i % 7 == y ? 0.8 : 0) + rng.nextGaussian());
      }
      for (int i = 0; i < colour.length; i++) {
        colour[i] = (float) ((i % 7 == y ? 2.0 : 0) + 0.6 * rng.nextGaussian());
      }
      out.add(new LabeledSample("s" + s, y, new float[][] {shape, colour}));
    }
    return out;
  }

  public static List<LabeledSample> trainerStream() {
    return samples(TRAINER_TOTAL, 2024);
  }

  // ------------------------------------------------------------------------------------------
  // operator checkpoint

  /**
   * The training operator's checkpoint (an {@code OperatorSubtaskState} of a keyed harness, heap
   * state backend).
   */
  public static Path operatorFile() {
    return DIR.resolve("trainer-operator.checkpoint");
  }

  /**
   * SHA-256 over the predictions the operator emitted before the checkpoint (Avro binary, in
   * order): a run that reproduces it computes as the machine that wrote the checkpoint did.
   */
  public static Path operatorPredictionsDigest() {
    return DIR.resolve("trainer-operator.predictions.sha256");
  }

  public static String digest(List<Prediction> predictions) throws java.io.IOException {
    java.security.MessageDigest d;
    try {
      d = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (Prediction p : predictions) {
      d.update(p.toByteBuffer());
    }
    return java.util.HexFormat.of().formatHex(d.digest());
  }

  /** The checkpoint's id. */
  public static final long OPERATOR_CHECKPOINT_ID = 5;

  /** Elements of the operator stream processed before the checkpoint. */
  public static final int OPERATOR_CUT = 2 * (16 * 5 + 7) + 9;

  /** Two models trained side by side by one operator: keys {@code igm} and {@code joint}. */
  public static Map<String, IgmConfig> operatorModels() {
    Map<String, IgmConfig> m = new LinkedHashMap<>();
    m.put("igm", trainerConfig("igm"));
    m.put(
        "joint",
        trainerConfig("joint-adam").toBuilder()
            .optimizer(IgmConfig.OptimizerKind.SGD)
            .lr(0.05)
            .lrDecay(0, 0.1)
            .build());
    return m;
  }

  /**
   * The operator's input: both models' samples interleaved (igm, joint, igm, ...), every fifth
   * sample of each a VALID sample (scored, never trained), timestamps = event times.
   */
  public static List<ModelSample> operatorStream() {
    List<LabeledSample> data = samples(16 * 12 + 4, 77);
    List<ModelSample> out = new ArrayList<>();
    for (int s = 0; s < data.size(); s++) {
      LabeledSample l = data.get(s);
      Split split = s % 5 == 4 ? Split.VALID : Split.TRAIN;
      for (String id : operatorModels().keySet()) {
        ValidSample v =
            new ValidSample(id + "-" + l.id(), split, l.label(), 1_000L * s, l.inputs());
        out.add(ModelSample.of(id, v, s / 50));
      }
    }
    return out;
  }
}
