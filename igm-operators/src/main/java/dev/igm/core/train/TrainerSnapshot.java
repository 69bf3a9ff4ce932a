package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.model.ModalityNet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The complete state of an {@link IgmTrainer} as a {@code .safetensors} file plus JSON metadata.
 *
 * <p>Tensor names (PyTorch layout, weight = out x in):
 *
 * <ul>
 *   <li>{@code <modality>.head.<i>.weight|bias}, {@code <modality>.encoder.<name>} — parameters
 *       (encoder names are the encoder's own: {@code <i>.weight} for an mlp, torchvision's for
 *       resnet18, the module's {@code named_parameters()} for torchscript; a frozen encoder's
 *       parameters are written too)
 *   <li>{@code <modality>.encoder.<bn>.running_mean|running_var} — BatchNorm running statistics
 *       (buffers)
 *   <li>{@code <param>.momentum} (SGD) or {@code <param>.adam_m|adam_v} (Adam) — optimizer state
 *   <li>{@code <modality>.cov.<i>} — cumulative covariance C of head layer i (float64, in x in)
 *   <li>{@code <modality>.T.<i>} and {@code <modality>.T.<i>.eigenvalues} — the flat modification
 *       matrix (float64), and {@code <modality>.T.<i>.damping}: U with T = I − U Uᵀ (d x r, the
 *       directions T damps)
 *   <li>{@code mla.P.<layer>.<width>} — MLA projectors (float64)
 *   <li>{@code pending.<n>.<modality>} — inputs of the pending partial mini-batch
 * </ul>
 *
 * <p>The metadata holds the format version, method, full configuration, schedule cursor, counters,
 * RNG state, the pending samples' ids and labels, and any metrics. Both files open with
 * numpy/PyTorch ({@code safetensors.numpy.load_file}) and a JSON parser; nothing of this product is
 * needed to read them.
 */
public final class TrainerSnapshot {
  /** The layout written: {@link SnapshotMetadata} reads it and every earlier one. */
  public static final String FORMAT = SnapshotMetadata.V1;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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
    return new TrainerSnapshot(
        Files.readAllBytes(safetensorsPath), Files.readString(metadataPath(safetensorsPath)));
  }

  public static Path metadataPath(Path safetensorsPath) {
    String name = safetensorsPath.getFileName().toString();
    String stem =
        name.endsWith(".safetensors")
            ? name.substring(0, name.length() - ".safetensors".length())
            : name;
    return safetensorsPath.resolveSibling(stem + ".json");
  }

  // ------------------------------------------------------------------------------------------
  // capture

  /** Captures the trainer's whole state. */
  public static TrainerSnapshot capture(IgmTrainer trainer, Map<String, Double> metrics) {
    try (Capture c = captureLater(trainer, metrics)) {
      return c.encode();
    }
  }

  /**
   * The trainer's whole state copied out now (engine-side copies, owned by the returned capture),
   * to be encoded later, on any thread: the training thread pays for the copies only, not for the
   * encoding of megabytes. Close it.
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

  private static Capture captureInto(
      NDManager tmp, IgmTrainer trainer, Map<String, Double> metrics) {
    IgmConfig config = trainer.config();
    StateWriter out = new StateWriter(tmp);
    out.put("format", FORMAT);
    out.put("method", config.methodName());
    out.put("batches", trainer.batches());
    out.put("samplesTrained", trainer.samplesTrained());
    out.put("refusedSteps", trainer.refusedSteps());
    out.put("rngState", Long.toString(trainer.internals().rng().state()));
    out.put("createdAt", System.currentTimeMillis());
    // the parts' entries, at their places in the document whatever the parts write
    out.list("optimizerSteps");
    out.map("covarianceUpdates");
    out.map("tIdentity");
    out.list("pending");
    MethodParts parts = trainer.internals().parts();
    try (NDScope ignored = new NDScope()) {
      for (int j = 0; j < trainer.nets().size(); j++) {
        ModalityNet net = trainer.nets().get(j);
        for (int p = 0; p < net.parameters().size(); p++) {
          out.copy(net.parameterNames().get(p), net.parameters().get(p));
        }
        for (int q = 0; q < net.buffers().size(); q++) {
          out.copy(net.bufferNames().get(q), net.buffers().get(q));
        }
        parts.optimizers().export(j, net, out);
        parts.statistics().export(j, out);
      }
      parts.modifier().export(out);
      trainer.internals().batcher().export(out);
      out.put("metrics", metrics == null ? Map.of() : metrics);
      out.put("config", config.toMap());
      NDList tensors = out.tensors();
      NDScope.unregister(tensors); // owned by the capture from here on, not by this scope
      return new Capture(tmp, tensors, JSON.writeValueAsString(out.metadata()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A trainer's state as captured at one instant ({@link #captureLater}): tensors not yet encoded,
   * metadata as JSON. Encode or write it from any one thread, then close it (releases the tensor
   * copies).
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

    /**
     * Streams the safetensors file: the same bytes as {@link #encode()}'s, without holding them all
     * in memory.
     */
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

  // ------------------------------------------------------------------------------------------
  // restore

  /**
   * A new trainer in exactly the captured state. A file that is not a trainer snapshot, of a format
   * this version does not read, or malformed, fails with an {@link IllegalArgumentException} that
   * says what is wrong.
   */
  public IgmTrainer restore() {
    SnapshotMetadata meta = SnapshotMetadata.parse(metadata);
    IgmConfig config;
    try {
      config = IgmConfig.fromMap(meta.config()).build();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "snapshot holds an unusable model configuration: " + e.getMessage(), e);
    }
    IgmTrainer trainer = new IgmTrainer(config);
    try {
      restoreInto(trainer, meta);
    } catch (RuntimeException e) {
      trainer.close();
      throw e;
    }
    return trainer;
  }

  private void restoreInto(IgmTrainer trainer, SnapshotMetadata meta) {
    try (NDManager tmp = NDManager.newBaseManager()) {
      Map<String, NDArray> byName = new HashMap<>();
      NDList decoded;
      try {
        decoded = NDList.decode(tmp, tensors);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "snapshot tensors are not a readable safetensors file: " + e.getMessage(), e);
      }
      for (NDArray a : decoded) {
        byName.put(a.getName(), a);
      }
      StateReader in = new StateReader(byName, meta);
      MethodParts parts = trainer.internals().parts();
      for (int j = 0; j < trainer.nets().size(); j++) {
        ModalityNet net = trainer.nets().get(j);
        for (int p = 0; p < net.parameters().size(); p++) {
          in.copyInto(net.parameterNames().get(p), net.parameters().get(p));
        }
        for (int q = 0; q < net.buffers().size(); q++) {
          in.copyInto(net.bufferNames().get(q), net.buffers().get(q));
        }
        parts.optimizers().restore(j, net, in, trainer.internals().manager());
        parts.statistics().restore(j, in);
      }
      parts.modifier().restore(in);
      trainer.internals().batcher().restore(in);
      trainer.internals().rng().setState(meta.rngState());
      trainer
          .internals()
          .counters()
          .restore(meta.batches(), meta.samplesTrained(), meta.refusedSteps());
    }
  }

  /** The metadata bytes, for checksums of the pair. */
  public byte[] metadataBytes() {
    return metadata.getBytes(StandardCharsets.UTF_8);
  }
}
