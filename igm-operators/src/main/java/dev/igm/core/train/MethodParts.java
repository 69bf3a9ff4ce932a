package dev.igm.core.train;

import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.IgmConfig.Method;
import dev.igm.core.model.ModalityNet;
import dev.igm.core.model.Rng;
import java.util.List;

/**
 * The parts a configured method is made of, and the one place that reads the method, the schedule,
 * the SAM variant and the optimizer kind to choose them:
 *
 * <table>
 *   <caption>parts by method</caption>
 *   <tr><th>method</th><th>schedule</th><th>gradient</th><th>modification</th><th>fusion</th></tr>
 *   <tr><td>joint</td><td>{@link JointSchedule}</td><td>plain</td><td>none</td><td>summed logits</td></tr>
 *   <tr><td>unimodal-&lt;m&gt;</td><td>{@link UnimodalSchedule}</td><td>plain</td><td>none</td><td>m's own</td></tr>
 *   <tr><td>mla</td><td>phased or interleaved</td><td>plain</td><td>{@link MlaProjection}</td><td>mean</td></tr>
 *   <tr><td>igm-nosam</td><td>phased or interleaved</td><td>plain</td><td>{@link FlatGradientModification}</td>
 *       <td>mean</td></tr>
 *   <tr><td>igm</td><td>phased or interleaved</td><td>{@link SamGradient} or {@link ReferenceSamGradient}</td>
 *       <td>{@link FlatGradientModification}</td><td>mean</td></tr>
 * </table>
 *
 * <p>Covariances and T ({@link HeadStatistics}) are kept for {@code igm} and {@code igm-nosam}
 * only.
 */
record MethodParts(
    TrainingSchedule schedule,
    GradientEstimator estimator,
    GradientModifier modifier,
    HeadStatistics statistics,
    Optimizers optimizers,
    Fusion fusion) {

  static MethodParts of(
      IgmConfig config,
      List<ModalityNet> nets,
      BatchArrays arrays,
      Rng rng,
      List<TrainingListener> listeners) {
    Method method = config.method();
    int m = nets.size();
    boolean flat = method == Method.IGM || method == Method.IGM_NOSAM;
    HeadStatistics statistics =
        new HeadStatistics(
            nets,
            flat,
            config.covarianceReset() == IgmConfig.CovarianceReset.PER_PHASE,
            config.covarianceDecay(),
            config.tau(),
            arrays.manager(),
            arrays.dtype(),
            listeners);

    GradientEstimator estimator = GradientEstimator.PLAIN;
    if (method == Method.IGM) {
      estimator =
          config.samVariant() == IgmConfig.SamVariant.REFERENCE
              ? new ReferenceSamGradient(
                  rng,
                  config.samMixupAlpha(),
                  config.samRho(),
                  config.samRhoEncoder(),
                  config.samFlatRatio())
              : new SamGradient(config.samRho());
    }

    GradientModifier modifier =
        switch (method) {
          case IGM, IGM_NOSAM -> new FlatGradientModification(nets, statistics);
          case MLA ->
              new MlaProjection(nets, arrays, config.mlaAlpha(), config.mlaBatchesPerEpoch());
          case JOINT, UNIMODAL -> GradientModifier.IDENTITY;
        };

    int target = config.modalityIndex(config.unimodalTarget());
    TrainingSchedule schedule =
        switch (method) {
          case JOINT -> new JointSchedule(m);
          case UNIMODAL -> new UnimodalSchedule(target, m);
          case MLA, IGM_NOSAM, IGM ->
              switch (config.schedule()) {
                case PHASED -> new PhasedSchedule(config.phaseBatches(), m, statistics);
                case INTERLEAVED ->
                    new InterleavedSchedule(config.tRefreshBatches(), m, statistics);
              };
        };

    Optimizers optimizers =
        new Optimizers(
            m,
            () ->
                config.optimizer() == IgmConfig.OptimizerKind.SGD
                    ? new Sgd(config.momentum(), config.weightDecay())
                    : new Adam(
                        config.adamBeta1(),
                        config.adamBeta2(),
                        config.adamEps(),
                        config.weightDecay()),
            new LearningRateSchedule(
                config.lr(),
                config.lrDecayBatches(),
                config.lrDecayFactor(),
                config.lrWarmupBatches()));

    return new MethodParts(schedule, estimator, modifier, statistics, optimizers, fusion(config));
  }

  /**
   * The step of one modality these parts make: estimate the gradient, modify it, update
   * (docs/ALGORITHM.md).
   */
  ModalityStep modalityStep(List<ModalityNet> nets, BatchArrays arrays) {
    return new ModalityStep(nets, arrays, estimator, modifier, statistics, optimizers);
  }

  /** The fusion of {@code config}'s method (also what a served model of that method fuses by). */
  static Fusion fusion(IgmConfig config) {
    Fusion.Rule rule =
        switch (config.method()) {
          case JOINT -> Fusion.Rule.SUMMED_LOGITS; // its own training objective
          case UNIMODAL -> Fusion.Rule.ONE_MODALITY; // the only head it trains
          case MLA, IGM_NOSAM, IGM -> Fusion.Rule.MEAN_SOFTMAX;
        };
    int target =
        config.method() == Method.UNIMODAL ? config.modalityIndex(config.unimodalTarget()) : -1;
    return new Fusion(rule, config.fusionWeights(), target);
  }
}
