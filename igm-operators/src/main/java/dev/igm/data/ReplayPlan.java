package dev.igm.data;

import dev.igm.avro.Split;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The order in which a dataset's rows are trained on and scored, shared by {@code igm fit} and
 * {@code igm replay} so that the offline run and a streamed replay see identical mini-batches
 * (docs/ALGORITHM.md, rule 1).
 *
 * <p>For each epoch e: the TRAIN rows in {@link EpochOrder#permutation}(nTrain, seed, e) order,
 * then (when {@code evaluateEachEpoch}) the VALID and TEST rows in file order. With {@code
 * evaluateEachEpoch} off, the VALID and TEST rows follow the last epoch only. Each entry carries a
 * sample id that is stable across runs and unique per epoch: {@code <rowId>@<epoch>}.
 */
public final class ReplayPlan {
  /** One planned record. */
  public record Entry(MultiViewRow row, int epoch, String sampleId) {
    public boolean trains() {
      return row.split() == Split.TRAIN;
    }
  }

  private final List<Entry> entries;
  private final int epochs;

  private ReplayPlan(List<Entry> entries, int epochs) {
    this.entries = Collections.unmodifiableList(entries);
    this.epochs = epochs;
  }

  public static ReplayPlan of(
      MultiViewDataset dataset, int epochs, long seed, boolean evaluateEachEpoch) {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
    }
    List<MultiViewRow> train = dataset.rows(Split.TRAIN);
    List<MultiViewRow> eval = new ArrayList<>();
    for (MultiViewRow r : dataset.rows()) {
      if (r.split() != Split.TRAIN) {
        eval.add(r);
      }
    }
    List<Entry> out = new ArrayList<>();
    for (int e = 0; e < epochs; e++) {
      for (int i : EpochOrder.permutation(train.size(), seed, e)) {
        MultiViewRow r = train.get(i);
        out.add(new Entry(r, e, r.sampleId() + "@" + e));
      }
      if (evaluateEachEpoch || e == epochs - 1) {
        for (MultiViewRow r : eval) {
          out.add(new Entry(r, e, r.sampleId() + "@" + e));
        }
      }
    }
    return new ReplayPlan(out, epochs);
  }

  public List<Entry> entries() {
    return entries;
  }

  public int epochs() {
    return epochs;
  }

  /** The TRAIN entries only, in order: what a trainer is offered. */
  public List<Entry> trainingEntries() {
    List<Entry> t = new ArrayList<>();
    for (Entry e : entries) {
      if (e.trains()) {
        t.add(e);
      }
    }
    return t;
  }
}
