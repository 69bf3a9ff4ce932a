package dev.igm.core.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.codec.TensorCodec;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.LabeledSample;
import dev.igm.core.train.TrainerSnapshot;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A small trained two-modality model (a: 6, b: 4, three classes), its snapshot record, and samples
 * for it; the serving operator's tests use the same model.
 */
public final class ServeFixtures {
  static final TensorCodec CODEC = TensorCodec.create();

  private ServeFixtures() {}

  public static IgmConfig config(long seed) {
    return IgmConfig.builder()
        .method("igm-nosam")
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

  /** A model of {@link #config} trained on 48 synthetic samples. */
  public static TrainerSnapshot trained(long seed) {
    try (IgmTrainer t = new IgmTrainer(config(seed))) {
      Random r = new Random(seed);
      for (int s = 0; s < 48; s++) {
        t.offer(new LabeledSample("s" + s, s % 3, inputs(r)));
      }
      return TrainerSnapshot.capture(t, Map.of());
    }
  }

  static ModelSnapshot record(
      TrainerSnapshot snap, String uri, long version, Map<String, Double> metrics)
      throws Exception {
    return ModelSnapshot.newBuilder()
        .setModelId("m")
        .setVersion(version)
        .setMethod("igm-nosam")
        .setCreatedAt(Instant.EPOCH)
        .setUri(uri)
        .setSha256(snap.sha256())
        .setConfig(new ObjectMapper().writeValueAsString(snap.metadataMap().get("config")))
        .setMetrics(metrics)
        .build();
  }

  public static float[][] inputs(Random r) {
    float[] a = new float[6];
    float[] b = new float[4];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) r.nextGaussian();
    }
    return new float[][] {a, b};
  }

  static MultimodalSample sample(String id, float[][] in) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("a", CODEC.encodeFloat32(in[0], in[0].length));
    m.put("b", CODEC.encodeFloat32(in[1], in[1].length));
    return MultimodalSample.newBuilder()
        .setSampleId(id)
        .setSplit(Split.TEST)
        .setLabel(1)
        .setEventTime(Instant.ofEpochMilli(123))
        .setModalities(m)
        .build();
  }
}
