package dev.igm.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.igm.core.config.ModalitySpec;
import java.util.ArrayList;
import java.util.List;

/**
 * ResNet-18 trunk for spectrograms {@code [1,H,W]} (or {@code [H,W]}), images {@code [C,H,W]} and
 * clips of frames {@code [C,F,H,W]}, trained from scratch, as the reference code's {@code
 * models/Resnet.py} + {@code AudioEncoder} / {@code VideoEncoder}: conv 7×7/2 → BN → ReLU →
 * max-pool 3×3/2 → four stages of two BasicBlocks (64, 128, 256, 512 channels; stride 2 from stage
 * 2 on, 1×1 conv + BN shortcut where the shape changes) → average pool → flatten: z is 512-d.
 *
 * <p><b>Clips.</b> A {@code [C,F,H,W]} sample (channel, frame, height, width: the layout the
 * CREMA-D and Kinetics-Sounds readers write) is run as the reference's visual path runs it: the
 * frames are folded into the batch ({@code [N,C,F,H,W] → [N,F,C,H,W] → [N·F,C,H,W]}), the same
 * trunk is applied to every frame, and the last feature maps are averaged over frames and positions
 * together — the reference's {@code adaptive_avg_pool3d(v, 1)} over {@code (F, h, w)}. Every frame
 * has the same {@code h×w}, so that is the mean over frames of each frame's global average pool,
 * which is how it is computed here. Average pooling because it is the reference's choice (so a
 * model trained here matches one trained there), because it does not depend on frame order (the
 * readers take frames in file name order, the reference in {@code os.listdir} order), and because
 * one frame ({@code F = 1}) gives exactly the features of the same image as {@code [C,H,W]}.
 * BatchNorm in a training pass normalises with statistics over all {@code N·F} frames of the batch,
 * and the running statistics move once per applied step with those — the reference's behaviour,
 * since its BatchNorm sees the folded batch.
 *
 * <p>Written functionally on NDArrays so that {@link #forward} can run on substitute parameter
 * arrays (SAM's θ+ε as separate leaves). Parameter and buffer names are torchvision's ({@code
 * conv1.weight}, {@code layer2.0.downsample.1.bias}, {@code bn1.running_var}), so a snapshot's
 * encoder tensors load into {@code torchvision.models.resnet18} with {@code strict=False} (no
 * {@code num_batches_tracked}: the momentum is fixed, so the count is never needed).
 *
 * <p>Initialisation as torchvision: conv weights kaiming-normal with {@code mode='fan_out'}, gain
 * √2 (std √(2/(out·kh·kw))), drawn from {@code rng} in parameter order; BN γ = 1, β = 0, running
 * mean 0, variance 1.
 *
 * <p>BatchNorm statistics (momentum 0.1, eps 1e-5, PyTorch's defaults): a {@link Pass#TRAINING}
 * pass normalises with batch statistics and updates <em>copies</em> of the running statistics,
 * which become the encoder's own only on {@link #commitStatistics()} — the trainer commits after an
 * applied step, so SAM's second pass ({@link Pass#PROBE}) and refused steps never move them. A
 * frozen encoder always runs as in {@code eval()}.
 */
final class ResNet18Encoder extends AbstractEncoder {
  private static final int[] STAGE_WIDTHS = {64, 128, 256, 512};
  private static final double BN_MOMENTUM = 0.1;
  private static final double BN_EPS = 1e-5;

  /**
   * A bias-free convolution followed by BatchNorm, by index into the parameter and buffer lists.
   */
  private record ConvBn(int weight, int gamma, int runningMean, int stride, int padding) {}

  private record BasicBlock(ConvBn first, ConvBn second, ConvBn shortcut) {}

  private final int channels;
  private final int frames;
  private final int height;
  private final int width;
  private final boolean frozen;
  private final ConvBn stem;
  private final List<BasicBlock> blocks = new ArrayList<>();
  private final NDArray[] staged;

  ResNet18Encoder(NDManager manager, ModalitySpec spec, Rng rng, DataType dtype) {
    List<Integer> s = spec.inputShape();
    if (s.size() < 2 || s.size() > 4) {
      throw new IllegalArgumentException(
          "modality "
              + spec.name()
              + ": a resnet18 encoder needs input.shape [H, W],"
              + " [C, H, W] or [C, F, H, W] (channel, frame, height, width), not "
              + s);
    }
    channels = s.size() == 2 ? 1 : s.get(0);
    frames = s.size() == 4 ? s.get(1) : 1;
    height = s.get(s.size() - 2);
    width = s.get(s.size() - 1);
    this.frozen = spec.encoderFrozen();
    stem = convBn(manager, "conv1", "bn1", channels, 64, 7, 2, 3, rng, dtype);
    int in = 64;
    for (int stage = 0; stage < STAGE_WIDTHS.length; stage++) {
      int out = STAGE_WIDTHS[stage];
      for (int b = 0; b < 2; b++) {
        String p = "layer" + (stage + 1) + "." + b + ".";
        int stride = stage > 0 && b == 0 ? 2 : 1;
        ConvBn first = convBn(manager, p + "conv1", p + "bn1", in, out, 3, stride, 1, rng, dtype);
        ConvBn second = convBn(manager, p + "conv2", p + "bn2", out, out, 3, 1, 1, rng, dtype);
        ConvBn shortcut =
            stride != 1 || in != out
                ? convBn(
                    manager,
                    p + "downsample.0",
                    p + "downsample.1",
                    in,
                    out,
                    1,
                    stride,
                    0,
                    rng,
                    dtype)
                : null;
        blocks.add(new BasicBlock(first, second, shortcut));
        in = out;
      }
    }
    staged = new NDArray[buffers().size()];
  }

  private ConvBn convBn(
      NDManager manager,
      String conv,
      String bn,
      int in,
      int out,
      int k,
      int stride,
      int padding,
      Rng rng,
      DataType dtype) {
    double std = Math.sqrt(2.0 / (out * k * k));
    double[] w = new double[out * in * k * k];
    for (int i = 0; i < w.length; i++) {
      w[i] = std * rng.nextGaussian();
    }
    int weight =
        addParameter(
            conv + ".weight", LinearLayer.create(manager, w, new Shape(out, in, k, k), dtype));
    int gamma =
        addParameter(
            bn + ".weight", LinearLayer.create(manager, filled(out, 1), new Shape(out), dtype));
    addParameter(bn + ".bias", LinearLayer.create(manager, filled(out, 0), new Shape(out), dtype));
    int mean =
        addBuffer(
            bn + ".running_mean",
            LinearLayer.create(manager, filled(out, 0), new Shape(out), dtype));
    addBuffer(
        bn + ".running_var", LinearLayer.create(manager, filled(out, 1), new Shape(out), dtype));
    return new ConvBn(weight, gamma, mean, stride, padding);
  }

  private static double[] filled(int n, double v) {
    double[] a = new double[n];
    java.util.Arrays.fill(a, v);
    return a;
  }

  @Override
  public int outputDim() {
    return STAGE_WIDTHS[STAGE_WIDTHS.length - 1];
  }

  @Override
  public boolean acceptsSubstituteParameters() {
    return true;
  }

  @Override
  public NDArray forward(NDArray x, List<NDArray> p, Pass pass) {
    Pass mode = frozen ? Pass.INFERENCE : pass;
    long n = x.getShape().get(0);
    NDArray images =
        frames == 1
            ? x.reshape(n, channels, height, width)
            // [N, C, F, H, W] → [N, F, C, H, W] → [N·F, C, H, W]: every frame an image of the batch
            : x.reshape(n, channels, frames, height, width)
                .transpose(0, 2, 1, 3, 4)
                .reshape(n * frames, channels, height, width);
    NDArray h = Activation.relu(convBn(stem, images, p, mode));
    h = Pool.maxPool2d(h, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
    for (BasicBlock b : blocks) {
      NDArray out = Activation.relu(convBn(b.first(), h, p, mode));
      out = convBn(b.second(), out, p, mode);
      NDArray skip = b.shortcut() == null ? h : convBn(b.shortcut(), h, p, mode);
      h = Activation.relu(out.add(skip));
    }
    NDArray perImage = Pool.globalAvgPool2d(h).reshape(n * frames, outputDim());
    // one frame: the image's features as they are (no mean over a single frame, so F = 1 equals [C,
    // H, W] exactly)
    return frames == 1 ? perImage : perImage.reshape(n, frames, outputDim()).mean(new int[] {1});
  }

  private NDArray convBn(ConvBn c, NDArray h, List<NDArray> p, Pass mode) {
    NDArray y =
        Conv2d.conv2d(
                h,
                p.get(c.weight()),
                null,
                new Shape(c.stride(), c.stride()),
                new Shape(c.padding(), c.padding()),
                new Shape(1, 1),
                1)
            .singletonOrThrow();
    NDArray mean = buffers().get(c.runningMean());
    NDArray var = buffers().get(c.runningMean() + 1);
    boolean batchStatistics = mode != Pass.INFERENCE;
    if (batchStatistics) {
      // torch updates the statistics it is given in place: give it copies, kept only if this pass
      // is committed
      mean = mean.duplicate();
      var = var.duplicate();
      if (mode == Pass.TRAINING) {
        staged[c.runningMean()] = mean;
        staged[c.runningMean() + 1] = var;
      }
    }
    // JniUtils directly rather than BatchNorm.batchNorm: DJL's wrapper takes MXNet's float momentum
    // (0.9f) and hands
    // torch 1 − 0.9f = 0.100000024, not PyTorch's 0.1
    return JniUtils.batchNorm(
        (PtNDArray) y,
        (PtNDArray) mean,
        (PtNDArray) var,
        (PtNDArray) p.get(c.gamma()),
        (PtNDArray) p.get(c.gamma() + 1),
        batchStatistics,
        BN_MOMENTUM,
        BN_EPS);
  }

  @Override
  public void commitStatistics() {
    for (int i = 0; i < staged.length; i++) {
      if (staged[i] != null) {
        buffers().get(i).set(new NDIndex("..."), staged[i]);
        staged[i] = null;
      }
    }
  }

  @Override
  public void discardStatistics() {
    java.util.Arrays.fill(staged, null);
  }
}
