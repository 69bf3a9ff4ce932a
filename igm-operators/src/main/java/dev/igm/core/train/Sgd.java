package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.SGD} (no dampening, no Nesterov): {@code d = g + wd·θ}; {@code buf = μ·buf +
 * d} with {@code buf = d} at the first step; {@code θ −= lr·buf}.
 */
public final class Sgd implements ParameterOptimizer {
  private final double momentum;
  private final double weightDecay;
  private NDArray[] buffers;
  private long steps;

  public Sgd(double momentum, double weightDecay) {
    this.momentum = momentum;
    this.weightDecay = weightDecay;
  }

  @Override
  public void step(List<NDArray> params, List<NDArray> grads, double lr) {
    if (buffers == null) {
      buffers = new NDArray[params.size()];
    }
    // temporaries are closed as soon as they are used, so the next parameter's reuse their memory
    for (int i = 0; i < params.size(); i++) {
      NDArray p = params.get(i);
      NDArray decayed = weightDecay != 0 ? p.mul(weightDecay).addi(grads.get(i)) : null; // g + wd·θ
      NDArray d = decayed != null ? decayed : grads.get(i);
      if (momentum != 0) {
        if (buffers[i] == null) {
          buffers[i] = Persistent.keep(d.duplicate(), p.getManager());
        } else {
          buffers[i].muli(momentum).addi(d);
        }
        d = buffers[i];
      }
      try (NDArray step = d.mul(lr)) {
        p.subi(step);
      }
      if (decayed != null) {
        decayed.close();
      }
    }
    steps++;
  }

  @Override
  public long steps() {
    return steps;
  }

  @Override
  public Map<String, NDArray> state() {
    Map<String, NDArray> s = new LinkedHashMap<>();
    if (buffers != null) {
      for (int i = 0; i < buffers.length; i++) {
        if (buffers[i] != null) {
          s.put("momentum." + i, buffers[i]);
        }
      }
    }
    return s;
  }

  @Override
  public void restore(NDManager manager, Map<String, NDArray> state, long steps) {
    this.steps = steps;
    this.buffers = null;
    for (Map.Entry<String, NDArray> e : state.entrySet()) {
      int i = Integer.parseInt(e.getKey().substring("momentum.".length()));
      if (buffers == null || buffers.length <= i) {
        NDArray[] grown = new NDArray[Math.max(i + 1, buffers == null ? 0 : buffers.length)];
        if (buffers != null) {
          System.arraycopy(buffers, 0, grown, 0, buffers.length);
        }
        buffers = grown;
      }
      buffers[i] = Persistent.keep(e.getValue().duplicate(), manager);
    }
  }
}
