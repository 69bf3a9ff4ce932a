package dev.igm.core;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * A scope in which the engine computes without autograd bookkeeping: PyTorch records no graph and
 * keeps no saved tensors for operations run inside it, even on parameters that require gradients;
 * their results do not require gradients. What PyTorch's {@code torch.no_grad()} does, for scoring
 * (serving, prequential evaluation).
 *
 * <pre>{@code
 * try (InferenceMode ignored = InferenceMode.enter(); NDScope scope = new NDScope()) {
 *   NDArray logits = net.forward(x, net.parameters(), Pass.INFERENCE).logits;
 *   ...
 * }
 * }</pre>
 *
 * <p>Grad mode is per thread in PyTorch, so the scope covers the calling thread only; closing it
 * restores the mode it found, so scopes nest and a caller that had gradients on gets them back. DJL
 * 0.36 offers no way to enter libtorch's stricter {@code c10::InferenceMode} from Java (it is used
 * only inside TorchScript module calls), so grad mode off is the engine's inference mode here. On
 * an engine other than PyTorch the scope does nothing.
 *
 * <p>Parameters written in place (a snapshot loaded into a model) must be written inside such a
 * scope: an in-place write to a tensor that requires gradients is refused while grad mode is on.
 */
public final class InferenceMode implements AutoCloseable {
  private static final boolean PYTORCH = "PyTorch".equals(Engine.getInstance().getEngineName());
  private static final InferenceMode NOTHING_TO_RESTORE = new InferenceMode(false);

  private final boolean restoreGradMode;

  private InferenceMode(boolean restoreGradMode) {
    this.restoreGradMode = restoreGradMode;
  }

  /** Turns autograd recording off on this thread until {@link #close()}. */
  public static InferenceMode enter() {
    if (PYTORCH && JniUtils.isGradMode()) {
      JniUtils.setGradMode(false);
      return new InferenceMode(true);
    }
    return NOTHING_TO_RESTORE;
  }

  /**
   * Whether operations on this thread are recorded for autograd now (always false inside a scope).
   */
  public static boolean recording() {
    return PYTORCH && JniUtils.isGradMode();
  }

  /** Restores the grad mode this scope found; call on the thread that entered it. */
  @Override
  public void close() {
    if (restoreGradMode) {
      JniUtils.setGradMode(true);
    }
  }
}
