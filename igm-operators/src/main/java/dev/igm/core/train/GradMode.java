package dev.igm.core.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's grad mode is thread-local and on by default; DJL switches it off only on the thread
 * that initialised the engine, and a GradientCollector restores the mode it found. On any other
 * thread (a Flink task thread after a restart, a benchmark thread) the optimizer's in-place updates
 * of parameters would fail with "a leaf Variable that requires grad is being used in an in-place
 * operation". The trainer therefore switches it off on the calling thread before it touches
 * parameters.
 */
final class GradMode {
  private static final boolean PYTORCH = "PyTorch".equals(Engine.getInstance().getEngineName());

  private GradMode() {}

  /**
   * Turns grad mode off on the current thread (gradient collectors turn it on only inside their
   * scope).
   */
  static void offOnThisThread() {
    if (PYTORCH && JniUtils.isGradMode()) {
      JniUtils.setGradMode(false);
    }
  }
}
