package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;

/**
 * An optimizer over one modality's parameters with PyTorch's update rules. Updates are in place and
 * must run outside a gradient collector. The gradients passed in are final (gradient modification
 * already applied); weight decay is added here, after GM (docs/ALGORITHM.md, "Optimizer").
 */
public interface ParameterOptimizer {
  /** One update of {@code params} with {@code grads} at learning rate {@code lr}. */
  void step(List<NDArray> params, List<NDArray> grads, double lr);

  /** Number of steps taken. */
  long steps();

  /** Optimizer state tensors by name suffix (for snapshots), e.g. {@code momentum.3}. */
  Map<String, NDArray> state();

  /** Restores {@link #state()} and the step count from a snapshot. */
  void restore(NDManager manager, Map<String, NDArray> state, long steps);
}
