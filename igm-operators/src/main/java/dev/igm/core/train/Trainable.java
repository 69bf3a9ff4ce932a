package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.igm.core.model.ModalityNet;
import java.util.ArrayList;
import java.util.List;

/**
 * The trainable tensors of one modality's network (a frozen encoder's are not) and their gradients.
 */
final class Trainable {
  private Trainable() {}

  /** Indices into {@link ModalityNet#parameters()} of the parameters a step may change. */
  static List<Integer> indices(ModalityNet net) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < net.parameters().size(); i++) {
      if (net.isTrainable(i)) {
        out.add(i);
      }
    }
    return out;
  }

  static List<NDArray> parameters(ModalityNet net, List<Integer> trainable) {
    List<NDArray> out = new ArrayList<>();
    for (int i : trainable) {
      out.add(net.parameters().get(i));
    }
    return out;
  }

  static void zeroGradients(ModalityNet net, List<Integer> trainable) {
    for (int i : trainable) {
      NDArray g = net.parameters().get(i).getGradient();
      g.set(
          new NDIndex(":"),
          0); // set, not multiply: a refused step may have left NaN in the gradient
    }
  }

  /**
   * The parameters a training pass runs on and the arrays its gradients land in. Where every
   * trainable tensor takes a substitute, the pass runs on fresh leaves that share θ's storage:
   * autograd hands each gradient over as it computes it, so θ's gradient needs no zeroing before
   * the pass and receives no accumulation after it — two passes over every parameter fewer per
   * step. Otherwise (a TorchScript encoder's tensors) the pass runs on θ, whose gradients are
   * zeroed first.
   */
  record PassParameters(List<NDArray> forward, List<NDArray> leaves) {
    /** The gradients of {@link #leaves}, in trainable order (after the backward pass). */
    List<NDArray> gradients() {
      List<NDArray> out = new ArrayList<>();
      for (NDArray leaf : leaves) {
        out.add(leaf.getGradient());
      }
      return out;
    }
  }

  static PassParameters forPass(ModalityNet net, List<Integer> trainable) {
    if (!trainable.stream().allMatch(net::isSubstitutable)) {
      zeroGradients(net, trainable);
      return new PassParameters(net.parameters(), parameters(net, trainable));
    }
    List<NDArray> forward = new ArrayList<>(net.parameters());
    List<NDArray> leaves = new ArrayList<>();
    for (int i : trainable) {
      NDArray leaf = net.parameters().get(i).stopGradient(); // a view: θ's storage, no history
      leaf.setRequiresGradient(true);
      forward.set(i, leaf);
      leaves.add(leaf);
    }
    return new PassParameters(forward, leaves);
  }

  /**
   * Σ‖a‖², accumulated in float64 tensor by tensor (each tensor's float64 copy dotted with itself:
   * one temporary per tensor rather than two).
   */
  static double squaredNorm(List<NDArray> arrays) {
    double s = 0;
    for (NDArray a : arrays) {
      try (NDArray d = a.toType(DataType.FLOAT64, true);
          NDArray flat = d.flatten();
          NDArray dot = flat.dot(flat)) {
        s += dot.getDouble();
      }
    }
    return s;
  }

  /**
   * Whether every element is finite. A float32 sum is finite exactly when no element is NaN or
   * infinite, unless finite elements overflow it; only then are the elements checked one by one.
   */
  static boolean allFinite(List<NDArray> arrays) {
    for (NDArray a : arrays) {
      try (NDArray sum = a.sum()) {
        if (Double.isFinite(sum.toType(DataType.FLOAT64, false).getDouble())) {
          continue;
        }
      }
      try (NDArray d = a.toType(DataType.FLOAT64, true);
          NDArray exact = d.sum()) {
        if (!Double.isFinite(exact.getDouble())) {
          return false;
        }
      }
    }
    return true;
  }
}
