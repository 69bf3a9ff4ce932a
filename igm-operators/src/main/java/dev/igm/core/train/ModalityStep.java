package dev.igm.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.igm.core.model.ModalityNet;
import dev.igm.core.model.Pass;
import java.util.List;

/**
 * One optimizer step of one modality j — the inner step of Algorithm 1 and of every alternating
 * method: the training pass and its gradient g, the {@link GradientEstimator} (plain or SAM), the
 * {@link GradientModifier} (none, flat T or MLA's projector), the modality's optimizer, then the
 * covariance update of Eq. 2 from the unperturbed pass. A step whose loss or gradient is not finite
 * is refused whole (rule 8): parameters, optimizer state, covariances, projectors and the encoder's
 * running statistics stay as they were. See docs/ALGORITHM.md, "One step".
 */
final class ModalityStep {
  private final List<ModalityNet> nets;
  private final BatchArrays arrays;
  private final GradientEstimator estimator;
  private final GradientModifier modifier;
  private final HeadStatistics statistics;
  private final Optimizers optimizers;

  ModalityStep(
      List<ModalityNet> nets,
      BatchArrays arrays,
      GradientEstimator estimator,
      GradientModifier modifier,
      HeadStatistics statistics,
      Optimizers optimizers) {
    this.nets = nets;
    this.arrays = arrays;
    this.estimator = estimator;
    this.modifier = modifier;
    this.statistics = statistics;
    this.optimizers = optimizers;
  }

  /**
   * Trains modality {@code j} on {@code batch} (batch index {@code b}, learning rate {@code lr}).
   * When {@code sheet} is not null and the training pass sees the batch as it is, the pass's logits
   * are handed to it (prequential scores). The encoder's running statistics staged by the pass are
   * committed only when the step is applied.
   */
  StepReport run(int j, List<LabeledSample> batch, long b, double lr, ScoreSheet sheet) {
    ModalityNet net = nets.get(j);
    try (NDScope ignored = new NDScope()) {
      StepReport r = runInScope(j, net, batch, b, lr, sheet);
      if (!r.refused()) {
        net.commitStatistics(); // inside the scope: the staged arrays die with it
      }
      return r;
    } finally {
      net.discardStatistics();
    }
  }

  private StepReport runInScope(
      int j, ModalityNet net, List<LabeledSample> batch, long b, double lr, ScoreSheet sheet) {
    List<Integer> trainable = Trainable.indices(net);
    int[] labels = BatchArrays.labels(batch);
    GradientEstimator.TrainingPass pass =
        estimator.trainingPass(BatchArrays.stack(batch, j), labels, arrays);
    NDArray x = arrays.input(pass.input(), batch.size(), net.spec().inputSize());
    NDArray y = arrays.oneHot(labels);

    Trainable.PassParameters theta = Trainable.forPass(net, trainable);
    ModalityNet.Forward f;
    NDArray loss;
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      f = net.forward(x, theta.forward(), Pass.TRAINING);
      loss = pass.loss().of(f.logits, y);
      gc.backward(loss);
    }
    if (sheet != null && estimator.passSeesTheBatchAsIs()) {
      sheet.modality(j, f.logits); // prequential scores from this pass; ignored if scored already
    }
    double lossValue = loss.toType(DataType.FLOAT64, false).getDouble();
    List<NDArray> grads = theta.gradients();
    double norm2 = Trainable.squaredNorm(grads);
    if (!Double.isFinite(lossValue) || !Double.isFinite(norm2)) {
      return new StepReport(b, net.name(), lossValue, true, lr, Math.sqrt(norm2));
    }
    double[][] means =
        modifier.needsBatchMeans() ? HeadInputs.copyOf(f).means() : null; // MLA's GM needs them now

    List<NDArray> params = Trainable.parameters(net, trainable);
    List<NDArray> finalGrads = estimator.estimate(net, trainable, x, y, grads, Math.sqrt(norm2), f);
    if (finalGrads == null || !Trainable.allFinite(finalGrads)) {
      return new StepReport(b, net.name(), lossValue, true, lr, Math.sqrt(norm2));
    }
    finalGrads = modifier.modify(j, net, trainable, finalGrads, means, b);
    optimizers.of(j).step(params, finalGrads, lr);
    if (statistics.tracks(j)) {
      statistics.record(j, means != null ? null : HeadInputs.copyOf(f), means);
    }
    return new StepReport(b, net.name(), lossValue, false, lr, Math.sqrt(norm2));
  }
}
