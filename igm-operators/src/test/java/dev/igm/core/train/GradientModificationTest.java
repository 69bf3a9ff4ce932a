package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.igm.core.FlatMatrix;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.model.ModalityNet;
import dev.igm.core.model.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GM (Eq. 5/9): when modality j trains, each head weight's gradient is multiplied on the right by T
 * of the modality before j; biases and the encoder are untouched, and a layer whose input width
 * differs is left alone.
 */
class GradientModificationTest {
  private static final double LR = 0.1;

  @Test
  void gmUsesThePreviousModalitysTOnHeadWeightsOnly() {
    IgmConfig config =
        IgmConfig.builder()
            .method("igm-nosam")
            .addModality(ModalitySpec.features("m0", 6))
            .addModality(ModalitySpec.features("m1", 4))
            .addModality(new ModalitySpec("m2", List.of(5), "mlp", List.of(4), null, false))
            .numClasses(3)
            .headWidths(List.of(8, 5))
            .batchSize(6)
            .phaseBatches(1)
            .momentum(0)
            .weightDecay(0)
            .lr(LR)
            .tau(2.0)
            .seed(5)
            .build();
    Rng r = new Rng(9);
    List<List<LabeledSample>> batches = new ArrayList<>();
    for (int b = 0; b < 3; b++) {
      List<LabeledSample> batch = new ArrayList<>();
      for (int s = 0; s < 6; s++) {
        batch.add(
            new LabeledSample(
                "b" + b + "s" + s,
                r.nextInt(3),
                new float[][] {gauss(r, 6), gauss(r, 4), gauss(r, 5)}));
      }
      batches.add(batch);
    }
    try (IgmTrainer t = new IgmTrainer(config);
        NDManager m = NDManager.newBaseManager()) {
      feed(t, batches.get(0)); // trains m0; T^0 is computed at the end of its phase
      assertThat(t.flatMatrix(0, 0)).isNotNull();
      assertThat(t.flatMatrix(0, 0).isIdentity()).isFalse();

      // batch 1 trains m1 with T^0: layer 0 widths differ (4 vs 6) -> unmodified; layers 1, 2 ->
      // times T^0
      checkStep(t, m, 1, batches.get(1), new boolean[] {false, true, true}, 0);
      // batch 2 trains m2 with T^1 (not T^0): all head layers share widths with m1
      checkStep(t, m, 2, batches.get(2), new boolean[] {true, true, true}, 1);
    }
  }

  private static void checkStep(
      IgmTrainer t, NDManager m, int j, List<LabeledSample> batch, boolean[] modified, int k) {
    ModalityNet net = t.nets().get(j);
    List<double[]> before = new ArrayList<>();
    for (NDArray p : net.parameters()) {
      before.add(doubles(p));
    }
    List<double[]> grads = rawGradients(net, m, batch, j, t.config().numClasses());
    feed(t, batch);
    for (int p = 0; p < net.parameters().size(); p++) {
      String name = net.parameterNames().get(p);
      double[] g = grads.get(p);
      int layer = -1;
      for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
        if (p == net.headWeightIndex(i)) {
          layer = i;
        }
      }
      if (layer >= 0 && modified[layer]) {
        g = timesT(g, t.flatMatrix(k, layer));
        // and it is not the same as multiplying by another modality's T
        FlatMatrix other = t.flatMatrix((k + 1) % 3, layer);
        if (other != null
            && other.dim() == t.flatMatrix(k, layer).dim()
            && other != t.flatMatrix(k, layer)) {
          assertThat(maxAbsDiff(timesT(grads.get(p), other), g)).isGreaterThan(1e-6);
        }
      }
      double[] expect = before.get(p).clone();
      for (int i = 0; i < expect.length; i++) {
        expect[i] -= LR * g[i];
      }
      assertThat(doubles(net.parameters().get(p))).as(name).containsExactly(expect, within(2e-6));
    }
  }

  private static double[] timesT(double[] g, FlatMatrix t) {
    int in = t.dim();
    int out = g.length / in;
    double[] r = new double[g.length];
    for (int o = 0; o < out; o++) {
      for (int c = 0; c < in; c++) {
        double s = 0;
        for (int q = 0; q < in; q++) {
          s += g[o * in + q] * t.get(q, c);
        }
        r[o * in + c] = s;
      }
    }
    return r;
  }

  private static double maxAbsDiff(double[] a, double[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
    }
    return d;
  }

  private static List<double[]> rawGradients(
      ModalityNet net, NDManager m, List<LabeledSample> batch, int j, int c) {
    int d = net.spec().inputSize();
    float[] x = new float[batch.size() * d];
    int[] y = new int[batch.size()];
    for (int s = 0; s < batch.size(); s++) {
      System.arraycopy(batch.get(s).inputs()[j], 0, x, s * d, d);
      y[s] = batch.get(s).label();
    }
    for (NDArray p : net.parameters()) {
      p.getGradient().subi(p.getGradient());
    }
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      gc.backward(
          Losses.crossEntropy(
              net.forward(m.create(x, new Shape(batch.size(), d))).logits, m.create(y).oneHot(c)));
    }
    List<double[]> out = new ArrayList<>();
    for (NDArray p : net.parameters()) {
      out.add(doubles(p.getGradient()));
    }
    return out;
  }

  private static double[] doubles(NDArray a) {
    return a.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
  }

  private static void feed(IgmTrainer t, List<LabeledSample> batch) {
    for (LabeledSample s : batch) {
      t.offer(s);
    }
  }

  private static float[] gauss(Rng r, int n) {
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) r.nextGaussian();
    }
    return f;
  }
}
