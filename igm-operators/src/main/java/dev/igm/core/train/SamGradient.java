package dev.igm.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.igm.core.model.ModalityNet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SAM as the paper states it (Eq. 6–8, {@code sam.variant: paper}): {@code ε = ρ g/‖g‖₂} with one
 * norm over all of modality j's trainable tensors, biases included, and {@code ε = 0} when {@code
 * ‖g‖ = 0} (rule 6); {@code g' = ∇L(θ + ε)} on the same batch; θ is restored. See
 * docs/ALGORITHM.md, "SAM".
 *
 * <p>θ+ε lives on separate leaf arrays, so θ is never moved — except for parameters the network
 * cannot take substitutes for (a TorchScript encoder's): those are perturbed in place and restored
 * by copying θ back, bit for bit, whatever happens in between.
 */
final class SamGradient implements GradientEstimator {
  private final double rho;

  SamGradient(double rho) {
    this.rho = rho;
  }

  @Override
  public List<NDArray> estimate(
      ModalityNet net,
      List<Integer> trainable,
      NDArray x,
      NDArray y,
      List<NDArray> g,
      double norm,
      ModalityNet.Forward f) {
    double scale = norm > 0 ? rho / norm : 0;
    List<NDArray> perturbed = new ArrayList<>(net.parameters());
    List<NDArray> leaves = new ArrayList<>();
    List<NDArray> deltas = new ArrayList<>();
    for (int t = 0; t < trainable.size(); t++) {
      deltas.add(g.get(t).mul(scale)); // all of ε before any gradient is zeroed below
    }
    Map<Integer, NDArray> moved = new TreeMap<>();
    try {
      for (int t = 0; t < trainable.size(); t++) {
        int idx = trainable.get(t);
        NDArray theta = net.parameters().get(idx);
        if (net.isSubstitutable(idx)) {
          NDArray p = theta.add(deltas.get(t));
          p.setRequiresGradient(true);
          perturbed.set(idx, p);
          leaves.add(p);
        } else {
          moved.put(idx, theta.duplicate());
          theta.addi(deltas.get(t));
          theta
              .getGradient()
              .set(new NDIndex("..."), 0); // autograd accumulates into θ's own gradient
          leaves.add(theta);
        }
        deltas.get(t).close(); // its memory serves the next tensor's
      }
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = Losses.crossEntropy(net.forward(x, perturbed).logits, y);
        gc.backward(loss);
        if (!Double.isFinite(loss.toType(DataType.FLOAT64, false).getDouble())) {
          return null;
        }
      }
      List<NDArray> out = new ArrayList<>();
      for (NDArray p : leaves) {
        out.add(p.getGradient());
      }
      return out;
    } finally {
      for (Map.Entry<Integer, NDArray> e : moved.entrySet()) {
        net.parameters().get(e.getKey()).set(new NDIndex("..."), e.getValue());
      }
    }
  }
}
