package dev.igm.core.train;

import dev.igm.core.CovarianceAccumulator;
import dev.igm.core.FlatModifier;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.model.ModalityNet;
import dev.igm.core.model.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One training step of the 512→256→64→6 head at batch 64 (features in, identity encoder): plain
 * SGD, SAM (paper variant, no GM), IGM (SAM + GM with a full, non-identity T of the other modality
 * on every layer) and MLA (projector update + GM). {@code igm} uses the T a phase of 10 batches
 * yields (rank 10, applied as I − U Uᵀ); {@code igm-full-t} a full-rank T (dense product). Run with
 * {@code bin/bench-jmh TrainStep}.
 *
 * <p>{@code sam} is SAM alone: the same trainer and step as {@code igm}, with modality a's
 * covariance accumulation switched off, so that {@code igm} − {@code sam} is exactly what IGM adds
 * (batch means, covariance update, GM).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TrainStepBenchmark {
  @Param({"sgd", "sam", "igm", "igm-full-t", "mla"})
  public String variant;

  private IgmTrainer trainer;
  private List<LabeledSample> batch;

  @Setup(Level.Trial)
  public void setUp() {
    String method =
        switch (variant) {
          case "sgd" -> "unimodal-a";
          case "sam", "igm", "igm-full-t" -> "igm";
          default -> "mla";
        };
    IgmConfig config =
        IgmConfig.builder()
            .method(method)
            .addModality(ModalitySpec.features("a", 512))
            .addModality(ModalitySpec.features("b", 512))
            .numClasses(6)
            .headWidths(List.of(256, 64))
            .batchSize(64)
            .phaseBatches(1_000_000)
            .deterministic(true)
            .build();
    trainer = new IgmTrainer(config);
    if (variant.equals("sam")) {
      trainer
          .internals()
          .parts()
          .statistics()
          .untrack(0); // no batch means, no C update: SAM's own work only
    }
    Rng r = new Rng(1);
    batch = new ArrayList<>();
    for (int s = 0; s < 64; s++) {
      batch.add(
          new LabeledSample("s" + s, r.nextInt(6), new float[][] {gauss(r, 512), gauss(r, 512)}));
    }
    if (variant.startsWith("igm")) {
      // T of modality b (the one before a) on every head layer: from the 10 batch means of a phase
      // of 10 batches
      // (what training produces with phase.batches=10 and per-phase reset), or from a full-rank
      // covariance
      int means = variant.equals("igm") ? 10 : -1;
      FlatModifier modifier = new FlatModifier(0.4);
      for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
        int d = trainer.nets().get(1).headInputWidth(i);
        CovarianceAccumulator c = new CovarianceAccumulator(d);
        for (int k = 0; k < (means > 0 ? means : d + 8); k++) {
          double[] x = new double[d];
          for (int q = 0; q < d; q++) {
            x[q] = r.nextGaussian();
          }
          c.updateWithMean(x);
        }
        trainer.internals().parts().statistics().setFlat(1, i, modifier.compute(c));
      }
    }
  }

  @Benchmark
  public StepReport step() {
    return trainer.stepModality(0, batch);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    trainer.close();
  }

  private static float[] gauss(Rng r, int n) {
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) r.nextGaussian();
    }
    return f;
  }
}
