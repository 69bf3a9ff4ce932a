package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Prediction;
import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.codec.AvroBytes;
import dev.igm.codec.TensorCodec;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.LabeledSample;
import dev.igm.core.train.Scores;
import dev.igm.core.train.TrainerSnapshot;
import dev.igm.jobs.SnapshotPublication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.assertj.core.data.Offset;

/**
 * Small trained models and samples for the serving tests: two feature modalities {@code a} (6) and
 * {@code b} (4), three classes; different seeds give different parameters.
 */
final class ServingModels {
  static final TensorCodec CODEC = TensorCodec.create();

  private ServingModels() {}

  static IgmConfig config(long seed) {
    return IgmConfig.builder()
        .method("igm")
        .addModality(ModalitySpec.features("a", 6))
        .addModality(ModalitySpec.features("b", 4))
        .numClasses(3)
        .headWidths(List.of(16, 8))
        .batchSize(8)
        .phaseBatches(2)
        .lr(0.05)
        .seed(seed)
        .deterministic(true)
        .build();
  }

  /** Trains a model of {@link #config(long)} on 64 synthetic samples and captures it. */
  static TrainerSnapshot trained(long seed) {
    try (IgmTrainer t = new IgmTrainer(config(seed))) {
      Random r = new Random(seed);
      for (int s = 0; s < 64; s++) {
        int y = r.nextInt(3);
        t.offer(new LabeledSample("train-" + s, y, inputs(r, y)));
      }
      return TrainerSnapshot.capture(t, Map.of());
    }
  }

  /**
   * Writes {@code snapshot} to {@code dir/<id>-v<version>.safetensors} and returns the record
   * announcing it.
   */
  static ModelSnapshot publish(
      TrainerSnapshot snapshot, Path dir, String modelId, long version, double validAcc)
      throws IOException {
    return SnapshotPublication.write(
        snapshot,
        dir.resolve(modelId + "-v" + version + ".safetensors"),
        modelId,
        version,
        Map.of("valid.fused.acc", validAcc));
  }

  static float[][] inputs(Random r, int y) {
    float[] a = new float[6];
    float[] b = new float[4];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) ((i % 3 == y ? 1.5 : 0) + 0.5 * r.nextGaussian());
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) ((i == y ? 0.7 : 0) + r.nextGaussian());
    }
    return new float[][] {a, b};
  }

  static MultimodalSample sample(String id, Random r) {
    int y = r.nextInt(3);
    float[][] in = inputs(r, y);
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("a", CODEC.encodeFloat32(in[0], 6));
    m.put("b", CODEC.encodeFloat32(in[1], 4));
    return MultimodalSample.newBuilder()
        .setSampleId(id)
        .setStream("it")
        .setSplit(Split.TEST)
        .setLabel(y)
        .setEventTime(Instant.now())
        .setModalities(m)
        .build();
  }

  /** Reference models restored offline from the snapshot files, by file URI. */
  private static final Map<String, IgmTrainer> REFERENCE = new HashMap<>();

  /**
   * Every prediction is of {@code modelId} and equals what its named version's file computes
   * offline (1e-6).
   */
  static void assertMatchesOffline(
      String modelId,
      List<ConsumerRecord<byte[], byte[]>> records,
      Map<String, MultimodalSample> samples,
      Map<Long, ModelSnapshot> versions)
      throws IOException {
    AvroBytes<Prediction> avro = AvroBytes.of(Prediction.class);
    assertThat(records).isNotEmpty();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      Prediction p = avro.decode(r.value());
      assertThat(p.getModelId()).isEqualTo(modelId);
      ModelSnapshot named = versions.get(p.getModelVersion());
      assertThat(named)
          .as("prediction %s names a served version (%d)", p.getSampleId(), p.getModelVersion())
          .isNotNull();
      MultimodalSample sample = samples.get(p.getSampleId());
      Scores expected =
          reference(named)
              .score(
                  Collections.singletonList(
                      new float[][] {
                        CODEC.toFloatArray(sample.getModalities().get("a")),
                        CODEC.toFloatArray(sample.getModalities().get("b"))
                      }));
      assertClose(p.getFusedProbabilities(), expected.fused(0), p.getSampleId() + " fused");
      assertClose(
          p.getModalityProbabilities().get("a"), expected.modality(0, 0), p.getSampleId() + " a");
      assertClose(
          p.getModalityProbabilities().get("b"), expected.modality(1, 0), p.getSampleId() + " b");
      assertThat(p.getLabel()).isEqualTo(sample.getLabel());
      assertThat(p.getEventTime()).isEqualTo(sample.getEventTime());
    }
  }

  static void closeReferences() {
    REFERENCE.values().forEach(IgmTrainer::close);
    REFERENCE.clear();
  }

  private static IgmTrainer reference(ModelSnapshot s) {
    return REFERENCE.computeIfAbsent(
        s.getUri(),
        uri -> {
          try {
            return TrainerSnapshot.read(Path.of(URI.create(uri))).restore();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private static void assertClose(List<Float> actual, float[] expected, String what) {
    assertThat(actual).as(what).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) actual.get(i))
          .as("%s[%d]", what, i)
          .isCloseTo(expected[i], Offset.offset(1e-6));
    }
  }
}
