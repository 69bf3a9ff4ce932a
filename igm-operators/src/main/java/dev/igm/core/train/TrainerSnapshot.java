package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.igm.core.CovarianceAccumulator;
import dev.igm.core.FlatMatrix;
import dev.igm.core.MlaProjector;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.model.ModalityNet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The complete state of an {@link IgmTrainer} as a {@code .safetensors} file plus JSON metadata.
 *
 * <p>Tensor names (PyTorch layout, weight = out x in):
 *
 * <ul>
 *   <li>{@code <modality>.head.<i>.weight|bias}, {@code <modality>.encoder.<name>} — parameters (encoder names are
 *       the encoder's own: {@code <i>.weight} for an mlp, torchvision's for resnet18, the module's
 *       {@code named_parameters()} for torchscript; a frozen encoder's parameters are written too)
 *   <li>{@code <modality>.encoder.<bn>.running_mean|running_var} — BatchNorm running statistics (buffers)
 *   <li>{@code <param>.momentum} (SGD) or {@code <param>.adam_m|adam_v} (Adam) — optimizer state
 *   <li>{@code <modality>.cov.<i>} — cumulative covariance C of head layer i (float64, in x in)
 *   <li>{@code <modality>.T.<i>} and {@code <modality>.T.<i>.eigenvalues} — the flat modification matrix (float64),
 *       and {@code <modality>.T.<i>.damping}: U with T = I − U Uᵀ (d x r, the directions T damps)
 *   <li>{@code mla.P.<layer>.<width>} — MLA projectors (float64)
 *   <li>{@code pending.<n>.<modality>} — inputs of the pending partial mini-batch
 * </ul>
 *
 * <p>The metadata holds the format version, method, full configuration, schedule cursor, counters, RNG state, the
 * pending samples' ids and labels, and any metrics. Both files open with numpy/PyTorch ({@code safetensors.numpy.load_file})
 * and a JSON parser; nothing of this product is needed to read them.
 */
public final class TrainerSnapshot {
  public static final String FORMAT = "igm-snapshot/1";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final byte[] tensors;
  private final String metadata;

  public TrainerSnapshot(byte[] tensors, String metadata) {
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /** The safetensors bytes. */
  public byte[] tensors() {
    return tensors;
  }

  /** The JSON metadata. */
  public String metadata() {
    return metadata;
  }

  /** Lower-case hex SHA-256 of the safetensors bytes. */
  public String sha256() {
    return sha256(tensors);
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The metadata as a map. */
  public Map<String, Object> metadataMap() {
    return parseMetadata(metadata);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parseMetadata(String metadata) {
    try {
      return JSON.readValue(metadata, Map.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code <path>} (safetensors) and {@code <path minus .safetensors>.json}. */
  public void write(Path safetensorsPath) throws IOException {
    if (safetensorsPath.getParent() != null) {
      Files.createDirectories(safetensorsPath.getParent());
    }
    Files.write(safetensorsPath, tensors);
    Files.writeString(metadataPath(safetensorsPath), metadata);
  }

  public static TrainerSnapshot read(Path safetensorsPath) throws IOException {
    return new TrainerSnapshot(Files.readAllBytes(safetensorsPath), Files.readString(metadataPath(safetensorsPath)));
  }

  public static Path metadataPath(Path safetensorsPath) {
    String name = safetensorsPath.getFileName().toString();
    String stem = name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
    return safetensorsPath.resolveSibling(stem + ".json");
  }

  // ------------------------------------------------------------------------------------------ capture

  /** Captures the trainer's whole state. */
  public static TrainerSnapshot capture(IgmTrainer trainer, Map<String, Double> metrics) {
    try (Capture c = captureLater(trainer, metrics)) {
      return c.encode();
    }
  }

  /**
   * The trainer's whole state copied out now (engine-side copies, owned by the returned capture), to be encoded later,
   * on any thread: the training thread pays for the copies only, not for the encoding of megabytes. Close it.
   */
  public static Capture captureLater(IgmTrainer trainer, Map<String, Double> metrics) {
    NDManager tmp = NDManager.newBaseManager();
    try {
      return captureInto(tmp, trainer, metrics);
    } catch (RuntimeException e) {
      tmp.close();
      throw e;
    }
  }

  private static Capture captureInto(NDManager tmp, IgmTrainer trainer, Map<String, Double> metrics) {
    IgmConfig config = trainer.config();
    List<NDArray> out = new ArrayList<>();
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("format", FORMAT);
    meta.put("method", config.methodName());
    meta.put("batches", trainer.batches());
    meta.put("samplesTrained", trainer.samplesTrained());
    meta.put("refusedSteps", trainer.refusedSteps());
    meta.put("rngState", Long.toString(trainer.rng().state()));
    meta.put("createdAt", System.currentTimeMillis());
    try (NDScope ignored = new NDScope()) {
      List<Long> optimizerSteps = new ArrayList<>();
      Map<String, Long> covUpdates = new LinkedHashMap<>();
      Map<String, Boolean> tIdentity = new LinkedHashMap<>();
      for (int j = 0; j < trainer.nets().size(); j++) {
        ModalityNet net = trainer.nets().get(j);
        for (int p = 0; p < net.parameters().size(); p++) {
          out.add(named(copy(tmp, net.parameters().get(p)), net.parameterNames().get(p)));
        }
        for (int q = 0; q < net.buffers().size(); q++) {
          out.add(named(copy(tmp, net.buffers().get(q)), net.bufferNames().get(q)));
        }
        List<String> trainableNames = trainableNames(net);
        ParameterOptimizer opt = trainer.optimizers().get(j);
        optimizerSteps.add(opt.steps());
        for (Map.Entry<String, NDArray> e : opt.state().entrySet()) {
          String[] kind = e.getKey().split("\\.");
          String name = trainableNames.get(Integer.parseInt(kind[1])) + "." + kind[0];
          out.add(named(copy(tmp, e.getValue()), name));
        }
        for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
          CovarianceAccumulator c = trainer.covariance(j, i);
          if (c != null) {
            out.add(named(tmp.create(c.matrix(), new Shape(c.dim(), c.dim())), net.name() + ".cov." + i));
            covUpdates.put(net.name() + ".cov." + i, c.updates());
          }
          FlatMatrix t = trainer.flatMatrix(j, i);
          if (t != null) {
            out.add(named(tmp.create(t.matrix(), new Shape(t.dim(), t.dim())), net.name() + ".T." + i));
            double[] ev = t.eigenvalues();
            out.add(named(tmp.create(ev, new Shape(ev.length)), net.name() + ".T." + i + ".eigenvalues"));
            if (t.dampingRank() > 0) {
              out.add(named(tmp.create(t.dampingFactor(), new Shape(t.dim(), t.dampingRank())),
                  net.name() + ".T." + i + ".damping"));
            }
            tIdentity.put(net.name() + ".T." + i, t.isIdentity());
          }
        }
      }
      for (Map.Entry<String, MlaProjector> e : trainer.projectors().entrySet()) {
        MlaProjector p = e.getValue();
        out.add(named(tmp.create(p.matrix(), new Shape(p.dim(), p.dim())), "mla.P." + e.getKey().replace(':', '.')));
      }
      List<Map<String, Object>> pending = new ArrayList<>();
      for (int n = 0; n < trainer.pending().size(); n++) {
        LabeledSample s = trainer.pending().get(n);
        pending.add(Map.of("id", s.id(), "label", s.label()));
        for (int j = 0; j < trainer.nets().size(); j++) {
          float[] in = s.inputs()[j];
          out.add(named(tmp.create(in, new Shape(in.length)), "pending." + n + "." + trainer.nets().get(j).name()));
        }
      }
      meta.put("optimizerSteps", optimizerSteps);
      meta.put("covarianceUpdates", covUpdates);
      meta.put("tIdentity", tIdentity);
      meta.put("pending", pending);
      meta.put("metrics", metrics == null ? Map.of() : metrics);
      meta.put("config", config.toMap());
      NDList tensors = new NDList(out);
      NDScope.unregister(tensors); // owned by the capture from here on, not by this scope
      return new Capture(tmp, tensors, JSON.writeValueAsString(meta));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An engine-side copy of {@code a}, owned by {@code owner}. */
  private static NDArray copy(NDManager owner, NDArray a) {
    NDArray d = a.duplicate();
    d.attach(owner);
    return d;
  }

  /**
   * A trainer's state as captured at one instant ({@link #captureLater}): tensors not yet encoded, metadata as JSON.
   * Encode or write it from any one thread, then close it (releases the tensor copies).
   */
  public static final class Capture implements AutoCloseable {
    private final NDManager owner;
    private final NDList tensors;
    private final String metadata;

    private Capture(NDManager owner, NDList tensors, String metadata) {
      this.owner = owner;
      this.tensors = tensors;
      this.metadata = metadata;
    }

    public String metadata() {
      return metadata;
    }

    public Map<String, Object> metadataMap() {
      return parseMetadata(metadata);
    }

    /** Streams the safetensors file: the same bytes as {@link #encode()}'s, without holding them all in memory. */
    public void writeTensors(java.io.OutputStream out) throws IOException {
      tensors.encode(out, NDList.Encoding.SAFETENSORS);
    }

    public TrainerSnapshot encode() {
      return new TrainerSnapshot(tensors.encode(NDList.Encoding.SAFETENSORS), metadata);
    }

    @Override
    public void close() {
      owner.close();
    }
  }

  // ------------------------------------------------------------------------------------------ restore

  /** A new trainer in exactly the captured state. */
  @SuppressWarnings("unchecked")
  public IgmTrainer restore() {
    Map<String, Object> meta = metadataMap();
    if (!FORMAT.equals(meta.get("format"))) {
      throw new IllegalArgumentException("not an " + FORMAT + " snapshot (format " + meta.get("format") + ")");
    }
    IgmConfig config = IgmConfig.fromMap((Map<String, Object>) meta.get("config")).build();
    IgmTrainer trainer = new IgmTrainer(config);
    try {
      restoreInto(trainer, meta);
    } catch (RuntimeException e) {
      trainer.close();
      throw e;
    }
    return trainer;
  }

  @SuppressWarnings("unchecked")
  private void restoreInto(IgmTrainer trainer, Map<String, Object> meta) {
    try (NDManager tmp = NDManager.newBaseManager()) {
      Map<String, NDArray> byName = new HashMap<>();
      for (NDArray a : NDList.decode(tmp, tensors)) {
        byName.put(a.getName(), a);
      }
      List<Number> optimizerSteps = (List<Number>) meta.get("optimizerSteps");
      Map<String, Number> covUpdates = (Map<String, Number>) meta.get("covarianceUpdates");
      Map<String, Boolean> tIdentity = (Map<String, Boolean>) meta.get("tIdentity");
      for (int j = 0; j < trainer.nets().size(); j++) {
        ModalityNet net = trainer.nets().get(j);
        for (int p = 0; p < net.parameters().size(); p++) {
          copyInto(byName, net.parameterNames().get(p), net.parameters().get(p));
        }
        for (int q = 0; q < net.buffers().size(); q++) {
          copyInto(byName, net.bufferNames().get(q), net.buffers().get(q));
        }
        List<String> trainableNames = trainableNames(net);
        Map<String, NDArray> state = new LinkedHashMap<>();
        for (int t = 0; t < trainableNames.size(); t++) {
          for (String kind : List.of("momentum", "adam_m", "adam_v")) {
            NDArray a = byName.get(trainableNames.get(t) + "." + kind);
            if (a != null) {
              state.put(kind + "." + t, a);
            }
          }
        }
        trainer.optimizers().get(j).restore(trainer.manager(), state, optimizerSteps.get(j).longValue());
        for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
          CovarianceAccumulator c = trainer.covariance(j, i);
          String cn = net.name() + ".cov." + i;
          if (c != null && byName.containsKey(cn)) {
            c.restore(byName.get(cn).toDoubleArray(), covUpdates.get(cn).longValue());
          }
          String tn = net.name() + ".T." + i;
          if (byName.containsKey(tn)) {
            NDArray t = byName.get(tn);
            int d = (int) t.getShape().get(0);
            NDArray damping = byName.get(tn + ".damping");
            trainer.setFlat(j, i, FlatMatrix.restore(d, t.toDoubleArray(),
                require(byName, tn + ".eigenvalues").toDoubleArray(), Boolean.TRUE.equals(tIdentity.get(tn)),
                damping == null ? null : damping.toDoubleArray()));
          }
        }
      }
      for (Map.Entry<String, MlaProjector> e : trainer.projectors().entrySet()) {
        e.getValue().restore(require(byName, "mla.P." + e.getKey().replace(':', '.')).toDoubleArray());
      }
      List<Map<String, Object>> pending = (List<Map<String, Object>>) meta.get("pending");
      trainer.pending().clear();
      for (int n = 0; n < pending.size(); n++) {
        float[][] inputs = new float[trainer.nets().size()][];
        for (int j = 0; j < inputs.length; j++) {
          inputs[j] = require(byName, "pending." + n + "." + trainer.nets().get(j).name()).toFloatArray();
        }
        trainer.pending().add(new LabeledSample(
            (String) pending.get(n).get("id"), ((Number) pending.get(n).get("label")).intValue(), inputs));
      }
      trainer.rng().setState(Long.parseLong((String) meta.get("rngState")));
      trainer.restoreCounters(
          ((Number) meta.get("batches")).longValue(),
          ((Number) meta.get("samplesTrained")).longValue(),
          ((Number) meta.get("refusedSteps")).longValue());
    }
  }

  /**
   * Copies the named tensor's values into {@code dst} in place: dst may be a TorchScript module's own parameter, which
   * must keep its identity, and must not end up sharing memory with the decoded tensor, which dies with its manager.
   */
  private static void copyInto(Map<String, NDArray> byName, String name, NDArray dst) {
    NDArray src = require(byName, name);
    if (!src.getShape().equals(dst.getShape())) {
      throw new IllegalArgumentException(
          "tensor " + name + " has shape " + src.getShape() + ", the model needs " + dst.getShape());
    }
    dst.set(new NDIndex("..."), src.toType(dst.getDataType(), false));
  }

  private static NDArray require(Map<String, NDArray> byName, String name) {
    NDArray a = byName.get(name);
    if (a == null) {
      throw new IllegalArgumentException("snapshot has no tensor '" + name + "'");
    }
    return a;
  }

  private static List<String> trainableNames(ModalityNet net) {
    List<String> names = new ArrayList<>();
    for (int p = 0; p < net.parameters().size(); p++) {
      if (net.isTrainable(p)) {
        names.add(net.parameterNames().get(p));
      }
    }
    return names;
  }

  private static NDArray named(NDArray a, String name) {
    a.setName(name);
    return a;
  }

  /** The metadata bytes, for checksums of the pair. */
  public byte[] metadataBytes() {
    return metadata.getBytes(StandardCharsets.UTF_8);
  }

}
