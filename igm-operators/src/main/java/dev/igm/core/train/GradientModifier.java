package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import dev.igm.core.model.ModalityNet;
import java.util.List;

/**
 * What happens to modality j's (SAM) gradient before the optimizer step: nothing ({@link
 * #IDENTITY}), IGM's flat modification {@code ∇W_i ← ∇W_i · T_i^k} ({@link
 * FlatGradientModification}, Eq. 5/9) or MLA's orthogonal projection {@code ∇W_i ← ∇W_i · P}
 * ({@link MlaProjection}). Only head weights change; biases and encoders never do. See
 * docs/ALGORITHM.md, "Gradient modification".
 */
interface GradientModifier {
  /** Leaves every gradient as it is (joint, unimodal). */
  GradientModifier IDENTITY = (j, net, trainable, grads, means, b) -> grads;

  /**
   * The gradients to step with.
   *
   * @param trainable indices of {@code grads}' tensors among the network's parameters
   * @param means the step's batch means of the head inputs when {@link #needsBatchMeans()}, else
   *     null
   * @param b the batch index
   */
  List<NDArray> modify(
      int j,
      ModalityNet net,
      List<Integer> trainable,
      List<NDArray> grads,
      double[][] means,
      long b);

  /**
   * Whether {@link #modify} needs the step's batch means (MLA updates its projectors with them
   * first).
   */
  default boolean needsBatchMeans() {
    return false;
  }

  /** Exports state of its own (MLA's projectors) after every modality's state. */
  default void export(StateWriter out) {}

  default void restore(StateReader in) {}
}
