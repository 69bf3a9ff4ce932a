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

  static List<NDArray> gradients(ModalityNet net, List<Integer> trainable) {
    List<NDArray> out = new ArrayList<>();
    for (int i : trainable) {
      out.add(net.parameters().get(i).getGradient());
    }
    return out;
  }

  /** Σ‖a‖², summed in float64 tensor by tensor. */
  static double squaredNorm(List<NDArray> arrays) {
    double s = 0;
    for (NDArray a : arrays) {
      s += a.toType(DataType.FLOAT64, false).square().sum().getDouble();
    }
    return s;
  }
}
