package dev.igm.core.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Prediction;
import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.LabeledSample;
import dev.igm.core.train.Scores;
import dev.igm.core.train.TrainerSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Batched scoring: every sample of a batch as the offline model scores it alone; bad samples do not
 * spoil the rest.
 */
class ServingModelTest {

  @Test
  void aBatchScoresEachSampleAsTheRestoredSnapshotScoresItAlone() throws Exception {
    TrainerSnapshot snap = ServeFixtures.trained(3);
    Random r = new Random(9);
    try (ServingModel model = load(snap);
        IgmTrainer reference = snap.restore()) {
      for (int size :
          new int[] {1, 7, 64, 300}) { // 300: more rows than any batch before, so the buffers grow
        List<float[][]> in = new ArrayList<>();
        List<MultimodalSample> batch = new ArrayList<>();
        for (int s = 0; s < size; s++) {
          in.add(ServeFixtures.inputs(r));
          batch.add(ServeFixtures.sample("s" + s, in.get(s)));
        }
        List<ServingModel.Outcome> out = model.score(batch);
        assertThat(out).hasSize(size).allMatch(ServingModel.Outcome::scored);
        for (int s = 0; s < size; s++) {
          assertMatches(
              out.get(s).prediction(),
              reference.score(Collections.singletonList(in.get(s))),
              "size " + size);
          assertThat(out.get(s).prediction().getSampleId()).isEqualTo("s" + s);
        }
        Scores direct = model.scoreInputs(in);
        for (int s = 0; s < size; s++) {
          assertThat(direct.fused(s))
              .containsExactly(floats(out.get(s).prediction().getFusedProbabilities()));
        }
      }
    }
  }

  @Test
  void samplesThatDoNotFitAreRefusedAloneAndTheRestOfTheBatchIsScored() throws Exception {
    TrainerSnapshot snap = ServeFixtures.trained(3);
    Random r = new Random(2);
    try (ServingModel model = load(snap);
        IgmTrainer reference = snap.restore()) {
      List<MultimodalSample> batch = new ArrayList<>();
      List<float[][]> good = new ArrayList<>();
      for (int s = 0; s < 6; s++) {
        good.add(ServeFixtures.inputs(r));
      }
      batch.add(ServeFixtures.sample("g0", good.get(0)));
      MultimodalSample noB = ServeFixtures.sample("no-b", ServeFixtures.inputs(r));
      noB.getModalities().remove("b");
      batch.add(noB);
      batch.add(ServeFixtures.sample("g1", good.get(1)));
      float[][] nan = ServeFixtures.inputs(r);
      nan[1][3] =
          Float
              .POSITIVE_INFINITY; // written into the row before the check finds it: the next sample
      // reuses the row
      batch.add(ServeFixtures.sample("inf", nan));
      batch.add(ServeFixtures.sample("g2", good.get(2)));
      MultimodalSample int64 = ServeFixtures.sample("int64", ServeFixtures.inputs(r));
      int64.getModalities().put("a", ServeFixtures.CODEC.encodeInt64(new long[6], 6));
      batch.add(int64);
      batch.add(ServeFixtures.sample("g3", good.get(3)));
      MultimodalSample f16 = ServeFixtures.sample("f16", good.get(4));
      f16.getModalities().put("b", ServeFixtures.CODEC.encodeFloat16(good.get(4)[1], 4));
      batch.add(f16);

      List<ServingModel.Outcome> out = model.score(batch);
      assertThat(out)
          .extracting(ServingModel.Outcome::scored)
          .containsExactly(true, false, true, false, true, false, true, true);
      assertThat(out.get(1).refusal()).contains("has no modality 'b'");
      assertThat(out.get(3).refusal()).contains("non-finite value Infinity");
      assertThat(out.get(5).refusal()).contains("modality a");
      int[] goodAt = {0, 2, 4, 6};
      for (int k = 0; k < goodAt.length; k++) {
        assertMatches(
            out.get(goodAt[k]).prediction(),
            reference.score(Collections.singletonList(good.get(k))),
            "g" + k);
      }
      // float16 inputs are scored as their float32 values
      float[][] halved = {
        good.get(4)[0], ServeFixtures.CODEC.toFloatArray(f16.getModalities().get("b"))
      };
      assertMatches(
          out.get(7).prediction(), reference.score(Collections.singletonList(halved)), "f16");

      List<MultimodalSample> allBad = List.of(noB, int64);
      assertThat(model.score(allBad)).noneMatch(ServingModel.Outcome::scored);
    }
  }

  @Test
  void jointAndWeightedFusionAreTheTrainersOwn() throws Exception {
    for (IgmConfig config :
        List.of(
            ServeFixtures.config(5).toBuilder().method("joint").build(),
            ServeFixtures.config(5).toBuilder().fusionWeights(List.of(0.3, 0.7)).build())) {
      TrainerSnapshot snap;
      try (IgmTrainer t = new IgmTrainer(config)) {
        Random r = new Random(5);
        for (int s = 0; s < 32; s++) {
          t.offer(new LabeledSample("s" + s, s % 3, ServeFixtures.inputs(r)));
        }
        snap = TrainerSnapshot.capture(t, Map.of());
      }
      Random r = new Random(6);
      try (ServingModel model = load(snap);
          IgmTrainer reference = snap.restore()) {
        List<float[][]> in = new ArrayList<>();
        List<MultimodalSample> batch = new ArrayList<>();
        for (int s = 0; s < 16; s++) {
          in.add(ServeFixtures.inputs(r));
          batch.add(ServeFixtures.sample("s" + s, in.get(s)));
        }
        List<ServingModel.Outcome> out = model.score(batch);
        for (int s = 0; s < 16; s++) {
          assertMatches(
              out.get(s).prediction(),
              reference.score(Collections.singletonList(in.get(s))),
              config.methodName());
        }
      }
    }
  }

  @Test
  void aResNetModalityIsScoredWithItsTrainedBatchNormStatistics() throws Exception {
    int size = 16;
    IgmConfig config =
        IgmConfig.builder()
            .method("igm-nosam")
            .addModality(
                new ModalitySpec(
                    "spec", List.of(1, size, size), "resnet18", List.of(), null, false))
            .addModality(ModalitySpec.features("feat", 4))
            .numClasses(3)
            .headWidths(List.of(16, 8))
            .batchSize(8)
            .phaseBatches(2)
            .lr(0.02)
            .seed(3)
            .deterministic(true)
            .build();
    Random r = new Random(4);
    TrainerSnapshot snap;
    try (IgmTrainer t = new IgmTrainer(config)) {
      for (int s = 0;
          s < 16;
          s++) { // two batches: the running statistics move away from their initial values
        t.offer(new LabeledSample("s" + s, s % 3, spectrogram(r, size)));
      }
      snap = TrainerSnapshot.capture(t, Map.of());
    }
    try (ServingModel model = load(snap);
        IgmTrainer reference = snap.restore()) {
      List<float[][]> in = new ArrayList<>();
      List<MultimodalSample> batch = new ArrayList<>();
      for (int s = 0; s < 5; s++) {
        in.add(spectrogram(r, size));
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("spec", ServeFixtures.CODEC.encodeFloat32(in.get(s)[0], 1, size, size));
        m.put("feat", ServeFixtures.CODEC.encodeFloat32(in.get(s)[1], 4));
        batch.add(
            MultimodalSample.newBuilder()
                .setSampleId("x" + s)
                .setSplit(Split.TEST)
                .setLabel(0)
                .setEventTime(Instant.EPOCH)
                .setModalities(m)
                .build());
      }
      List<ServingModel.Outcome> out = model.score(batch);
      for (int s = 0; s < 5; s++) {
        Scores expected = reference.score(Collections.singletonList(in.get(s)));
        List<Float> spec = out.get(s).prediction().getModalityProbabilities().get("spec");
        for (int c = 0; c < 3; c++) {
          assertThat((double) spec.get(c))
              .isCloseTo(expected.modality(0, 0)[c], Offset.offset(1e-5));
        }
      }
    }
  }

  private static float[][] spectrogram(Random r, int size) {
    float[] image = new float[size * size];
    for (int i = 0; i < image.length; i++) {
      image[i] = (float) r.nextGaussian();
    }
    float[] features = new float[4];
    for (int i = 0; i < features.length; i++) {
      features[i] = (float) r.nextGaussian();
    }
    return new float[][] {image, features};
  }

  private static ServingModel load(TrainerSnapshot snap) throws Exception {
    ModelSnapshot record = ServeFixtures.record(snap, "mem://v1", 1, Map.of());
    return ServingModel.load(record, snap.tensors());
  }

  private static void assertMatches(Prediction p, Scores expected, String what) {
    int c = expected.classes();
    for (int k = 0; k < c; k++) {
      assertThat((double) p.getFusedProbabilities().get(k))
          .as("%s %s fused[%d]", what, p.getSampleId(), k)
          .isCloseTo(expected.fused(0)[k], Offset.offset(1e-6));
    }
    int j = 0;
    for (List<Float> probabilities : p.getModalityProbabilities().values()) {
      for (int k = 0; k < c; k++) {
        assertThat((double) probabilities.get(k))
            .as("%s %s modality %d [%d]", what, p.getSampleId(), j, k)
            .isCloseTo(expected.modality(j, 0)[k], Offset.offset(1e-6));
      }
      j++;
    }
    assertThat(p.getPredicted()).isEqualTo(ServingModel.argmax(expected.fused(0)));
  }

  private static float[] floats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
