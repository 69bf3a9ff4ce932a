package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.igm.core.model.ModalityNet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One optimizer per modality (rule 7: only modality j's state moves in its step; momentum carries
 * across phases) and the learning rate of each batch. See docs/ALGORITHM.md, "Optimizer".
 */
final class Optimizers {
  private final List<ParameterOptimizer> perModality = new ArrayList<>();
  private final LearningRateSchedule learningRate;

  Optimizers(
      int modalities, Supplier<ParameterOptimizer> factory, LearningRateSchedule learningRate) {
    for (int j = 0; j < modalities; j++) {
      perModality.add(factory.get());
    }
    this.learningRate = learningRate;
  }

  ParameterOptimizer of(int j) {
    return perModality.get(j);
  }

  double learningRate(long b) {
    return learningRate.at(b);
  }

  /**
   * {@code <parameter>.momentum} or {@code <parameter>.adam_m|adam_v}, and the step count in {@code
   * optimizerSteps}.
   */
  void export(int j, ModalityNet net, StateWriter out) {
    List<String> names = trainableNames(net);
    ParameterOptimizer opt = perModality.get(j);
    out.<Long>list("optimizerSteps").add(opt.steps());
    for (Map.Entry<String, NDArray> e : opt.state().entrySet()) {
      String[] kind = e.getKey().split("\\.");
      out.copy(names.get(Integer.parseInt(kind[1])) + "." + kind[0], e.getValue());
    }
  }

  void restore(int j, ModalityNet net, StateReader in, NDManager manager) {
    List<String> names = trainableNames(net);
    Map<String, NDArray> state = new LinkedHashMap<>();
    for (int t = 0; t < names.size(); t++) {
      for (String kind : List.of("momentum", "adam_m", "adam_v")) {
        NDArray a = in.optional(names.get(t) + "." + kind);
        if (a != null) {
          state.put(kind + "." + t, a);
        }
      }
    }
    List<Long> steps = in.metadata().optimizerSteps();
    if (steps.size() <= j) {
      throw new IllegalArgumentException(
          "snapshot has no optimizer step count for modality " + net.name());
    }
    perModality.get(j).restore(manager, state, steps.get(j));
  }

  private static List<String> trainableNames(ModalityNet net) {
    List<String> names = new ArrayList<>();
    for (int p : Trainable.indices(net)) {
      names.add(net.parameterNames().get(p));
    }
    return names;
  }
}
