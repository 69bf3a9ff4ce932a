package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Updates checked against PyTorch's documented algorithms, computed by hand in double precision.
 */
class OptimizerTest {
  private static final double[] THETA = {0.5, -1.25, 2.0};
  private static final double[][] GRADS = {{0.1, -0.2, 0.3}, {-0.4, 0.05, 0.0}, {0.2, 0.2, -0.6}};

  @Test
  void sgdWithMomentumAndWeightDecayMatchesTorchSemantics() {
    double lr = 0.1;
    double mu = 0.9;
    double wd = 0.01;
    double[] theta = THETA.clone();
    double[] buf = null;
    for (double[] g : GRADS) {
      double[] d = new double[3];
      for (int i = 0; i < 3; i++) {
        d[i] = g[i] + wd * theta[i];
      }
      if (buf == null) {
        buf = d.clone();
      } else {
        for (int i = 0; i < 3; i++) {
          buf[i] = mu * buf[i] + d[i];
        }
      }
      for (int i = 0; i < 3; i++) {
        theta[i] -= lr * buf[i];
      }
    }
    assertThat(run(new Sgd(mu, wd), lr)).containsExactly(theta, within(1e-12));
  }

  @Test
  void plainSgdWithoutMomentumIsGradientDescent() {
    double[] out = run(new Sgd(0, 0), 0.5);
    double[] expect = THETA.clone();
    for (double[] g : GRADS) {
      for (int i = 0; i < 3; i++) {
        expect[i] -= 0.5 * g[i];
      }
    }
    assertThat(out).containsExactly(expect, within(1e-12));
  }

  @Test
  void adamWithL2WeightDecayMatchesTorchSemantics() {
    double lr = 0.01;
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-8;
    double wd = 0.1;
    double[] theta = THETA.clone();
    double[] m = new double[3];
    double[] v = new double[3];
    int t = 0;
    for (double[] g0 : GRADS) {
      t++;
      for (int i = 0; i < 3; i++) {
        double g = g0[i] + wd * theta[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        double mhat = m[i] / (1 - Math.pow(b1, t));
        double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
        theta[i] -= lr * mhat / denom;
      }
    }
    assertThat(run(new Adam(b1, b2, eps, wd), lr)).containsExactly(theta, within(1e-12));
  }

  @Test
  void optimizerStateRoundTripsThroughRestore() {
    try (NDManager m = NDManager.newBaseManager()) {
      Sgd a = new Sgd(0.9, 0);
      NDArray p = m.create(THETA.clone());
      a.step(List.of(p), List.of(m.create(GRADS[0])), 0.1);
      Sgd b = new Sgd(0.9, 0);
      b.restore(m, a.state(), a.steps());
      NDArray pa = p.duplicate();
      NDArray pb = p.duplicate();
      a.step(List.of(pa), List.of(m.create(GRADS[1])), 0.1);
      b.step(List.of(pb), List.of(m.create(GRADS[1])), 0.1);
      assertThat(pb.toDoubleArray()).containsExactly(pa.toDoubleArray());
      assertThat(b.steps()).isEqualTo(2);
    }
  }

  private static double[] run(ParameterOptimizer opt, double lr) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray p = m.create(THETA.clone());
      assertThat(p.getDataType()).isEqualTo(DataType.FLOAT64);
      for (double[] g : GRADS) {
        opt.step(List.of(p), List.of(m.create(g)), lr);
      }
      return p.toDoubleArray();
    }
  }
}
