package dev.igm.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.igm.core.model.ModalityNet;
import dev.igm.core.model.Pass;
import java.util.ArrayList;
import java.util.List;

/**
 * The late-fusion baseline's step ({@code joint}): loss = cross-entropy of the summed logits, every
 * modality in one step, no SAM and no gradient modification; each modality's own optimizer steps
 * its parameters. A non-finite loss or gradient refuses the whole step (rule 8). See
 * docs/ALGORITHM.md, "Methods".
 */
final class JointStep {
  private final List<ModalityNet> nets;
  private final BatchArrays arrays;
  private final Optimizers optimizers;

  JointStep(List<ModalityNet> nets, BatchArrays arrays, Optimizers optimizers) {
    this.nets = nets;
    this.arrays = arrays;
    this.optimizers = optimizers;
  }

  /**
   * One joint step on {@code batch}; hands every modality's logits and their sum to {@code sheet}
   * when given.
   */
  StepReport run(List<LabeledSample> batch, long b, double lr, ScoreSheet sheet) {
    try (NDScope ignored = new NDScope()) {
      StepReport r = runInScope(batch, b, lr, sheet);
      if (!r.refused()) {
        nets.forEach(ModalityNet::commitStatistics);
      }
      return r;
    } finally {
      nets.forEach(ModalityNet::discardStatistics);
    }
  }

  private StepReport runInScope(List<LabeledSample> batch, long b, double lr, ScoreSheet sheet) {
    NDArray y = arrays.oneHot(BatchArrays.labels(batch));
    List<List<Integer>> trainable = new ArrayList<>();
    List<Trainable.PassParameters> theta = new ArrayList<>();
    List<NDArray> xs = new ArrayList<>();
    for (int j = 0; j < nets.size(); j++) {
      ModalityNet net = nets.get(j);
      trainable.add(Trainable.indices(net));
      xs.add(arrays.input(BatchArrays.stack(batch, j), batch.size(), net.spec().inputSize()));
      theta.add(Trainable.forPass(net, trainable.get(j)));
    }
    NDArray loss;
    NDArray[] logits = new NDArray[nets.size()];
    NDArray sum = null;
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      for (int j = 0; j < nets.size(); j++) {
        ModalityNet net = nets.get(j);
        logits[j] = net.forward(xs.get(j), theta.get(j).forward(), Pass.TRAINING).logits;
        sum = sum == null ? logits[j] : sum.add(logits[j]);
      }
      loss = Losses.crossEntropy(sum, y);
      gc.backward(loss);
    }
    if (sheet != null) {
      for (int j = 0; j < nets.size(); j++) {
        sheet.modality(j, logits[j]); // prequential scores from this pass
      }
      sheet.logitSum(sum);
    }
    double lossValue = loss.toType(DataType.FLOAT64, false).getDouble();
    List<List<NDArray>> grads = new ArrayList<>();
    double norm2 = 0;
    for (int j = 0; j < nets.size(); j++) {
      grads.add(theta.get(j).gradients());
      norm2 += Trainable.squaredNorm(grads.get(j));
    }
    if (!Double.isFinite(lossValue) || !Double.isFinite(norm2)) {
      return new StepReport(b, "joint", lossValue, true, lr, Math.sqrt(norm2));
    }
    for (int j = 0; j < nets.size(); j++) {
      optimizers.of(j).step(Trainable.parameters(nets.get(j), trainable.get(j)), grads.get(j), lr);
    }
    return new StepReport(b, "joint", lossValue, false, lr, Math.sqrt(norm2));
  }
}
