package dev.igm.core.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** An encoder without buffers: nothing to stage, commit or snapshot besides its parameters. */
abstract class StatelessEncoder implements Encoder {

  @Override
  public List<String> bufferNames() {
    return List.of();
  }

  @Override
  public List<NDArray> buffers() {
    return List.of();
  }

  @Override
  public boolean acceptsSubstituteParameters() {
    return true;
  }

  @Override
  public void commitStatistics() {}

  @Override
  public void discardStatistics() {}
}
