package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.Adam} (amsgrad off, L2 weight decay added to the gradient): {@code m = β1·m +
 * (1−β1)·g; v = β2·v + (1−β2)·g²; θ −= (lr/(1−β1^t)) · m / (√v/√(1−β2^t) + ε)}.
 */
public final class Adam implements ParameterOptimizer {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private NDArray[] m;
  private NDArray[] v;
  private long steps;

  public Adam(double beta1, double beta2, double eps, double weightDecay) {
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
  }

  @Override
  public void step(List<NDArray> params, List<NDArray> grads, double lr) {
    if (m == null) {
      m = new NDArray[params.size()];
      v = new NDArray[params.size()];
      for (int i = 0; i < params.size(); i++) {
        m[i] = Persistent.keep(params.get(i).zerosLike(), params.get(i).getManager());
        v[i] = Persistent.keep(params.get(i).zerosLike(), params.get(i).getManager());
      }
    }
    steps++;
    double bc1 = 1 - Math.pow(beta1, steps);
    double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, steps));
    double stepSize = lr / bc1;
    for (int i = 0; i < params.size(); i++) {
      NDArray p = params.get(i);
      NDArray g = grads.get(i);
      if (weightDecay != 0) {
        g = g.add(p.mul(weightDecay));
      }
      m[i].muli(beta1).addi(g.mul(1 - beta1));
      v[i].muli(beta2).addi(g.mul(g).muli(1 - beta2));
      NDArray denom = v[i].sqrt().divi(bc2Sqrt).addi(eps);
      p.subi(m[i].div(denom).muli(stepSize));
    }
  }

  @Override
  public long steps() {
    return steps;
  }

  @Override
  public Map<String, NDArray> state() {
    Map<String, NDArray> s = new LinkedHashMap<>();
    if (m != null) {
      for (int i = 0; i < m.length; i++) {
        s.put("adam_m." + i, m[i]);
        s.put("adam_v." + i, v[i]);
      }
    }
    return s;
  }

  @Override
  public void restore(NDManager manager, Map<String, NDArray> state, long steps) {
    this.steps = steps;
    int n = state.size() / 2;
    if (n == 0) {
      m = null;
      v = null;
      return;
    }
    m = new NDArray[n];
    v = new NDArray[n];
    for (int i = 0; i < n; i++) {
      m[i] = Persistent.keep(state.get("adam_m." + i).duplicate(), manager);
      v[i] = Persistent.keep(state.get("adam_v." + i).duplicate(), manager);
    }
  }
}
