package dev.igm.core.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** Pre-extracted features: z = x, flattened. */
final class IdentityEncoder extends StatelessEncoder {
  private final int dim;

  IdentityEncoder(int dim) {
    this.dim = dim;
  }

  @Override
  public int outputDim() {
    return dim;
  }

  @Override
  public NDArray forward(NDArray x, List<NDArray> p, Pass pass) {
    return x.reshape(x.getShape().get(0), dim);
  }
}
