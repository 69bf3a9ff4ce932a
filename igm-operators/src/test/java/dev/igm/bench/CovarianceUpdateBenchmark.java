package dev.igm.bench;

import dev.igm.core.CovarianceAccumulator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One covariance update per training batch: the lower-triangle rank-1 update that {@link
 * CovarianceAccumulator} does (per update, averaged over its blocks of {@code BLOCK} updates
 * applied together), against a full d×d rank-1 update on one flat array for comparison, and the
 * whole {@code update(batch)} including the float64 batch mean (B = 32 rows). Here the matrix stays
 * in cache between calls; in a training step it does not, which is what the blocks are for.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CovarianceUpdateBenchmark {

  private static final int ROWS = 32;

  @Param({"64", "256", "512", "1024"})
  int dim;

  private CovarianceAccumulator triangle;
  private CovarianceAccumulator decayed;
  private double[] full;
  private double[] mean;
  private float[] batch;

  @Setup
  public void setUp() {
    Random rnd = new Random(1);
    triangle = new CovarianceAccumulator(dim);
    decayed = new CovarianceAccumulator(dim, 0.99);
    full = new double[dim * dim];
    mean = new double[dim];
    for (int i = 0; i < dim; i++) {
      mean[i] = rnd.nextGaussian();
    }
    batch = new float[ROWS * dim];
    for (int i = 0; i < batch.length; i++) {
      batch[i] = (float) rnd.nextGaussian();
    }
  }

  @Benchmark
  public CovarianceAccumulator triangleUpdate() {
    triangle.updateWithMean(mean);
    return triangle;
  }

  @Benchmark
  public CovarianceAccumulator triangleUpdateWithDecay() {
    decayed.updateWithMean(mean);
    return decayed;
  }

  @Benchmark
  public CovarianceAccumulator batchMeanAndUpdate() {
    triangle.update(batch, ROWS);
    return triangle;
  }

  /** The alternative not taken: the full rank-1 update, both triangles. */
  @Benchmark
  public double[] fullUpdateReference() {
    int d = dim;
    for (int i = 0, row = 0; i < d; i++, row += d) {
      double mi = mean[i];
      for (int j = 0; j < d; j++) {
        full[row + j] += mi * mean[j];
      }
    }
    return full;
  }
}
