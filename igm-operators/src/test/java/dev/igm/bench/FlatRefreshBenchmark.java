package dev.igm.bench;

import dev.igm.core.CovarianceAccumulator;
import dev.igm.core.FlatMatrix;
import dev.igm.core.FlatModifier;
import dev.igm.core.linalg.SymmetricEigen;
import java.nio.DoubleBuffer;
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
 * A T refresh ({@link FlatModifier#compute}: copy, checks, dsyevd, scaling, dsyrk, mirror) and, to
 * separate its parts, dsyevd alone on the same matrix. The covariance is {@code Σ z zᵀ} over d
 * standard normal vectors z (full rank, Wishart), the matrix {@code src/test/python/eigh_bench.py}
 * gives numpy.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FlatRefreshBenchmark {

  @Param({"64", "256", "512", "1024"})
  int dim;

  private CovarianceAccumulator covariance;
  private final FlatModifier modifier = new FlatModifier();
  private DoubleBuffer work;
  private DoubleBuffer values;

  @Setup
  public void setUp() {
    Random rnd = new Random(1);
    covariance = new CovarianceAccumulator(dim);
    double[] z = new double[dim];
    for (int u = 0; u < dim; u++) {
      for (int i = 0; i < dim; i++) {
        z[i] = rnd.nextGaussian();
      }
      covariance.updateWithMean(z);
    }
    work = SymmetricEigen.directBuffer(dim * dim);
    values = SymmetricEigen.directBuffer(dim);
  }

  @Benchmark
  public FlatMatrix refresh() {
    return modifier.compute(covariance);
  }

  @Benchmark
  public DoubleBuffer dsyevdOnly() {
    covariance.copyLowerTo(work);
    SymmetricEigen.decomposeInPlace(work, dim, values);
    return work;
  }
}
