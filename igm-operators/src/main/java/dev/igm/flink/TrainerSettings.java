package dev.igm.flink;

import java.io.Serializable;

/**
 * What the training operator needs besides the models: publication cadence, the model store and two
 * debug knobs used by the fault-tolerance tests.
 *
 * @param snapshotEveryBatches publish a model snapshot every this many batches (and at the end of a
 *     bounded input)
 * @param metricsEveryBatches emit a TrainingMetrics record every this many batches
 * @param modelStoreUri root of the model store (any Flink file-system URI)
 * @param keepVersions published versions of each model the store keeps (the newest committed ones,
 *     plus those a serving job has in service; see {@link ModelStoreRetention}); 0 keeps all
 * @param failAfterBatches debug: throw once, in the first execution attempt, when a model reaches
 *     this many batches after a checkpoint holding trained state completed (0 = never)
 * @param batchDelayMillis debug: sleep this long after each trained batch (slows a run down for
 *     cancel tests)
 * @param blasThreads OpenBLAS threads for the trainers' LAPACK/BLAS calls, set when the operator
 *     opens (process-wide; 0 = leave the library's setting, i.e. OPENBLAS_NUM_THREADS)
 */
public record TrainerSettings(
    int snapshotEveryBatches,
    int metricsEveryBatches,
    String modelStoreUri,
    int keepVersions,
    long failAfterBatches,
    long batchDelayMillis,
    int blasThreads)
    implements Serializable {
  public TrainerSettings {
    if (snapshotEveryBatches < 1 || metricsEveryBatches < 1) {
      throw new IllegalArgumentException("snapshot and metrics cadences must be >= 1 batch");
    }
    if (keepVersions < 0) {
      throw new IllegalArgumentException(
          "keepVersions must be >= 0 (0 = keep all), got " + keepVersions);
    }
    if (blasThreads < 0) {
      throw new IllegalArgumentException(
          "blasThreads must be >= 0 (0 = leave as is), got " + blasThreads);
    }
  }
}
