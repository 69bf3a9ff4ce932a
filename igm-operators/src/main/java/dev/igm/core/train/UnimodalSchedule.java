package dev.igm.core.train;

import java.util.List;

/**
 * {@code unimodal-<name>}: every mini-batch trains that one modality; the others keep their initial
 * parameters.
 */
final class UnimodalSchedule implements TrainingSchedule {
  private final int modality;
  private final int modalities;

  UnimodalSchedule(int modality, int modalities) {
    this.modality = modality;
    this.modalities = modalities;
  }

  @Override
  public List<StepReport> train(long b, Steps steps) {
    return List.of(steps.modality(modality));
  }

  @Override
  public boolean[] stepped(long b) {
    boolean[] out = new boolean[modalities];
    out[modality] = true;
    return out;
  }
}
