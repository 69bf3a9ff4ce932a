package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.model.ModalityNet;
import dev.igm.core.model.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Gradients of the head (and an MLP encoder) through DJL agree with central finite differences in
 * float64.
 */
class GradientCheckTest {

  @Test
  void headAndEncoderGradientsMatchFiniteDifferences() {
    try (NDManager m = NDManager.newBaseManager()) {
      ModalitySpec spec = new ModalitySpec("v", List.of(5), "mlp", List.of(7), null, false);
      ModalityNet net = new ModalityNet(m, spec, List.of(6, 4), 3, new Rng(11), DataType.FLOAT64);
      Rng r = new Rng(3);
      double[] xs = new double[4 * 5];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = r.nextGaussian();
      }
      NDArray x = m.create(xs, new Shape(4, 5));
      NDArray y = m.create(new int[] {0, 2, 1, 2}).oneHot(3).toType(DataType.FLOAT64, false);

      for (NDArray p : net.parameters()) {
        p.getGradient().subi(p.getGradient());
      }
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(Losses.crossEntropy(net.forward(x).logits, y));
      }
      double h = 1e-6;
      int checked = 0;
      for (int pi = 0; pi < net.parameters().size(); pi++) {
        NDArray p = net.parameters().get(pi);
        double[] grad = p.getGradient().toDoubleArray();
        double[] base = p.toDoubleArray();
        for (int k = 0; k < base.length; k += Math.max(1, base.length / 5)) {
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
              .as("%s[%d]", net.parameterNames().get(pi), k)
              .isCloseTo(fd, org.assertj.core.api.Assertions.within(1e-7 + 1e-5 * Math.abs(fd)));
          checked++;
        }
      }
      assertThat(checked).isGreaterThan(30);
    }
  }
}
