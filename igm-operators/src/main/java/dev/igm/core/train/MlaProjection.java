package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.igm.core.MlaProjector;
import dev.igm.core.model.ModalityNet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * MLA's gradient modification: per head layer an orthogonal projector P shared by the modalities,
 * updated with the current batch mean and then applied, {@code ∇W ← ∇W · P} (rule 9: one projector
 * per (layer index, input width); a width no other modality shares gets none; {@code α = 0.1^(1 +
 * b/nb)} within an epoch of nb batches, else the constant {@code mla.alpha}). See
 * docs/ALGORITHM.md, "Methods" and rule 9.
 */
final class MlaProjection implements GradientModifier {
  private final Map<String, MlaProjector> projectors = new TreeMap<>();
  private final BatchArrays arrays;
  private final double constantAlpha;
  private final int batchesPerEpoch;

  MlaProjection(
      List<ModalityNet> nets, BatchArrays arrays, double constantAlpha, int batchesPerEpoch) {
    this.arrays = arrays;
    this.constantAlpha = constantAlpha;
    this.batchesPerEpoch = batchesPerEpoch;
    for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
      for (ModalityNet net : nets) {
        int width = net.headInputWidth(i);
        if (sharedWidth(nets, i, width) && !projectors.containsKey(key(i, width))) {
          projectors.put(key(i, width), new MlaProjector(width));
        }
      }
    }
  }

  /**
   * Whether at least two modalities have head layer {@code layer} of input width {@code width}
   * (rule 9).
   */
  private static boolean sharedWidth(List<ModalityNet> nets, int layer, int width) {
    int n = 0;
    for (ModalityNet net : nets) {
      if (net.headInputWidth(layer) == width) {
        n++;
      }
    }
    return n >= 2;
  }

  private static String key(int layer, int width) {
    return layer + ":" + width;
  }

  MlaProjector projector(int layer, int width) {
    return projectors.get(key(layer, width));
  }

  double alpha(long b) {
    return batchesPerEpoch > 0
        ? MlaProjector.alpha(b % batchesPerEpoch, batchesPerEpoch)
        : constantAlpha;
  }

  @Override
  public boolean needsBatchMeans() {
    return true;
  }

  @Override
  public List<NDArray> modify(
      int j,
      ModalityNet net,
      List<Integer> trainable,
      List<NDArray> grads,
      double[][] means,
      long b) {
    List<NDArray> out = new ArrayList<>(grads);
    for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
      int t = trainable.indexOf(net.headWeightIndex(i));
      int width = net.headInputWidth(i);
      MlaProjector p = projectors.get(key(i, width));
      if (p != null) {
        p.update(means[i], alpha(b));
        NDArray m =
            arrays
                .manager()
                .create(p.toFloats(), new Shape(width, width))
                .toType(arrays.dtype(), false);
        out.set(t, grads.get(t).matMul(m));
      }
    }
    return out;
  }

  /** {@code mla.P.<layer>.<width>} (float64). */
  @Override
  public void export(StateWriter out) {
    for (Map.Entry<String, MlaProjector> e : projectors.entrySet()) {
      MlaProjector p = e.getValue();
      out.doubles("mla.P." + e.getKey().replace(':', '.'), p.matrix(), new Shape(p.dim(), p.dim()));
    }
  }

  @Override
  public void restore(StateReader in) {
    for (Map.Entry<String, MlaProjector> e : projectors.entrySet()) {
      e.getValue().restore(in.require("mla.P." + e.getKey().replace(':', '.')).toDoubleArray());
    }
  }
}
