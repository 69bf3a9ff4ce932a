package dev.igm.core.train;

import ai.djl.ndarray.NDArray;
import dev.igm.core.model.ModalityNet;
import java.util.ArrayList;
import java.util.List;

/**
 * IGM's gradient modification (Eq. 5/9): when modality j trains, each head weight's gradient is
 * multiplied on the right by the flat matrix of the modality before j in the cyclic order, {@code
 * ∇W_i ← ∇W_i · T_i^k} with {@code k = (j − 1) mod M}. A layer whose input width differs between j
 * and k is left as it is (rule 5), and so is every layer while {@code T_i^k} is the identity (rule
 * 2). See docs/ALGORITHM.md, "Gradient modification".
 */
final class FlatGradientModification implements GradientModifier {
  private final List<ModalityNet> nets;
  private final HeadStatistics statistics;

  FlatGradientModification(List<ModalityNet> nets, HeadStatistics statistics) {
    this.nets = nets;
    this.statistics = statistics;
  }

  /** The modality whose T modifies modality j's gradients. */
  int previous(int j) {
    return (j - 1 + nets.size()) % nets.size();
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
    int k = previous(j);
    for (int i = 0; i < ModalityNet.HEAD_LAYERS; i++) {
      int t = trainable.indexOf(net.headWeightIndex(i));
      if (nets.get(k).headInputWidth(i) != net.headInputWidth(i)) {
        continue;
      }
      FlatTransform transform = statistics.transform(k, i);
      if (transform != null) {
        out.set(t, transform.apply(grads.get(t)));
      }
    }
    return out;
  }
}
