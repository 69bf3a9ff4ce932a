package dev.igm.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import java.util.List;

/** {@code (Linear → ReLU)} per hidden width; parameters {@code <i>.weight}, {@code <i>.bias}. */
final class MlpEncoder extends StatelessEncoder {
  private final int in;
  private final int out;

  MlpEncoder(NDManager manager, int in, List<Integer> hidden, Rng rng, DataType dtype) {
    this.in = in;
    int width = in;
    for (int i = 0; i < hidden.size(); i++) {
      NDArray[] wb = LinearLayer.init(manager, width, hidden.get(i), rng, dtype);
      addParameter(i + ".weight", wb[0]);
      addParameter(i + ".bias", wb[1]);
      width = hidden.get(i);
    }
    this.out = width;
  }

  @Override
  public int outputDim() {
    return out;
  }

  @Override
  public NDArray forward(NDArray x, List<NDArray> p, Pass pass) {
    NDArray h = x.reshape(x.getShape().get(0), in);
    for (int i = 0; i < p.size(); i += 2) {
      h = Activation.relu(Linear.linear(h, p.get(i), p.get(i + 1)).singletonOrThrow());
    }
    return h;
  }
}
