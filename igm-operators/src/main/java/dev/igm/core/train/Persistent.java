package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

/** Arrays that outlive the per-step {@link NDScope}: optimizer state, T matrices, parameters. */
final class Persistent {
  private Persistent() {}

  /** Removes {@code a} from the enclosing scope and hands it to {@code owner}, which closes it. */
  static NDArray keep(NDArray a, NDManager owner) {
    NDScope.unregister(a);
    a.attach(owner);
    return a;
  }
}
