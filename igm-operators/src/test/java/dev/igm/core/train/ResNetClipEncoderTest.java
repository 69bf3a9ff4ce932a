package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
 * The resnet18 encoder on clips {@code [C, F, H, W]}: frames folded into the batch, one trunk per
 * frame, features averaged over frames, BatchNorm statistics over every frame of the batch;
 * gradients by finite differences.
 */
class ResNetClipEncoderTest {
  private static final int C = 3;
  private static final int F = 2;
  private static final int S = 16;

  private static float[] gaussian(Rng r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  private static ModalityNet net(NDManager m, List<Integer> shape, DataType dtype) {
    ModalitySpec spec = new ModalitySpec("v", shape, "resnet18", List.of(), null, false);
    return new ModalityNet(m, spec, List.of(16, 8), 3, new Rng(1), dtype);
  }

  /**
   * Clips {@code [n, C, F, S, S]} (flat, channel-major within a clip) to frames {@code [n·F, C, S,
   * S]} in (clip, frame) order.
   */
  private static float[] fold(float[] clips, int n) {
    int plane = S * S;
    float[] out = new float[clips.length];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < C; c++) {
        for (int f = 0; f < F; f++) {
          System.arraycopy(
              clips, ((i * C + c) * F + f) * plane, out, ((i * F + f) * C + c) * plane, plane);
        }
      }
    }
    return out;
  }

  @Test
  void aClipIsTheMeanOfItsFramesThroughOneTrunkWithBatchNormOverAllFrames() {
    try (NDManager m = NDManager.newBaseManager()) {
      ModalityNet clip = net(m, List.of(C, F, S, S), DataType.FLOAT32);
      ModalityNet image = net(m, List.of(C, S, S), DataType.FLOAT32);
      assertThat(clip.parameterNames()).isEqualTo(image.parameterNames());
      assertThat(clip.featureDim()).isEqualTo(512);
      int n = 3;
      float[] clips = gaussian(new Rng(2), n * C * F * S * S);
      NDArray x = m.create(clips, new Shape(n, C * F * S * S));
      NDArray frames = m.create(fold(clips, n), new Shape(n * F, C * S * S));
      for (Pass pass : new Pass[] {Pass.PROBE, Pass.INFERENCE}) {
        float[] z = clip.forward(x, clip.parameters(), pass).features().toFloatArray();
        // PROBE normalises with statistics over the 6 frames: the image encoder fed the same 6
        // frames sees the same
        float[] perFrame =
            image.forward(frames, image.parameters(), pass).features().toFloatArray();
        assertThat(z).hasSize(n * 512);
        for (int i = 0; i < n; i++) {
          for (int k = 0; k < 512; k++) {
            double mean = (perFrame[(i * F) * 512 + k] + perFrame[(i * F + 1) * 512 + k]) / 2.0;
            assertThat((double) z[i * 512 + k])
                .as("%s clip %d feature %d", pass, i, k)
                .isCloseTo(mean, within(1e-5 + 1e-5 * Math.abs(mean)));
          }
        }
      }

      // running statistics after one committed training pass: 0.1 × the mean over all n·F frames'
      // conv1 outputs
      clip.forward(x, clip.parameters(), Pass.TRAINING);
      clip.commitStatistics();
      NDArray conv =
          ai.djl.nn.convolutional.Conv2d.conv2d(
                  frames.reshape(n * F, C, S, S),
                  clip.parameters().get(0),
                  null,
                  new Shape(2, 2),
                  new Shape(3, 3),
                  new Shape(1, 1),
                  1)
              .singletonOrThrow();
      float[] batchMean =
          conv.transpose(1, 0, 2, 3).reshape(64, -1).mean(new int[] {1}).toFloatArray();
      float[] running =
          clip.buffers()
              .get(clip.bufferNames().indexOf("v.encoder.bn1.running_mean"))
              .toFloatArray();
      for (int c = 0; c < 64; c++) {
        assertThat(running[c]).isCloseTo(0.1f * batchMean[c], within(1e-5f));
      }
    }
  }

  @Test
  void frameOrderDoesNotMatterAndOneFrameIsExactlyTheImage() {
    try (NDManager m = NDManager.newBaseManager()) {
      ModalityNet clip = net(m, List.of(C, F, S, S), DataType.FLOAT32);
      int n = 2;
      float[] clips = gaussian(new Rng(4), n * C * F * S * S);
      float[] swapped = clips.clone();
      int plane = S * S;
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < C; c++) {
          int a = ((i * C + c) * F) * plane;
          System.arraycopy(clips, a, swapped, a + plane, plane);
          System.arraycopy(clips, a + plane, swapped, a, plane);
        }
      }
      float[] z =
          clip.forward(
                  m.create(clips, new Shape(n, C * F * S * S)), clip.parameters(), Pass.INFERENCE)
              .features()
              .toFloatArray();
      float[] zs =
          clip.forward(
                  m.create(swapped, new Shape(n, C * F * S * S)), clip.parameters(), Pass.INFERENCE)
              .features()
              .toFloatArray();
      for (int k = 0; k < z.length; k++) {
        assertThat(zs[k]).isCloseTo(z[k], within(1e-5f + 1e-5f * Math.abs(z[k])));
      }

      // [C, 1, H, W] and [C, H, W]: same parameters, same features and statistics, bit for bit
      ModalityNet one = net(m, List.of(C, 1, S, S), DataType.FLOAT32);
      ModalityNet image = net(m, List.of(C, S, S), DataType.FLOAT32);
      NDArray x = m.create(gaussian(new Rng(5), 4 * C * S * S), new Shape(4, C * S * S));
      for (Pass pass : Pass.values()) {
        assertThat(Bits.of(one.forward(x, one.parameters(), pass).logits))
            .isEqualTo(Bits.of(image.forward(x, image.parameters(), pass).logits));
      }
      one.commitStatistics();
      image.commitStatistics();
      for (int i = 0; i < one.buffers().size(); i++) {
        assertThat(Bits.of(one.buffers().get(i))).isEqualTo(Bits.of(image.buffers().get(i)));
      }
    }
  }

  @Test
  void shapesOtherThanTwoToFourAxesAreRefused() {
    try (NDManager m = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> net(m, List.of(256), DataType.FLOAT32))
          .hasMessageContaining("[C, F, H, W]");
      assertThatThrownBy(() -> net(m, List.of(1, 3, 2, 16, 16), DataType.FLOAT32))
          .hasMessageContaining("[C, F, H, W]");
    }
  }

  @Test
  void clipGradientsMatchFiniteDifferences() {
    try (NDManager m = NDManager.newBaseManager()) {
      // 4 clips of 2 one-channel 16x16 frames: 8 images per BatchNorm batch, as the 2-D check
      ModalitySpec spec =
          new ModalitySpec("v", List.of(1, 2, 16, 16), "resnet18", List.of(), null, false);
      ModalityNet net = new ModalityNet(m, spec, List.of(6, 4), 3, new Rng(11), DataType.FLOAT64);
      double[] v = new double[4 * 512];
      Rng r = new Rng(3);
      for (int i = 0; i < v.length; i++) {
        v[i] = r.nextGaussian();
      }
      NDArray x = m.create(v, new Shape(4, 512));
      NDArray y = m.create(new int[] {0, 2, 1, 1}).oneHot(3).toType(DataType.FLOAT64, false);
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
              "v.encoder.layer2.0.downsample.0.weight",
              "v.encoder.layer3.1.bn2.bias",
              "v.encoder.layer4.1.conv2.weight",
              "v.head.0.weight")) {
        int pi = net.parameterNames().indexOf(name);
        NDArray p = net.parameters().get(pi);
        double[] grad = p.getGradient().toDoubleArray();
        double[] base = p.toDoubleArray();
        Rng pick = new Rng(pi);
        for (int k = 0; k < 3; k++) {
          // layer4's 3x3 kernels on 1x1 maps only ever touch data with their centre tap
          int i =
              name.contains("layer4") && name.contains("conv")
                  ? 9 * pick.nextInt(base.length / 9) + 4
                  : pick.nextInt(base.length);
          double[] plus = base.clone();
          plus[i] += h;
          p.set(m.create(plus, p.getShape()).toByteBuffer());
          double lp = Losses.crossEntropy(net.forward(x).logits, y).getDouble();
          double[] minus = base.clone();
          minus[i] -= h;
          p.set(m.create(minus, p.getShape()).toByteBuffer());
          double lm = Losses.crossEntropy(net.forward(x).logits, y).getDouble();
          p.set(m.create(base, p.getShape()).toByteBuffer());
          double fd = (lp - lm) / (2 * h);
          assertThat(grad[i])
              .as("%s[%d]", name, i)
              .isCloseTo(fd, within(1e-7 + 1e-4 * Math.abs(fd)));
          checked++;
        }
      }
      assertThat(checked).isEqualTo(18);
    }
  }
}
