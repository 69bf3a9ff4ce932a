package dev.igm.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import dev.igm.core.config.ModalitySpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A user's TorchScript module ({@code encoder.path}) run by DJL's PyTorch engine; input {@code [N,
 * inputShape...]}, output flattened to {@code [N, D]} with D found by a dry forward pass on zeros.
 *
 * <ul>
 *   <li>{@code encoder.frozen: true}: parameters do not require gradients and the forward runs
 *       under no-grad: the module is a fixed feature extractor.
 *   <li>fine-tuned: its parameters (the module's own tensors, {@code named_parameters()} order and
 *       names) are trainable. They cannot be swapped for substitute arrays, so SAM perturbs them in
 *       place and restores them by copy ({@link #acceptsSubstituteParameters()} is false). GM never
 *       touches encoders.
 * </ul>
 *
 * <p>The module always runs in {@code eval()} mode, also while fine-tuning: its BatchNorm uses the
 * statistics it was saved with and dropout is off. Its buffers are not reachable through DJL, so
 * they could be neither snapshotted nor protected from SAM's second pass; in eval mode they never
 * change, so a snapshot of the parameters is the whole state and runs stay deterministic.
 */
final class TorchScriptEncoder extends StatelessEncoder {
  private final PtSymbolBlock module;
  private final List<Integer> inputShape;
  private final boolean frozen;
  private final DataType moduleType;
  private final DataType outputType;
  private final int outputDim;

  private TorchScriptEncoder(
      PtSymbolBlock module, PtNDManager manager, ModalitySpec spec, DataType outputType) {
    this.module = module;
    this.inputShape = spec.inputShape();
    this.frozen = spec.encoderFrozen();
    this.outputType = outputType;
    JniUtils.enableInferenceMode(module);
    for (NDArray p : JniUtils.moduleGetParams(module, manager)) {
      p.setRequiresGradient(!frozen);
      addParameter(p.getName(), p);
    }
    this.moduleType = parameters().isEmpty() ? DataType.FLOAT32 : parameters().get(0).getDataType();
    Shape probeShape = batchShape(1);
    try (NDManager probe = manager.newSubManager()) {
      NDArray zeros = probe.zeros(probeShape, moduleType);
      NDList out = IValueUtils.forward(module, new NDList(zeros), false);
      if (out.isEmpty()) {
        throw new IllegalArgumentException(
            "modality "
                + spec.name()
                + ": TorchScript module "
                + spec.encoderPath()
                + " returned no tensor for an input of shape "
                + probeShape);
      }
      this.outputDim = Math.toIntExact(out.get(0).size());
    }
  }

  /**
   * Loads {@code spec.encoderPath()}; a missing or unreadable file is an {@link
   * IllegalArgumentException}.
   */
  static TorchScriptEncoder load(NDManager manager, ModalitySpec spec, DataType outputType) {
    if (!(manager instanceof PtNDManager)) {
      throw new IllegalStateException(
          "modality "
              + spec.name()
              + ": torchscript encoders need DJL's PyTorch engine, not "
              + manager.getEngine().getEngineName());
    }
    Path path = Path.of(spec.encoderPath());
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(
          "modality " + spec.name() + ": TorchScript file " + path + " does not exist");
    }
    PtNDManager pt = (PtNDManager) manager;
    PtSymbolBlock module;
    try {
      module =
          JniUtils.loadModule(pt, path, true, new String[0], new String[0], !spec.encoderFrozen());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "modality "
              + spec.name()
              + ": "
              + path
              + " is not a loadable TorchScript"
              + " module ("
              + e.getMessage()
              + ")",
          e);
    }
    try {
      return new TorchScriptEncoder(module, pt, spec, outputType);
    } catch (RuntimeException e) {
      module.close();
      if (e instanceof IllegalArgumentException) {
        throw e;
      }
      throw new IllegalArgumentException(
          "modality "
              + spec.name()
              + ": TorchScript module "
              + path
              + " does not run on input shape "
              + spec.inputShape()
              + " ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  @Override
  public int outputDim() {
    return outputDim;
  }

  /** A TorchScript module runs on its own tensors: SAM perturbs them in place and copies θ back. */
  @Override
  public boolean acceptsSubstituteParameters() {
    return false;
  }

  @Override
  public NDArray forward(NDArray x, List<NDArray> p, Pass pass) {
    List<NDArray> own = parameters();
    for (int i = 0; i < p.size(); i++) {
      if (p.get(i) != own.get(i)) {
        throw new IllegalArgumentException(
            "a TorchScript encoder runs on its own parameters only ("
                + parameterNames().get(i)
                + " was substituted); perturb them in place");
      }
    }
    long n = x.getShape().get(0);
    NDArray in = x.reshape(batchShape(n)).toType(moduleType, false);
    // forward(..., false) runs under torch's no-grad/inference guard; true leaves autograd to the
    // enclosing collector
    boolean grad = !frozen && pass != Pass.INFERENCE;
    NDArray z = IValueUtils.forward(module, new NDList(in), grad).get(0);
    if (!grad) {
      // an inference-mode tensor cannot be saved for the head's backward pass; a copy made outside
      // that mode can
      z = z.duplicate();
    }
    return z.reshape(n, outputDim).toType(outputType, false);
  }

  /** {@code [n, inputShape...]}. */
  private Shape batchShape(long n) {
    long[] dims = new long[inputShape.size() + 1];
    dims[0] = n;
    for (int i = 0; i < inputShape.size(); i++) {
      dims[i + 1] = inputShape.get(i);
    }
    return new Shape(dims);
  }
}
