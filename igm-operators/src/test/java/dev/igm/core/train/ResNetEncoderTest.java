package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.model.ModalityNet;
import dev.igm.core.model.Pass;
import dev.igm.core.model.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The resnet18 encoder on its own: shapes, names, initialisation, gradients, and when BatchNorm
 * statistics move.
 */
class ResNetEncoderTest {

  private static NDArray gaussian(NDManager m, Rng r, Shape shape, DataType dtype) {
    double[] v = new double[(int) shape.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextGaussian();
    }
    return m.create(v, shape).toType(dtype, false);
  }

  @Test
  void featuresAre512WideForSpectrogramsAndFrames() {
    try (NDManager m = NDManager.newBaseManager()) {
      for (List<Integer> shape : List.of(List.of(1, 16, 16), List.of(3, 20, 24), List.of(9, 9))) {
        ModalitySpec spec = new ModalitySpec("v", shape, "resnet18", List.of(), null, false);
        ModalityNet net = new ModalityNet(m, spec, List.of(16, 8), 3, new Rng(1), DataType.FLOAT32);
        assertThat(net.featureDim()).isEqualTo(512);
        int size = spec.inputSize();
        ModalityNet.Forward f =
            net.forward(gaussian(m, new Rng(2), new Shape(2, size), DataType.FLOAT32));
        assertThat(f.features().getShape()).isEqualTo(new Shape(2, 512));
        assertThat(f.logits.getShape()).isEqualTo(new Shape(2, 3));
      }
    }
  }

  @Test
  void namesFollowTorchvisionAndInitialisationIsKaimingFanOut() {
    try (NDManager m = NDManager.newBaseManager()) {
      ModalityNet net =
          new ModalityNet(
              m, Spectrograms.resnet(false), List.of(16, 8), 3, new Rng(1), DataType.FLOAT32);
      List<String> names = net.parameterNames();
      assertThat(names)
          .startsWith(
              "spec.encoder.conv1.weight", "spec.encoder.bn1.weight", "spec.encoder.bn1.bias");
      assertThat(names)
          .contains("spec.encoder.layer2.0.downsample.0.weight", "spec.encoder.layer4.1.bn2.bias");
      assertThat(names).doesNotContain("spec.encoder.layer1.0.downsample.0.weight");
      assertThat(net.encoderParameterCount()).isEqualTo(60); // 20 convs, each with a BN γ/β pair
      assertThat(net.bufferNames()).hasSize(40).contains("spec.encoder.layer3.1.bn1.running_var");
      long count = 0;
      for (int i = 0; i < net.encoderParameterCount(); i++) {
        count += net.parameters().get(i).size();
      }
      assertThat(count)
          .isEqualTo(11_170_240L); // torchvision resnet18 trunk with a 1-channel conv1, no fc

      double[] w =
          net.parameters().get(0).toType(DataType.FLOAT64, false).toDoubleArray(); // 64x1x7x7
      double mean = 0;
      double sq = 0;
      for (double v : w) {
        mean += v / w.length;
        sq += v * v / w.length;
      }
      assertThat(Math.sqrt(sq - mean * mean)).isCloseTo(Math.sqrt(2.0 / (64 * 49)), within(0.01));
      assertThat(net.parameters().get(1).toFloatArray()).containsOnly(1f);
      assertThat(net.parameters().get(2).toFloatArray()).containsOnly(0f);

      ModalityNet again =
          new ModalityNet(
              m, Spectrograms.resnet(false), List.of(16, 8), 3, new Rng(1), DataType.FLOAT32);
      for (int i = 0; i < net.parameters().size(); i++) {
        // isEqualTo compares arrays with Arrays.equals; containsExactly's diff is quadratic on
        // 2.4M-element tensors
        assertThat(again.parameters().get(i).toFloatArray())
            .isEqualTo(net.parameters().get(i).toFloatArray());
      }
    }
  }

  @Test
  void encoderAndHeadGradientsMatchFiniteDifferences() {
    try (NDManager m = NDManager.newBaseManager()) {
      // batch 8 of 16x16: with fewer values per BatchNorm channel (layer4 sees 1x1 maps) the loss
      // is so curved that
      // central differences need h far below 1e-6 to agree
      ModalitySpec spec =
          new ModalitySpec("v", List.of(1, 16, 16), "resnet18", List.of(), null, false);
      ModalityNet net = new ModalityNet(m, spec, List.of(6, 4), 3, new Rng(11), DataType.FLOAT64);
      NDArray x = gaussian(m, new Rng(3), new Shape(8, 256), DataType.FLOAT64);
      NDArray y =
          m.create(new int[] {0, 2, 1, 1, 0, 2, 2, 1}).oneHot(3).toType(DataType.FLOAT64, false);
      for (NDArray p : net.parameters()) {
        p.getGradient().subi(p.getGradient());
      }
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(Losses.crossEntropy(net.forward(x).logits, y));
      }
      double h = 1e-6;
      int checked = 0;
      for (String name :
          List.of(
              "v.encoder.conv1.weight",
              "v.encoder.bn1.weight",
              "v.encoder.layer1.0.conv2.weight",
              "v.encoder.layer2.0.downsample.0.weight",
              "v.encoder.layer3.1.bn2.bias",
              "v.encoder.layer4.1.conv2.weight",
              "v.encoder.layer4.1.bn2.weight",
              "v.head.0.weight",
              "v.head.2.bias")) {
        int pi = net.parameterNames().indexOf(name);
        NDArray p = net.parameters().get(pi);
        double[] grad = p.getGradient().toDoubleArray();
        double[] base = p.toDoubleArray();
        Rng pick = new Rng(pi);
        for (int n = 0; n < 4; n++) {
          // 3x3 kernels on layer4's 1x1 maps only ever touch data with their centre tap: check that
          // one there
          int k =
              name.contains("layer4") && name.contains("conv")
                  ? 9 * pick.nextInt(base.length / 9) + 4
                  : pick.nextInt(base.length);
          double[] plus = base.clone();
          plus[k] += h;
          p.set(m.create(plus, p.getShape()).toByteBuffer());
          double lp = Losses.crossEntropy(net.forward(x).logits, y).getDouble();
          double[] minus = base.clone();
          minus[k] -= h;
          p.set(m.create(minus, p.getShape()).toByteBuffer());
          double lm = Losses.crossEntropy(net.forward(x).logits, y).getDouble();
          p.set(m.create(base, p.getShape()).toByteBuffer());
          double fd = (lp - lm) / (2 * h);
          assertThat(grad[k])
              .as("%s[%d]", name, k)
              .isCloseTo(fd, within(1e-7 + 1e-4 * Math.abs(fd)));
          checked++;
        }
      }
      assertThat(checked).isEqualTo(36);
    }
  }

  @Test
  void runningStatisticsMoveOnlyWhenATrainingPassIsCommitted() {
    try (NDManager m = NDManager.newBaseManager()) {
      ModalityNet net =
          new ModalityNet(
              m, Spectrograms.resnet(false), List.of(16, 8), 3, new Rng(1), DataType.FLOAT32);
      NDArray x = gaussian(m, new Rng(5), new Shape(4, 256), DataType.FLOAT32).add(2);
      int mean = net.bufferNames().indexOf("spec.encoder.bn1.running_mean");
      int var = net.bufferNames().indexOf("spec.encoder.bn1.running_var");
      float[] before = net.buffers().get(mean).toFloatArray();

      net.forward(x, net.parameters(), Pass.PROBE);
      net.forward(x, net.parameters(), Pass.INFERENCE);
      assertThat(net.buffers().get(mean).toFloatArray()).containsExactly(before);

      net.forward(x, net.parameters(), Pass.TRAINING);
      assertThat(net.buffers().get(mean).toFloatArray())
          .as("staged, not yet committed")
          .containsExactly(before);
      net.discardStatistics();
      net.commitStatistics();
      assertThat(net.buffers().get(mean).toFloatArray()).as("discarded").containsExactly(before);

      // committed: running = 0.9·running + 0.1·batch (PyTorch's momentum 0.1; the variance
      // unbiased)
      ModalityNet.Forward probe = net.forward(x, net.parameters(), Pass.PROBE);
      net.forward(x, net.parameters(), Pass.TRAINING);
      net.commitStatistics();
      float[] after = net.buffers().get(mean).toFloatArray();
      float[] runningVar = net.buffers().get(var).toFloatArray();
      NDArray conv =
          ai.djl.nn.convolutional.Conv2d.conv2d(
                  x.reshape(4, 1, 16, 16),
                  net.parameters().get(0),
                  null,
                  new Shape(2, 2),
                  new Shape(3, 3),
                  new Shape(1, 1),
                  1)
              .singletonOrThrow();
      NDArray perChannel = conv.transpose(1, 0, 2, 3).reshape(64, -1);
      float[] batchMean = perChannel.mean(new int[] {1}).toFloatArray();
      long count = perChannel.getShape().get(1);
      float[] batchVar =
          perChannel
              .sub(perChannel.mean(new int[] {1}, true))
              .square()
              .sum(new int[] {1})
              .div(count - 1)
              .toFloatArray();
      for (int c = 0; c < after.length; c++) {
        assertThat(after[c]).isCloseTo(0.1f * batchMean[c], within(1e-5f));
        assertThat(runningVar[c]).isCloseTo(0.9f + 0.1f * batchVar[c], within(1e-4f));
      }
      // inference now normalises with the running statistics, so it differs from the
      // batch-statistics pass
      ModalityNet.Forward inference = net.forward(x, net.parameters(), Pass.INFERENCE);
      assertThat(inference.features().toFloatArray()).isNotEqualTo(probe.features().toFloatArray());
    }
  }
}
