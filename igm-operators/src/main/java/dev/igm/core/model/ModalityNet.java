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
 * One modality's network: encoder {@code E_j} then the head {@code FC(D→w1) → ReLU → FC(w1→w2) → FC(w2→c)}.
 *
 * <p>Parameters are plain NDArrays in a fixed order (encoder layers, then head layers; weight before bias), so
 * optimizers, SAM and snapshots can address them by index and by name ({@code <modality>.head.<i>.weight}). The
 * forward pass takes the parameter arrays as an argument: SAM evaluates the loss at θ+ε on separate arrays and θ
 * itself never has to be perturbed and restored.
 */
public final class ModalityNet {
  /** Number of Linear layers in every head. */
  public static final int HEAD_LAYERS = 3;

  private final ModalitySpec spec;
  private final List<String> names = new ArrayList<>();
  private final List<NDArray> params = new ArrayList<>();
  private final int encoderLayers;
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

  public ModalityNet(NDManager manager, ModalitySpec spec, List<Integer> headWidths, int numClasses, Rng rng,
      DataType dtype) {
    this.spec = spec;
    int in = spec.inputSize();
    switch (spec.encoder()) {
      case "identity":
        encoderLayers = 0;
        break;
      case "mlp":
        encoderLayers = spec.encoderHidden().size();
        for (int i = 0; i < encoderLayers; i++) {
          int out = spec.encoderHidden().get(i);
          add(spec.name() + ".encoder." + i, LinearLayer.init(manager, in, out, rng, dtype));
          in = out;
        }
        break;
      default:
        // resnet18 and torchscript encoders are not built yet; refuse clearly rather than train something else.
        throw new UnsupportedOperationException(
            "modality " + spec.name() + ": encoder '" + spec.encoder() + "' is not available in this version"
                + " (use identity or mlp)");
    }
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

  public boolean isTrainable(int index) {
    return index >= 2 * encoderLayers || encoderTrainable;
  }

  /** Parameter index of head layer {@code i}'s weight (its bias follows). */
  public int headWeightIndex(int i) {
    return 2 * (encoderLayers + i);
  }

  /** Forward pass with this network's own parameters. */
  public Forward forward(NDArray x) {
    return forward(x, params);
  }

  /** Forward pass with the given parameter arrays (same order and shapes as {@link #parameters()}). */
  public Forward forward(NDArray x, List<NDArray> p) {
    NDArray h = x.reshape(x.getShape().get(0), spec.inputSize());
    for (int i = 0; i < encoderLayers; i++) {
      h = Activation.relu(Linear.linear(h, p.get(2 * i), p.get(2 * i + 1)).singletonOrThrow());
    }
    NDArray[] inputs = new NDArray[HEAD_LAYERS];
    inputs[0] = h;
    return new Forward(head(h, p, inputs), inputs);
  }

  /** The head alone on given features (SAM's reference variant re-scores cached features). */
  public NDArray head(NDArray z, List<NDArray> p, NDArray[] inputsOut) {
    int w = 2 * encoderLayers;
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
