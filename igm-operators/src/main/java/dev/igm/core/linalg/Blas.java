package dev.igm.core.linalg;

import java.util.OptionalInt;
import org.bytedeco.openblas.global.openblas;

/**
 * The process-wide OpenBLAS thread setting.
 *
 * <p>In openblas 1.5.13 {@code openblas_set_num_threads} exists only on {@code openblas_full},
 * which loads another 24 MB library, so the thread count goes through the presets' {@code
 * blas_set_num_threads}. The setting is global to the native library: every caller in the JVM
 * shares it.
 */
public final class Blas {

  private Blas() {}

  /**
   * Sets the number of threads OpenBLAS/LAPACK use (the environment's OPENBLAS_NUM_THREADS
   * otherwise).
   */
  public static void setThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    openblas.blas_set_num_threads(threads);
  }

  /**
   * The thread count last set through {@link #setThreads}; empty if none was, in which case
   * OpenBLAS follows OPENBLAS_NUM_THREADS (the presets only remember what was set, they do not ask
   * the library).
   */
  public static OptionalInt threads() {
    int n = openblas.blas_get_num_threads();
    return n > 0 ? OptionalInt.of(n) : OptionalInt.empty();
  }
}
