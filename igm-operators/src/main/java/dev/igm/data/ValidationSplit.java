package dev.igm.data;

import dev.igm.avro.Split;
import java.util.ArrayList;
import java.util.List;

/**
 * Carves a seeded fraction of the TRAIN rows into another split (VALID by default); other rows are
 * untouched and row order is kept. Stratified (the default): for each class c with n_c TRAIN rows,
 * k_c = min(round(fraction·n_c), n_c − 1) rows move (so every class present keeps at least one
 * TRAIN row); not stratified: k = round(fraction·n) of all n TRAIN rows move. Which rows move: the
 * TRAIN rows (of each class, classes in index order; or all) are listed in row order, shuffled with
 * one {@link SplitMix64} seeded with {@code seed}, and the first k of the shuffled list move.
 * Deterministic for a seed; carving TEST and then VALID gives a three-way split.
 */
public final class ValidationSplit {
  private ValidationSplit() {}

  /** Stratified: a {@code fraction} of each class's TRAIN rows becomes VALID. */
  public static MultiViewDataset carve(MultiViewDataset dataset, double fraction, long seed) {
    return carve(dataset, Split.VALID, fraction, seed, true);
  }

  /**
   * @param target the split the carved rows get (VALID or TEST)
   * @param fraction in [0, 1]
   * @param stratified per class (see the class comment) or over all TRAIN rows
   */
  public static MultiViewDataset carve(
      MultiViewDataset dataset, Split target, double fraction, long seed, boolean stratified) {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("split fraction must be in [0, 1], got " + fraction);
    }
    if (target == Split.TRAIN) {
      throw new IllegalArgumentException("cannot carve TRAIN out of TRAIN");
    }
    List<MultiViewRow> rows = dataset.rows();
    List<List<Integer>> groups = new ArrayList<>();
    if (stratified) {
      for (int c = 0; c < dataset.classCount(); c++) {
        groups.add(new ArrayList<>());
      }
    } else {
      groups.add(new ArrayList<>());
    }
    for (int i = 0; i < rows.size(); i++) {
      MultiViewRow r = rows.get(i);
      if (r.split() == Split.TRAIN) {
        groups.get(stratified ? r.label() : 0).add(i);
      }
    }
    SplitMix64 rng = new SplitMix64(seed);
    boolean[] move = new boolean[rows.size()];
    for (List<Integer> group : groups) {
      int n = group.size();
      if (n == 0) {
        continue;
      }
      int k = (int) Math.round(fraction * n);
      if (stratified) {
        k = Math.min(k, n - 1);
      }
      int[] order = group.stream().mapToInt(Integer::intValue).toArray();
      rng.shuffle(order);
      for (int i = 0; i < k; i++) {
        move[order[i]] = true;
      }
    }
    List<MultiViewRow> out = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      out.add(move[i] ? rows.get(i).withSplit(target) : rows.get(i));
    }
    return dataset.withRows(out);
  }
}
