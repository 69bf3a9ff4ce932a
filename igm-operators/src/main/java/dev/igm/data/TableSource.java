package dev.igm.data;

import dev.igm.avro.Tensor;
import java.util.HashMap;
import java.util.Map;

/**
 * A multi-view table as a {@link ReplaySource}: each view is a float32 tensor of shape {@code
 * [width]}. A row's tensors are built once and reused in later epochs (only the record's id and
 * event time differ between epochs).
 */
public final class TableSource implements ReplaySource {
  private final MultiViewDataset dataset;
  private final Map<String, Map<String, Tensor>> cache = new HashMap<>();

  public TableSource(MultiViewDataset dataset) {
    this.dataset = dataset;
  }

  @Override
  public MultiViewDataset index() {
    return dataset;
  }

  @Override
  public Map<String, Tensor> tensors(MultiViewRow row) {
    return cache.computeIfAbsent(row.sampleId(), id -> SampleEncoder.float32Views(row));
  }

  @Override
  public boolean reusesTensors() {
    return true;
  }
}
