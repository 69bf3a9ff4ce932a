package dev.igm.data.layout;

import dev.igm.avro.Tensor;
import dev.igm.data.MultiViewDataset;
import dev.igm.data.MultiViewRow;
import dev.igm.data.ReplaySource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link DatasetLayout} as a {@link ReplaySource}. The index rows carry ids, labels and splits
 * with zero-width views (so {@link dev.igm.data.ReplayPlan} orders them exactly as it orders
 * tables); the tensors are decoded from the files when a row is sent, one sample in memory at a
 * time.
 */
public final class LayoutSource implements ReplaySource {
  private static final float[] NO_FEATURES = new float[0];

  private final DatasetLayout layout;
  private final MultiViewDataset index;
  private final Map<String, LayoutItem> items = new HashMap<>();

  private LayoutSource(
      DatasetLayout layout, MultiViewDataset index, Map<String, LayoutItem> items) {
    this.layout = layout;
    this.index = index;
    this.items.putAll(items);
  }

  public LayoutSource(DatasetLayout layout) {
    this.layout = layout;
    Map<String, Integer> widths = new LinkedHashMap<>();
    Map<String, float[]> views = new LinkedHashMap<>();
    for (String m : layout.modalities()) {
      widths.put(m, 0);
      views.put(m, NO_FEATURES);
    }
    List<MultiViewRow> rows = new ArrayList<>();
    for (LayoutItem item : layout.items()) {
      rows.add(new MultiViewRow(item.sampleId(), item.label(), item.split(), views));
      items.put(item.sampleId(), item);
    }
    this.index = new MultiViewDataset(layout.name(), layout.classNames(), widths, rows);
  }

  /**
   * The same samples under another index of the same rows with other splits (VALID rows carved out
   * of TRAIN), so that a replay and {@code igm fit} that carve alike send and train the same rows.
   */
  public LayoutSource withIndex(MultiViewDataset carved) {
    for (MultiViewRow row : carved.rows()) {
      if (!items.containsKey(row.sampleId())) {
        throw new IllegalArgumentException(
            "sample " + row.sampleId() + " is not part of layout " + layout.name());
      }
    }
    return new LayoutSource(layout, carved, items);
  }

  @Override
  public MultiViewDataset index() {
    return index;
  }

  @Override
  public Map<String, Tensor> tensors(MultiViewRow row) {
    LayoutItem item = items.get(row.sampleId());
    if (item == null) {
      throw new IllegalArgumentException(
          "sample " + row.sampleId() + " is not part of layout " + layout.name());
    }
    return layout.load(item);
  }

  public DatasetLayout layout() {
    return layout;
  }

  @Override
  public String describe() {
    return layout.name()
        + ": "
        + index.size()
        + " samples, "
        + index.classCount()
        + " classes, modalities "
        + layout.modalities()
        + ", splits "
        + index.splitCounts()
        + (layout.skipped().isEmpty()
            ? ""
            : ", " + layout.skipped().size() + " annotation rows skipped (missing media files)");
  }
}
