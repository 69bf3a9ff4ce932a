package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import dev.igm.core.model.ModalityNet;
import java.util.List;

/**
 * How a modality step gets the gradient it modifies and steps with: the plain gradient g of the
 * training loss ({@link #PLAIN}), SAM's {@code g' = ∇L(θ + ρ g/‖g‖)} ({@link SamGradient}, Eq.
 * 6–8), or the reference code's variant of it ({@link ReferenceSamGradient}). See
 * docs/ALGORITHM.md, "SAM".
 */
interface GradientEstimator {
  /** The loss of a training pass on logits and one-hot labels. */
  interface Loss {
    NDArray of(NDArray logits, NDArray oneHot);
  }

  /** What the training pass sees: the input rows and its loss. */
  record TrainingPass(float[] input, Loss loss) {}

  /** The plain gradient: the pass on the batch as it is, cross-entropy, g as computed. */
  GradientEstimator PLAIN =
      new GradientEstimator() {
        @Override
        public List<NDArray> estimate(
            ModalityNet net,
            List<Integer> trainable,
            NDArray x,
            NDArray y,
            List<NDArray> g,
            double norm,
            ModalityNet.Forward f) {
          return g;
        }
      };

  /**
   * The training pass for {@code input} (n rows) with {@code labels}; the default is the batch as
   * it is with CE.
   */
  default TrainingPass trainingPass(float[] input, int[] labels, BatchArrays arrays) {
    return new TrainingPass(input, Losses::crossEntropy);
  }

  /**
   * Whether the training pass runs on the batch as it is with θ as it was: then its logits are the
   * batch's scores by the model before the step (prequential scoring may take them instead of an
   * inference pass).
   */
  default boolean passSeesTheBatchAsIs() {
    return true;
  }

  /**
   * The gradient to modify and step with, from the training pass's gradient {@code g} (norm {@code
   * norm} over all of modality j's trainable tensors); null when the loss it evaluates is not
   * finite (the step is refused, rule 8).
   *
   * @param x the training pass's input, @param y its one-hot labels, @param f its forward pass
   */
  List<NDArray> estimate(
      ModalityNet net,
      List<Integer> trainable,
      NDArray x,
      NDArray y,
      List<NDArray> g,
      double norm,
      ModalityNet.Forward f);
}
