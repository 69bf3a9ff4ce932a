package dev.igm.data;

import dev.igm.avro.Tensor;
import java.util.Map;

/**
 * Something {@code igm replay} can stream: an index of rows (ids, labels, splits) that {@link
 * ReplayPlan} orders, and the tensors of each row. Tables keep their features in the index rows;
 * the paper layouts keep only file references there and decode a row's files when it is sent, so a
 * dataset of images never has to fit in memory.
 */
public interface ReplaySource {
  /**
   * The rows to plan over; their modalities are the record's modalities (widths may be 0 for
   * file-backed sources).
   */
  MultiViewDataset index();

  /**
   * The tensors of one row of {@link #index()}, in modality order. Throws {@link
   * DatasetFormatException} naming the file.
   */
  Map<String, Tensor> tensors(MultiViewRow row);

  /**
   * Whether {@link #tensors} returns the same map for a row every time (tables), so that its
   * encoded bytes can be kept for the next epoch; false for sources that decode files per call.
   */
  default boolean reusesTensors() {
    return false;
  }

  /** One line for the user: what is replayed. */
  default String describe() {
    return index().toString();
  }
}
