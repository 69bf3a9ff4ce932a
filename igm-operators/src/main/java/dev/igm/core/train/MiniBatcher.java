package dev.igm.core.train;

import ai.djl.ndarray.types.Shape;
import dev.igm.core.model.ModalityNet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Rule 1: mini-batches are consecutive runs of {@code batch.size} training samples in arrival
 * order; a trailing partial batch is never trained, it stays pending (and is part of the trainer's
 * state). Checks every sample against the model on arrival. See docs/ALGORITHM.md, rule 1.
 */
final class MiniBatcher {
  private final int batchSize;
  private final int classes;
  private final List<ModalityNet> nets;
  private final List<LabeledSample> pending = new ArrayList<>();

  MiniBatcher(int batchSize, int classes, List<ModalityNet> nets) {
    this.batchSize = batchSize;
    this.classes = classes;
    this.nets = nets;
  }

  /** Adds {@code sample}; returns the mini-batch it completes, else null. */
  List<LabeledSample> add(LabeledSample sample) {
    validate(sample);
    pending.add(sample);
    if (pending.size() < batchSize) {
      return null;
    }
    List<LabeledSample> batch = new ArrayList<>(pending);
    pending.clear();
    return batch;
  }

  /** Whether {@code sample} would complete a mini-batch. */
  boolean completes() {
    return pending.size() + 1 >= batchSize;
  }

  /**
   * The inputs of the pending samples and then {@code sample}'s: the batch it completes, for
   * scoring.
   */
  List<float[][]> inputsWith(LabeledSample sample) {
    validate(sample);
    List<float[][]> inputs = new ArrayList<>(batchSize);
    for (LabeledSample s : pending) {
      inputs.add(s.inputs());
    }
    inputs.add(sample.inputs());
    return inputs;
  }

  List<LabeledSample> pending() {
    return Collections.unmodifiableList(pending);
  }

  void validate(LabeledSample s) {
    if (s.label() < 0 || s.label() >= classes) {
      throw new IllegalArgumentException(
          "sample " + s.id() + ": label " + s.label() + " outside [0, " + classes + ")");
    }
    if (s.inputs().length != nets.size()) {
      throw new IllegalArgumentException(
          "sample "
              + s.id()
              + ": "
              + s.inputs().length
              + " modalities, the model has "
              + nets.size());
    }
    for (int j = 0; j < nets.size(); j++) {
      int want = nets.get(j).spec().inputSize();
      if (s.inputs()[j] == null || s.inputs()[j].length != want) {
        throw new IllegalArgumentException(
            "sample "
                + s.id()
                + ": modality "
                + nets.get(j).name()
                + " has "
                + (s.inputs()[j] == null ? "no input" : s.inputs()[j].length + " values")
                + ", expected "
                + want);
      }
    }
  }

  /** {@code pending.<n>.<modality>} inputs and the {@code pending} id/label list. */
  void export(StateWriter out) {
    List<Object> list = out.list("pending");
    for (int n = 0; n < pending.size(); n++) {
      LabeledSample s = pending.get(n);
      list.add(java.util.Map.of("id", s.id(), "label", s.label()));
      for (int j = 0; j < nets.size(); j++) {
        float[] in = s.inputs()[j];
        out.floats("pending." + n + "." + nets.get(j).name(), in, new Shape(in.length));
      }
    }
  }

  void restore(StateReader in) {
    pending.clear();
    List<SnapshotMetadata.PendingSample> saved = in.metadata().pending();
    for (int n = 0; n < saved.size(); n++) {
      float[][] inputs = new float[nets.size()][];
      for (int j = 0; j < inputs.length; j++) {
        inputs[j] = in.require("pending." + n + "." + nets.get(j).name()).toFloatArray();
      }
      pending.add(new LabeledSample(saved.get(n).id(), saved.get(n).label(), inputs));
    }
  }
}
