package dev.igm.core.serve;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Prediction;
import dev.igm.codec.TensorCodec;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.model.ModalityNet;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.Scores;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One published model version, loaded for scoring: the parameters of a snapshot's {@code .safetensors} file in a
 * model built from the record's configuration. Owns native (DJL) memory: close it when the version leaves service.
 *
 * <p>Only the parameters are read. A snapshot also carries optimizer state, covariances and T matrices, which
 * scoring never touches, so a served version costs the parameters' memory and nothing more; the probabilities are
 * those that {@code TrainerSnapshot.read(..).restore().score(..)} gives for the same file (same model code, same
 * parameters).
 */
public final class ServingModel implements AutoCloseable {
  private final ModelSnapshot snapshot;
  private final IgmTrainer model;
  private final TensorCodec codec = TensorCodec.create();

  private ServingModel(ModelSnapshot snapshot, IgmTrainer model) {
    this.snapshot = snapshot;
    this.model = model;
  }

  /**
   * Builds the model of {@code snapshot.config} and fills its parameters from {@code tensors} (the safetensors
   * bytes; checksum already verified by the caller).
   */
  public static ServingModel load(ModelSnapshot snapshot, byte[] tensors) throws UnusableSnapshotException {
    IgmConfig config = ModelConfigJson.parse(snapshot.getConfig());
    IgmTrainer model;
    try {
      model = new IgmTrainer(config);
    } catch (RuntimeException e) {
      throw new UnusableSnapshotException("cannot build the model of its configuration: " + e.getMessage(), e);
    }
    try {
      loadParameters(model, tensors);
      return new ServingModel(snapshot, model);
    } catch (UnusableSnapshotException | RuntimeException e) {
      model.close();
      if (e instanceof UnusableSnapshotException u) {
        throw u;
      }
      throw new UnusableSnapshotException("unreadable safetensors file " + snapshot.getUri() + ": " + e.getMessage(), e);
    }
  }

  private static void loadParameters(IgmTrainer model, byte[] tensors) throws UnusableSnapshotException {
    try (NDManager tmp = NDManager.newBaseManager()) {
      Map<String, NDArray> byName = new HashMap<>();
      for (NDArray a : NDList.decode(tmp, tensors)) {
        byName.put(a.getName(), a);
      }
      for (ModalityNet net : model.nets()) {
        for (int p = 0; p < net.parameters().size(); p++) {
          String name = net.parameterNames().get(p);
          NDArray src = byName.get(name);
          if (src == null) {
            throw new UnusableSnapshotException("the snapshot has no tensor '" + name + "' (has " + byName.size() + " tensors)");
          }
          NDArray dst = net.parameters().get(p);
          if (!src.getShape().equals(dst.getShape())) {
            throw new UnusableSnapshotException(
                "tensor " + name + " has shape " + src.getShape() + ", the configured model needs " + dst.getShape());
          }
          dst.set(src.toType(dst.getDataType(), false).toByteBuffer());
        }
      }
    }
  }

  public ModelSnapshot snapshot() {
    return snapshot;
  }

  public String modelId() {
    return snapshot.getModelId();
  }

  public long version() {
    return snapshot.getVersion();
  }

  public IgmConfig config() {
    return model.config();
  }

  /** Scores one sample. */
  public Prediction score(MultimodalSample sample) throws InvalidSampleException {
    float[][] inputs = SampleInputs.of(model.config(), sample, codec);
    return prediction(sample, model.score(java.util.Collections.singletonList(inputs)), 0);
  }

  private Prediction prediction(MultimodalSample sample, Scores scores, int s) {
    IgmConfig config = model.config();
    Map<String, List<Float>> perModality = new LinkedHashMap<>();
    for (int j = 0; j < config.modalityCount(); j++) {
      perModality.put(config.modalities().get(j).name(), boxed(scores.modality(j, s)));
    }
    float[] fused = scores.fused(s);
    return Prediction.newBuilder()
        .setSampleId(sample.getSampleId())
        .setModelId(snapshot.getModelId())
        .setModelVersion(snapshot.getVersion())
        .setSplit(sample.getSplit())
        .setModalityProbabilities(perModality)
        .setFusedProbabilities(boxed(fused))
        .setPredicted(argmax(fused))
        .setLabel(sample.getLabel())
        .setEventTime(sample.getEventTime())
        .build();
  }

  /** Index of the largest value; ties go to the lowest index (docs/ALGORITHM.md, rule 11). */
  static int argmax(float[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) {
      if (p[i] > p[best]) {
        best = i;
      }
    }
    return best;
  }

  private static List<Float> boxed(float[] values) {
    List<Float> out = new ArrayList<>(values.length);
    for (float v : values) {
      out.add(v);
    }
    return out;
  }

  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return snapshot.getModelId() + " v" + snapshot.getVersion();
  }
}
