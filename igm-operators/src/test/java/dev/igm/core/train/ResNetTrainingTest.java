package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.core.ClassificationMetrics;
import dev.igm.core.model.ModalityNet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IGM with a resnet18 modality (spectrogram-like [1,16,16]) beside a feature modality. */
class ResNetTrainingTest {

  @Test
  void igmLearnsTheSpectrogramView() {
    List<LabeledSample> train = Spectrograms.samples(96, 1);
    List<LabeledSample> test = Spectrograms.samples(90, 2);
    try (IgmTrainer t = new IgmTrainer(Spectrograms.config("igm", false).build())) {
      double before = accuracy(t, test, 0);
      for (int epoch = 0; epoch < 3; epoch++) {
        Synthetic.train(t, train);
      }
      double after = accuracy(t, test, 0);
      assertThat(t.refusedSteps()).isZero();
      assertThat(t.flatMatrix(0, 0)).as("T of the resnet modality's 512-wide head input").isNotNull();
      assertThat(t.flatMatrix(0, 0).dim()).isEqualTo(512);
      assertThat(after).as("spectrogram accuracy (was %.2f before training)", before).isGreaterThan(0.7);
    }
  }

  private static double accuracy(IgmTrainer t, List<LabeledSample> data, int modality) {
    List<float[][]> inputs = new ArrayList<>();
    int[] labels = new int[data.size()];
    for (int i = 0; i < data.size(); i++) {
      inputs.add(data.get(i).inputs());
      labels[i] = data.get(i).label();
    }
    return ClassificationMetrics.accuracy(labels, t.score(inputs).perModality()[modality], 3);
  }

  @Test
  void twoDeterministicRunsAreBitIdenticalAndSamDoesNotMoveStatisticsTwice() {
    List<LabeledSample> data = Spectrograms.samples(48, 3);
    try (IgmTrainer a = new IgmTrainer(Spectrograms.config("igm", false).build());
        IgmTrainer b = new IgmTrainer(Spectrograms.config("igm", false).build());
        IgmTrainer zeroRho = new IgmTrainer(Spectrograms.config("igm", false).samRho(0).build());
        IgmTrainer plain = new IgmTrainer(Spectrograms.config("igm-nosam", false).build())) {
      for (IgmTrainer t : List.of(a, b, zeroRho, plain)) {
        Synthetic.train(t, data);
      }
      Bits.assertIdentical(Bits.state(a), Bits.state(b));
      // SAM at ρ = 0 is the plain step: its second forward pass (at θ+ε) must leave the running statistics alone
      Bits.assertIdentical(Bits.state(plain), Bits.state(zeroRho));
      int runningMean = a.nets().get(0).bufferNames().indexOf("spec.encoder.bn1.running_mean");
      assertThat(a.nets().get(0).buffers().get(runningMean).toFloatArray()).as("statistics moved").isNotEqualTo(new float[64]);
    }
  }

  @Test
  void resumedRunIsBitIdenticalToUninterruptedRun(@TempDir Path dir) throws Exception {
    var config = Spectrograms.config("igm", false).build();
    List<LabeledSample> data = Spectrograms.samples(77, 4);
    int cut = 45; // 5 batches (the third resnet phase has begun) + 5 pending samples
    try (IgmTrainer whole = new IgmTrainer(config); IgmTrainer first = new IgmTrainer(config)) {
      Synthetic.train(whole, data);
      Synthetic.train(first, data.subList(0, cut));
      Path file = dir.resolve("model.safetensors");
      TrainerSnapshot.capture(first, Map.of()).write(file);
      try (IgmTrainer resumed = TrainerSnapshot.read(file).restore()) {
        assertThat(resumed.pendingCount()).isEqualTo(5);
        Synthetic.train(resumed, data.subList(cut, data.size()));
        Bits.assertIdentical(Bits.state(whole), Bits.state(resumed));
        assertThat(TrainerSnapshot.capture(resumed, Map.of()).sha256())
            .isEqualTo(TrainerSnapshot.capture(whole, Map.of()).sha256());
      }
    }
  }

  @Test
  void aFrozenEncoderKeepsParametersAndStatisticsWhileTheHeadLearns() {
    try (IgmTrainer t = new IgmTrainer(Spectrograms.config("igm", true).build())) {
      ModalityNet net = t.nets().get(0);
      List<int[]> before = Bits.state(t);
      Synthetic.train(t, Spectrograms.samples(48, 5));
      List<int[]> after = Bits.state(t);
      int encoder = net.encoderParameterCount();
      int head = net.parameters().size() - encoder;
      for (int i = 0; i < encoder; i++) {
        assertThat(java.util.Arrays.equals(before.get(i), after.get(i))).as(net.parameterNames().get(i)).isTrue();
      }
      for (int i = encoder + head; i < encoder + head + net.buffers().size(); i++) {
        assertThat(java.util.Arrays.equals(before.get(i), after.get(i))).as("buffer %d", i).isTrue();
      }
      assertThat(java.util.Arrays.equals(before.get(encoder), after.get(encoder))).as("head.0.weight").isFalse();
      // a frozen encoder's parameters are still in the snapshot: it must reproduce the model on its own
      assertThat(TrainerSnapshot.capture(t, Map.of()).tensors().length).isGreaterThan(4 * 11_000_000);
    }
  }

  @Test
  void aRefusedStepLeavesTheRunningStatisticsUntouched() {
    List<LabeledSample> data = new ArrayList<>(Spectrograms.samples(8, 6));
    float[] bad = data.get(2).inputs()[0].clone();
    bad[17] = Float.POSITIVE_INFINITY;
    data.set(2, new LabeledSample("bad", data.get(2).label(), new float[][] {bad, data.get(2).inputs()[1]}));
    try (IgmTrainer t = new IgmTrainer(Spectrograms.config("igm", false).build())) {
      List<int[]> before = Bits.state(t);
      List<StepReport> reports = Synthetic.train(t, data);
      assertThat(reports).singleElement().satisfies(r -> assertThat(r.refused()).isTrue());
      Bits.assertIdentical(before, Bits.state(t));
      assertThat(Synthetic.train(t, Spectrograms.samples(8, 7)).get(0).refused()).isFalse();
      assertThat(java.util.Arrays.equals(before.get(0), Bits.state(t).get(0))).isFalse();
    }
  }
}
