package dev.igm.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.igm.core.config.ModalitySpec;
import java.util.List;

/**
 * The encoder {@code E_j} in front of a modality's head: maps a batch of inputs {@code [N,
 * inputShape...]} to features {@code z} of shape {@code [N, outputDim]}.
 *
 * <p>Parameters are exposed in a fixed order under local names (PyTorch's {@code state_dict} names
 * where there is a PyTorch counterpart); {@link ModalityNet} prefixes them with {@code
 * <modality>.encoder.}. Buffers are non-trainable state that a snapshot must carry (BatchNorm
 * running statistics).
 */
public interface Encoder {

  /** Width of z. */
  int outputDim();

  List<String> parameterNames();

  /** The encoder's own parameter arrays, in the order of {@link #parameterNames()}. */
  List<NDArray> parameters();

  List<String> bufferNames();

  List<NDArray> buffers();

  /**
   * Whether {@link #forward} accepts parameter arrays other than its own. False for a TorchScript
   * module, whose parameters live inside the module: SAM must perturb those in place and restore
   * them by copy.
   */
  boolean acceptsSubstituteParameters();

  /**
   * Features of {@code x} ({@code [N, inputSize]}, reshaped here to the encoder's input layout).
   *
   * @param p parameter arrays in the order of {@link #parameters()}
   */
  NDArray forward(NDArray x, List<NDArray> p, Pass pass);

  /**
   * Makes the running statistics staged by the last {@link Pass#TRAINING} pass the encoder's own.
   */
  void commitStatistics();

  /** Forgets staged running statistics (the step was refused or failed). */
  void discardStatistics();

  /** The encoder a modality's spec asks for; parameters drawn from {@code rng} in a fixed order. */
  static Encoder create(NDManager manager, ModalitySpec spec, Rng rng, DataType dtype) {
    switch (spec.encoder()) {
      case "identity":
        return new IdentityEncoder(spec.inputSize());
      case "mlp":
        return new MlpEncoder(manager, spec.inputSize(), spec.encoderHidden(), rng, dtype);
      case "resnet18":
        return new ResNet18Encoder(manager, spec, rng, dtype);
      case "torchscript":
        return TorchScriptEncoder.load(manager, spec, dtype);
      default:
        throw new IllegalArgumentException(
            "modality " + spec.name() + ": unknown encoder '" + spec.encoder() + "'");
    }
  }
}
