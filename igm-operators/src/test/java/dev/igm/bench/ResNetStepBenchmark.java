package dev.igm.bench;

import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.model.Rng;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.LabeledSample;
import dev.igm.core.train.StepReport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One training step of a resnet18 modality (batch 16 of {@code [1, size, size]} spectrograms) as
 * the trainer takes it: batch assembly, forward/backward, SAM's second pass ({@code igm}), GM on
 * the head, SGD with momentum over the 11.2M encoder parameters, covariance update. The phase never
 * ends, so every batch trains the resnet modality. Run: {@code OPT_OUT_TRACKING=true
 * bin/bench-linalg ResNetStep -wi 2 -i 5}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Xmx3g",
      "-Dai.djl.offline=true",
      "-Dai.djl.pytorch.num_threads=1",
      "-Dai.djl.pytorch.num_interop_threads=1"
    })
public class ResNetStepBenchmark {

  @Param({"igm", "igm-nosam"})
  String method;

  @Param({"64"})
  int size;

  private IgmTrainer trainer;
  private final List<LabeledSample> batch = new ArrayList<>();

  @Setup
  public void setUp() {
    IgmConfig config =
        IgmConfig.builder()
            .method(method)
            .addModality(
                new ModalitySpec(
                    "spec", List.of(1, size, size), "resnet18", List.of(), null, false))
            .addModality(ModalitySpec.features("feat", 4))
            .numClasses(3)
            .batchSize(16)
            .phaseBatches(Integer.MAX_VALUE)
            .seed(1)
            .deterministic(true)
            .build();
    trainer = new IgmTrainer(config);
    Rng rng = new Rng(2);
    for (int s = 0; s < 16; s++) {
      float[] image = new float[size * size];
      for (int i = 0; i < image.length; i++) {
        image[i] = (float) rng.nextGaussian();
      }
      batch.add(new LabeledSample("s" + s, s % 3, new float[][] {image, new float[4]}));
    }
  }

  @Benchmark
  public List<StepReport> step() {
    List<StepReport> reports = List.of();
    for (LabeledSample s : batch) {
      reports = trainer.offer(s);
    }
    return reports;
  }

  @TearDown
  public void tearDown() {
    trainer.close();
  }
}
