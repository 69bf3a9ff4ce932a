package dev.igm.core.train;

import java.util.List;

/**
 * Which steps each mini-batch takes, and when the flat matrices are refreshed and covariances
 * reset: {@link PhasedSchedule} (Algorithm 1), {@link InterleavedSchedule}, {@link JointSchedule}
 * (the late-fusion baseline) and {@link UnimodalSchedule}. Batches are counted over the global
 * batch stream (rule 2). See docs/ALGORITHM.md, "Schedules".
 */
interface TrainingSchedule {
  /** The steps a schedule can ask for on the current batch. */
  interface Steps {
    /** One optimizer step of modality {@code j}. */
    StepReport modality(int j);

    /** One step of every modality on the loss of their summed logits. */
    StepReport joint();

    /** The steps that {@code modality} and {@code joint} take. */
    static Steps of(
        java.util.function.IntFunction<StepReport> modality,
        java.util.function.Supplier<StepReport> joint) {
      return new Steps() {
        @Override
        public StepReport modality(int j) {
          return modality.apply(j);
        }

        @Override
        public StepReport joint() {
          return joint.get();
        }
      };
    }
  }

  /** Trains batch {@code b}: the reports of its steps, in order. */
  List<StepReport> train(long b, Steps steps);

  /**
   * Which modalities the steps of batch {@code b} change (the others are frozen while it trains).
   */
  boolean[] stepped(long b);
}
