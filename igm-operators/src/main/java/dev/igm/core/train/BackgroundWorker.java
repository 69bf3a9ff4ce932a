package dev.igm.core.train;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread that runs one task at a time beside the training thread, owned by one part of
 * one trainer and shut down when the trainer closes. The thread starts with the first task. A new
 * task waits for the previous one, so tasks run in submission order and at most one is ever queued:
 * the worker is bounded by construction.
 */
final class BackgroundWorker implements AutoCloseable {
  private final String name;
  private final String what;
  private ExecutorService executor;
  private Future<?> pending;

  /**
   * @param name the thread's name; @param what the work, for error messages ("covariance update")
   */
  BackgroundWorker(String name, String what) {
    this.name = name;
    this.what = what;
  }

  /** Runs {@code task} on the worker once the previous task is done. */
  void submit(Runnable task) {
    settle();
    if (executor == null) {
      executor =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
              });
    }
    pending = executor.submit(task);
  }

  /** Waits for the pending task, if any; its failure becomes this thread's. */
  void settle() {
    Future<?> f = pending;
    pending = null;
    if (f == null) {
      return;
    }
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the " + what + " completes", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed", e.getCause());
    }
  }

  /** Settles the pending task, then stops the thread and waits for it to end. */
  @Override
  public void close() {
    try {
      settle();
    } finally {
      if (executor != null) {
        executor.shutdownNow();
        try {
          executor.awaitTermination(10, TimeUnit.SECONDS); // idle: ends at once
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        executor = null;
      }
    }
  }
}
