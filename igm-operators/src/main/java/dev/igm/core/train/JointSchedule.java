package dev.igm.core.train;

import java.util.Arrays;
import java.util.List;

/** {@code joint}: every mini-batch is one step of all modalities together ({@link JointStep}). */
final class JointSchedule implements TrainingSchedule {
  private final int modalities;

  JointSchedule(int modalities) {
    this.modalities = modalities;
  }

  @Override
  public List<StepReport> train(long b, Steps steps) {
    return List.of(steps.joint());
  }

  @Override
  public boolean[] stepped(long b) {
    boolean[] out = new boolean[modalities];
    Arrays.fill(out, true);
    return out;
  }
}
