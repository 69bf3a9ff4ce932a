package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.igm.core.InferenceMode;
import dev.igm.core.InputRows;
import dev.igm.core.model.ModalityNet;
import dev.igm.core.model.Pass;
import java.util.List;
import java.util.function.Consumer;

/**
 * Scores samples with the model: per-modality softmax probabilities and the {@link Fusion}, for
 * {@link IgmTrainer#score} and for the prequential scores of a batch being trained ({@link
 * #whileTraining}), which are the same numbers by construction: one sheet, one fusion. See
 * docs/ALGORITHM.md, "Evaluation".
 */
final class Scorer implements AutoCloseable {
  private final List<ModalityNet> nets;
  private final BatchArrays arrays;
  private final Fusion fusion;
  private final BackgroundWorker worker =
      new BackgroundWorker("igm-scoring", "prequential scoring");
  private final InputRows[] rows;

  Scorer(List<ModalityNet> nets, BatchArrays arrays, Fusion fusion) {
    this.nets = nets;
    this.arrays = arrays;
    this.fusion = fusion;
    this.rows = new InputRows[nets.size()];
  }

  /** Scores samples without training (an inference pass per modality). */
  Scores score(List<float[][]> inputs) {
    ScoreSheet sheet = sheet(inputs.size());
    boolean[] all = new boolean[nets.size()];
    java.util.Arrays.fill(all, true);
    scoreInto(sheet, inputs, all);
    return fusion.fuse(sheet);
  }

  /**
   * The scores of the batch {@code inputs} by the model as it is before {@code training} runs,
   * computed around it: modalities in {@code reuse} get theirs from the training step's own pass
   * (handed to the sheet by the step); those no step of the batch changes ({@code !stepped}) are
   * scored on this part's worker while the step runs (their parameters are frozen until it is
   * done); the others are scored here, before the step.
   */
  Scores whileTraining(
      List<float[][]> inputs, boolean[] stepped, boolean[] reuse, Consumer<ScoreSheet> training) {
    ScoreSheet sheet = sheet(inputs.size());
    boolean[] beside = new boolean[nets.size()];
    boolean[] here = new boolean[nets.size()];
    boolean anyBeside = false;
    for (int j = 0; j < nets.size(); j++) {
      beside[j] = !stepped[j] && !reuse[j];
      here[j] = !reuse[j] && !beside[j];
      anyBeside |= beside[j];
    }
    scoreInto(sheet, inputs, here);
    if (anyBeside) {
      worker.submit(
          () -> {
            GradMode.offOnThisThread();
            scoreInto(sheet, inputs, beside);
          });
    }
    try {
      training.accept(sheet);
    } finally {
      worker.settle();
    }
    return fusion.fuse(sheet);
  }

  /**
   * Whether every encoder computes the same in training as in inference (identity, mlp: no
   * BatchNorm, no dropout).
   */
  boolean statelessEncoders() {
    for (ModalityNet net : nets) {
      String e = net.spec().encoder();
      if (!e.equals("identity") && !e.equals("mlp")) {
        return false;
      }
    }
    return true;
  }

  private ScoreSheet sheet(int n) {
    return new ScoreSheet(n, arrays.classes(), nets.size(), arrays.dtype() == DataType.FLOAT64);
  }

  /**
   * Inference-pass scores of the modalities {@code which} selects (and their logit sum when the
   * fusion needs it).
   */
  private void scoreInto(ScoreSheet sheet, List<float[][]> inputs, boolean[] which) {
    int n = inputs.size();
    try (InferenceMode inference = InferenceMode.enter();
        NDScope ignored = new NDScope()) {
      NDArray logitSum = null;
      for (int j = 0; j < nets.size(); j++) {
        if (!which[j]) {
          continue;
        }
        ModalityNet net = nets.get(j);
        NDArray x = input(j, inputs);
        NDArray logits = net.forward(x, net.parameters(), Pass.INFERENCE).logits;
        sheet.modality(j, logits);
        logitSum = logitSum == null ? logits : logitSum.add(logits);
      }
      if (fusion.needsLogitSum() && logitSum != null) {
        sheet.logitSum(
            logitSum); // reuse is all or none under this fusion: this is the sum over every
        // modality
      }
    }
  }

  /**
   * Modality {@code j}'s inputs as an n×d array of the compute type, written into that modality's
   * reused native rows (no array allocated per batch). The rows of one modality are written by one
   * thread at a time: the training thread and the worker score disjoint modalities, and a batch's
   * scoring ends before the next batch's begins.
   */
  private NDArray input(int j, List<float[][]> inputs) {
    int n = inputs.size();
    if (rows[j] == null) {
      rows[j] = new InputRows(nets.get(j).spec().inputSize(), n);
    }
    InputRows r = rows[j];
    r.ensureCapacity(n);
    for (int s = 0; s < n; s++) {
      r.put(s, inputs.get(s)[j]);
    }
    return r.array(arrays.manager(), n).toType(arrays.dtype(), false);
  }

  @Override
  public void close() {
    worker.close();
  }
}
