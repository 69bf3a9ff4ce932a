package dev.igm.core.serve;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Prediction;
import dev.igm.codec.TensorCodec;
import dev.igm.core.InferenceMode;
import dev.igm.core.InputRows;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.model.ModalityNet;
import dev.igm.core.model.Pass;
import dev.igm.core.model.Rng;
import dev.igm.core.train.Fusion;
import dev.igm.core.train.ScoreSheet;
import dev.igm.core.train.Scores;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One published model version, loaded for scoring: the networks of a snapshot's configuration with
 * the parameters and buffers (BatchNorm running statistics) of its {@code .safetensors} file. Owns
 * native (DJL) memory: close it when the version leaves service.
 *
 * <p>Scoring works on batches: the samples' inputs are checked one by one and written into reused
 * native input rows (no array per sample for float32 tensors), the networks run once for all valid
 * samples of the batch, without autograd bookkeeping ({@link InferenceMode}; the parameters do not
 * require gradients either), and each sample gets its own outcome: its prediction, or why it cannot
 * be scored, which leaves the others unaffected. The probabilities are those of {@code
 * TrainerSnapshot.read(..).restore().score(..)} for the same file (same networks, same parameters,
 * same fusion); optimizer state, covariances and T matrices are not read, so a served version costs
 * its parameters' memory and nothing more.
 *
 * <p>Not thread-safe: one thread scores with it.
 */
public final class ServingModel implements AutoCloseable {
  private final ModelSnapshot snapshot;
  private final IgmConfig config;
  private final NDManager manager;
  private final List<ModalityNet> nets;
  private final Fusion fusion;
  private final TensorCodec codec = TensorCodec.create();
  private final InputRows[] rows;

  /**
   * What scoring made of one sample of a batch: its prediction, or the reason it cannot be scored.
   */
  public record Outcome(Prediction prediction, String refusal) {
    public boolean scored() {
      return prediction != null;
    }
  }

  private ServingModel(
      ModelSnapshot snapshot, IgmConfig config, NDManager manager, List<ModalityNet> nets) {
    this.snapshot = snapshot;
    this.config = config;
    this.manager = manager;
    this.nets = nets;
    int m = nets.size();
    this.fusion = Fusion.of(config);
    this.rows = new InputRows[m];
    for (int j = 0; j < m; j++) {
      rows[j] = new InputRows(nets.get(j).spec().inputSize(), 1);
    }
  }

  /**
   * Builds the networks of {@code snapshot.config} and fills their parameters and buffers from
   * {@code tensors} (the safetensors bytes; checksum already verified by the caller).
   */
  public static ServingModel load(ModelSnapshot snapshot, byte[] tensors)
      throws UnusableSnapshotException {
    IgmConfig config = ModelConfigJson.parse(snapshot.getConfig());
    try (InferenceMode ignored = InferenceMode.enter()) {
      NDManager manager = NDManager.newBaseManager();
      List<ModalityNet> nets = new ArrayList<>();
      try {
        // The initial values are overwritten by the file's; drawn as the trainer draws them, from
        // its seed.
        Rng init = new Rng(config.seed() ^ 0x5DEECE66DL);
        for (int j = 0; j < config.modalityCount(); j++) {
          nets.add(
              new ModalityNet(
                  manager,
                  config.modalities().get(j),
                  config.headWidths(),
                  config.numClasses(),
                  init,
                  DataType.FLOAT32));
        }
      } catch (RuntimeException e) {
        manager.close();
        throw new UnusableSnapshotException(
            "cannot build the model of its configuration: " + e.getMessage(), e);
      }
      try {
        fill(nets, tensors);
        return new ServingModel(snapshot, config, manager, nets);
      } catch (UnusableSnapshotException | RuntimeException e) {
        manager.close();
        if (e instanceof UnusableSnapshotException u) {
          throw u;
        }
        throw new UnusableSnapshotException(
            "unreadable safetensors file " + snapshot.getUri() + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Copies the file's tensors into the networks' arrays in place (an indexed copy: {@code
   * NDArray.set(Buffer)} would go through a deprecated libtorch mode that prints a warning) and
   * takes the parameters out of autograd.
   */
  private static void fill(List<ModalityNet> nets, byte[] tensors)
      throws UnusableSnapshotException {
    try (NDManager tmp = NDManager.newBaseManager()) {
      Map<String, NDArray> byName = new HashMap<>();
      for (NDArray a : NDList.decode(tmp, tensors)) {
        byName.put(a.getName(), a);
      }
      for (ModalityNet net : nets) {
        for (int p = 0; p < net.parameters().size(); p++) {
          NDArray dst = net.parameters().get(p);
          copy(byName, net.parameterNames().get(p), dst);
          dst.setRequiresGradient(false);
        }
        for (int q = 0; q < net.buffers().size(); q++) {
          copy(byName, net.bufferNames().get(q), net.buffers().get(q));
        }
      }
    }
  }

  private static void copy(Map<String, NDArray> byName, String name, NDArray dst)
      throws UnusableSnapshotException {
    NDArray src = byName.get(name);
    if (src == null) {
      throw new UnusableSnapshotException(
          "the snapshot has no tensor '" + name + "' (has " + byName.size() + " tensors)");
    }
    if (!src.getShape().equals(dst.getShape())) {
      throw new UnusableSnapshotException(
          "tensor "
              + name
              + " has shape "
              + src.getShape()
              + ", the configured model needs "
              + dst.getShape());
    }
    dst.set(new NDIndex("..."), src.toType(dst.getDataType(), false));
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
    return config;
  }

  /** Scores one sample. */
  public Prediction score(MultimodalSample sample) throws InvalidSampleException {
    Outcome o = score(List.of(sample)).get(0);
    if (!o.scored()) {
      throw new InvalidSampleException(o.refusal());
    }
    return o.prediction();
  }

  /**
   * Scores a batch in one pass of the networks: one outcome per sample, in order. A sample whose
   * inputs do not fit the model (missing modality, wrong size or dtype, NaN/Inf) gets its reason
   * and takes no part in the pass.
   */
  public List<Outcome> score(List<MultimodalSample> batch) {
    int n = batch.size();
    ensureRows(n);
    int[] rowOf = new int[n];
    String[] refusals = new String[n];
    int valid = 0;
    for (int i = 0; i < n; i++) {
      try {
        SampleInputs.into(config, batch.get(i), codec, rows, valid);
        rowOf[i] = valid++;
      } catch (InvalidSampleException e) {
        rowOf[i] = -1;
        refusals[i] = e.getMessage();
      }
    }
    Scores scores = valid == 0 ? null : forward(valid);
    List<Outcome> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          rowOf[i] < 0
              ? new Outcome(null, refusals[i])
              : new Outcome(prediction(batch.get(i), scores, rowOf[i]), null));
    }
    return out;
  }

  /**
   * The batched forward pass alone, on inputs already decoded (one {@code float[]} per modality per
   * sample, checked by the caller): what scoring costs without the records around it. Probabilities
   * as {@link #score(List)} computes them.
   */
  public Scores scoreInputs(List<float[][]> inputs) {
    int n = inputs.size();
    ensureRows(n);
    for (int s = 0; s < n; s++) {
      float[][] in = inputs.get(s);
      for (int j = 0; j < rows.length; j++) {
        rows[j].put(s, in[j]);
      }
    }
    return forward(n);
  }

  private void ensureRows(int n) {
    for (InputRows r : rows) {
      r.ensureCapacity(n);
    }
  }

  /**
   * The networks on the first {@code n} input rows, fused as the trainer fuses ({@link Fusion}: the
   * (weighted) mean of the softmaxes, the softmax of the summed logits for {@code joint}, the
   * trained head's own for {@code unimodal-<name>}).
   */
  private Scores forward(int n) {
    ScoreSheet sheet = Fusion.sheet(config, n);
    try (InferenceMode ignored = InferenceMode.enter();
        NDScope scope = new NDScope()) {
      NDArray logitSum = null;
      for (int j = 0; j < nets.size(); j++) {
        ModalityNet net = nets.get(j);
        NDArray logits =
            net.forward(rows[j].array(manager, n), net.parameters(), Pass.INFERENCE).logits;
        sheet.modality(j, logits);
        logitSum = logitSum == null ? logits : logitSum.add(logits);
      }
      if (fusion.needsLogitSum()) {
        sheet.logitSum(logitSum);
      }
    }
    return fusion.fuse(sheet);
  }

  private Prediction prediction(MultimodalSample sample, Scores scores, int row) {
    int c = scores.classes();
    Map<String, List<Float>> perModality = new LinkedHashMap<>();
    for (int j = 0; j < nets.size(); j++) {
      perModality.put(nets.get(j).name(), boxed(scores.perModality()[j], row * c, c));
    }
    List<Float> fused = boxed(scores.fused(), row * c, c);
    // The all-fields constructor: the builder checks every field against the schema again, per
    // prediction.
    return new Prediction(
        sample.getSampleId(),
        snapshot.getModelId(),
        snapshot.getVersion(),
        sample.getSplit(),
        perModality,
        fused,
        argmax(scores.fused(), row * c, c),
        sample.getLabel(),
        sample.getEventTime());
  }

  /** Index of the largest value; ties go to the lowest index (docs/ALGORITHM.md, rule 11). */
  static int argmax(float[] p) {
    return argmax(p, 0, p.length);
  }

  private static int argmax(float[] p, int from, int length) {
    int best = 0;
    for (int i = 1; i < length; i++) {
      if (p[from + i] > p[from + best]) {
        best = i;
      }
    }
    return best;
  }

  private static List<Float> boxed(float[] values, int from, int length) {
    List<Float> out = new ArrayList<>(length);
    for (int i = 0; i < length; i++) {
      out.add(values[from + i]);
    }
    return out;
  }

  @Override
  public void close() {
    manager.close();
  }

  @Override
  public String toString() {
    return snapshot.getModelId() + " v" + snapshot.getVersion();
  }
}
