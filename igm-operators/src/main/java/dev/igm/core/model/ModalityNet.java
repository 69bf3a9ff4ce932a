package dev.igm.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import dev.igm.core.config.ModalitySpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One modality's network: encoder {@code E_j} then the head {@code FC(D→w1) → ReLU → FC(w1→w2) →
 * FC(w2→c)}.
 *
 * <p>Parameters are plain NDArrays in a fixed order (encoder parameters, then head layers; weight
 * before bias), so optimizers, SAM and snapshots can address them by index and by name ({@code
 * <modality>.head.<i>.weight}, {@code <modality>.encoder.<encoder's own name>}). The forward pass
 * takes the parameter arrays as an argument: SAM evaluates the loss at θ+ε on separate arrays and θ
 * itself never has to be perturbed and restored — except for parameters that are not {@linkplain
 * #isSubstitutable substitutable} (a TorchScript encoder's), which SAM perturbs in place. Buffers
 * ({@code <modality>.encoder.<name>}, BatchNorm running statistics) are state outside the gradient:
 * see {@link Pass} for when they move.
 */
public final class ModalityNet {
  /** Number of Linear layers in every head. */
  public static final int HEAD_LAYERS = 3;

  private final ModalitySpec spec;
  private final Encoder encoder;
  private final List<String> names = new ArrayList<>();
  private final List<NDArray> params = new ArrayList<>();
  private final List<String> bufferNames = new ArrayList<>();
  private final int encoderParams;
  private final int featureDim;
  private final int[] headInputWidths = new int[HEAD_LAYERS];
  private final boolean encoderTrainable;

  /** The output of one forward pass. */
  public static final class Forward {
    /** Logits, batch x classes. */
    public final NDArray logits;

    /** Inputs of head layers 0..2 ({@code x_1 = z, x_2 = relu(h_1), x_3 = h_2}), batch x width. */
    public final NDArray[] headInputs;

    Forward(NDArray logits, NDArray[] headInputs) {
      this.logits = logits;
      this.headInputs = headInputs;
    }

    /** The encoder's output z. */
    public NDArray features() {
      return headInputs[0];
    }
  }

  /**
   * One net per modality of {@code config}, in its order, initialised from {@code rng} in that
   * order.
   */
  public static List<ModalityNet> forEach(
      NDManager manager, dev.igm.core.config.IgmConfig config, Rng rng, DataType dtype) {
    List<ModalityNet> nets = new java.util.ArrayList<>();
    for (ModalitySpec spec : config.modalities()) {
      nets.add(
          new ModalityNet(manager, spec, config.headWidths(), config.numClasses(), rng, dtype));
    }
    return nets;
  }

  public ModalityNet(
      NDManager manager,
      ModalitySpec spec,
      List<Integer> headWidths,
      int numClasses,
      Rng rng,
      DataType dtype) {
    this.spec = spec;
    this.encoder = Encoder.create(manager, spec, rng, dtype);
    String prefix = spec.name() + ".encoder.";
    for (int i = 0; i < encoder.parameters().size(); i++) {
      NDArray p = encoder.parameters().get(i);
      p.setName(prefix + encoder.parameterNames().get(i));
      names.add(prefix + encoder.parameterNames().get(i));
      params.add(p);
    }
    for (int i = 0; i < encoder.buffers().size(); i++) {
      encoder.buffers().get(i).setName(prefix + encoder.bufferNames().get(i));
      bufferNames.add(prefix + encoder.bufferNames().get(i));
    }
    this.encoderParams = params.size();
    int in = encoder.outputDim();
    this.featureDim = in;
    int[] widths = {headWidths.get(0), headWidths.get(1), numClasses};
    for (int i = 0; i < HEAD_LAYERS; i++) {
      headInputWidths[i] = in;
      add(spec.name() + ".head." + i, LinearLayer.init(manager, in, widths[i], rng, dtype));
      in = widths[i];
    }
    this.encoderTrainable = !spec.encoderFrozen();
    for (int i = 0; i < params.size(); i++) {
      if (isTrainable(i)) {
        params.get(i).setRequiresGradient(true);
      }
    }
  }

  private void add(String prefix, NDArray[] wb) {
    wb[0].setName(prefix + ".weight");
    wb[1].setName(prefix + ".bias");
    names.add(prefix + ".weight");
    names.add(prefix + ".bias");
    params.add(wb[0]);
    params.add(wb[1]);
  }

  public String name() {
    return spec.name();
  }

  public ModalitySpec spec() {
    return spec;
  }

  /** Width of the encoder output z (input of head layer 0). */
  public int featureDim() {
    return featureDim;
  }

  /** Input width of head layer {@code i}. */
  public int headInputWidth(int i) {
    return headInputWidths[i];
  }

  /** All parameters in their fixed order. */
  public List<NDArray> parameters() {
    return Collections.unmodifiableList(params);
  }

  public List<String> parameterNames() {
    return Collections.unmodifiableList(names);
  }

  /** Non-trainable encoder state (BatchNorm running statistics), in a fixed order. */
  public List<NDArray> buffers() {
    return encoder.buffers();
  }

  public List<String> bufferNames() {
    return Collections.unmodifiableList(bufferNames);
  }

  /** Number of encoder parameters; they come first in {@link #parameters()}. */
  public int encoderParameterCount() {
    return encoderParams;
  }

  public boolean isTrainable(int index) {
    return index >= encoderParams || encoderTrainable;
  }

  /**
   * Whether {@link #forward(NDArray, List, Pass)} accepts another array in place of parameter
   * {@code index}. When it does not, a perturbation must be applied to the parameter itself and
   * undone by copy.
   */
  public boolean isSubstitutable(int index) {
    return index >= encoderParams || encoder.acceptsSubstituteParameters();
  }

  /** Parameter index of head layer {@code i}'s weight (its bias follows). */
  public int headWeightIndex(int i) {
    return encoderParams + 2 * i;
  }

  /** Forward pass with this network's own parameters that leaves no trace ({@link Pass#PROBE}). */
  public Forward forward(NDArray x) {
    return forward(x, params, Pass.PROBE);
  }

  /**
   * Forward pass with the given parameter arrays (same order and shapes as {@link #parameters()}),
   * {@link Pass#PROBE}.
   */
  public Forward forward(NDArray x, List<NDArray> p) {
    return forward(x, p, Pass.PROBE);
  }

  /** Forward pass with the given parameter arrays for the given purpose. */
  public Forward forward(NDArray x, List<NDArray> p, Pass pass) {
    NDArray z = encoder.forward(x, p.subList(0, encoderParams), pass);
    NDArray[] inputs = new NDArray[HEAD_LAYERS];
    inputs[0] = z;
    return new Forward(head(z, p, inputs), inputs);
  }

  /**
   * Makes the running statistics of the last {@link Pass#TRAINING} pass the network's own (the step
   * was applied).
   */
  public void commitStatistics() {
    encoder.commitStatistics();
  }

  /** Drops the running statistics of the last {@link Pass#TRAINING} pass (the step was refused). */
  public void discardStatistics() {
    encoder.discardStatistics();
  }

  /** The head alone on given features (SAM's reference variant re-scores cached features). */
  public NDArray head(NDArray z, List<NDArray> p, NDArray[] inputsOut) {
    int w = encoderParams;
    NDArray h1 = Linear.linear(z, p.get(w), p.get(w + 1)).singletonOrThrow();
    NDArray x2 = Activation.relu(h1);
    NDArray h2 = Linear.linear(x2, p.get(w + 2), p.get(w + 3)).singletonOrThrow();
    if (inputsOut != null) {
      inputsOut[1] = x2;
      inputsOut[2] = h2;
    }
    return Linear.linear(h2, p.get(w + 4), p.get(w + 5)).singletonOrThrow();
  }
}
