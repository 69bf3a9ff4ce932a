package dev.igm.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.igm.core.model.ModalityNet;
import dev.igm.core.model.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * SAM as the reference code does it ({@code sam.variant: reference}): the training pass sees a
 * mixup of the batch (α = {@code sam.mixup-alpha}, partner order and λ drawn from the trainer's
 * RNG); the head is nudged by {@code ρ·g/‖g‖} per tensor (the encoder by {@code sam.rho.encoder})
 * and not restored; the gradient is that of {@code (1−r)·L_mixup(θ) + r·L(head_{θ+ε}(z), y)} with z
 * the features of the mixed batch and r = {@code sam.flat-ratio}. See docs/ALGORITHM.md, "SAM".
 */
final class ReferenceSamGradient implements GradientEstimator {
  private final Rng rng;
  private final double mixupAlpha;
  private final double rho;
  private final double rhoEncoder;
  private final double flatRatio;

  ReferenceSamGradient(
      Rng rng, double mixupAlpha, double rho, double rhoEncoder, double flatRatio) {
    this.rng = rng;
    this.mixupAlpha = mixupAlpha;
    this.rho = rho;
    this.rhoEncoder = rhoEncoder;
    this.flatRatio = flatRatio;
  }

  @Override
  public TrainingPass trainingPass(float[] input, int[] labels, BatchArrays arrays) {
    int n = labels.length;
    double lambda = rng.nextBeta(mixupAlpha, mixupAlpha);
    int[] partner = rng.permutation(n);
    int[] partnerLabels = new int[n];
    for (int i = 0; i < n; i++) {
      partnerLabels[i] = labels[partner[i]];
    }
    return new TrainingPass(
        mixup(input, n, partner, lambda),
        (logits, y) -> Losses.mixup(logits, y, arrays.oneHot(partnerLabels), lambda));
  }

  @Override
  public boolean passSeesTheBatchAsIs() {
    return false; // the pass sees the mixed-up batch
  }

  @Override
  public List<NDArray> estimate(
      ModalityNet net,
      List<Integer> trainable,
      NDArray x,
      NDArray y,
      List<NDArray> g,
      double norm,
      ModalityNet.Forward f) {
    int headStart = net.headWeightIndex(0);
    List<NDArray> gOri = new ArrayList<>();
    List<NDArray> eps = new ArrayList<>();
    for (int t = 0; t < trainable.size(); t++) {
      NDArray gt = g.get(t).duplicate();
      gOri.add(gt);
      double n = Math.sqrt(gt.square().sum().toType(DataType.FLOAT64, false).getDouble());
      double r = trainable.get(t) >= headStart ? rho : rhoEncoder;
      eps.add(gt.mul(n > 0 ? r / n : 0));
    }
    List<NDArray> params = new ArrayList<>(net.parameters());
    List<NDArray> headLeaves = new ArrayList<>();
    for (int t = 0; t < trainable.size(); t++) {
      int idx = trainable.get(t);
      if (idx >= headStart) {
        NDArray p = params.get(idx).add(eps.get(t));
        p.setRequiresGradient(true);
        params.set(idx, p);
        headLeaves.add(p);
      }
    }
    Trainable.zeroGradients(net, trainable);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray z = net.forward(x, params).features();
      NDArray loss = Losses.crossEntropy(net.head(z, params, null), y);
      gc.backward(loss);
      if (!Double.isFinite(loss.toType(DataType.FLOAT64, false).getDouble())) {
        return null;
      }
    }
    List<NDArray> out = new ArrayList<>();
    int h = 0;
    for (int t = 0; t < trainable.size(); t++) {
      int idx = trainable.get(t);
      NDArray gFlat =
          idx >= headStart
              ? headLeaves.get(h++).getGradient()
              : net.parameters().get(idx).getGradient();
      out.add(gOri.get(t).mul(1 - flatRatio).add(gFlat.mul(flatRatio)));
    }
    // the reference leaves the perturbation in place: the optimizer steps from θ + ε
    for (int t = 0; t < trainable.size(); t++) {
      net.parameters().get(trainable.get(t)).addi(eps.get(t));
    }
    return out;
  }

  private static float[] mixup(float[] x, int n, int[] partner, double lambda) {
    int d = x.length / n;
    float[] out = new float[x.length];
    for (int s = 0; s < n; s++) {
      for (int i = 0; i < d; i++) {
        out[s * d + i] = (float) (lambda * x[s * d + i] + (1 - lambda) * x[partner[s] * d + i]);
      }
    }
    return out;
  }
}
