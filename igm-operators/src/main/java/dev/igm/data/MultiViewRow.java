package dev.igm.data;

import dev.igm.avro.Split;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One sample of a multi-view table: a stable id, a class index, a split and one feature vector per
 * modality (in the dataset's modality order).
 *
 * <p>The feature arrays are shared, not copied: treat them as read-only.
 *
 * @param sampleId stable across runs, {@code <datasetName>/<file-stem>/<rowIndex>} for rows read
 *     from files
 * @param label class index into {@link MultiViewDataset#classNames()}
 * @param split TRAIN, VALID or TEST
 * @param views modality name → feature vector, in the configured modality order (unmodifiable)
 */
public record MultiViewRow(String sampleId, int label, Split split, Map<String, float[]> views) {

  public MultiViewRow {
    Objects.requireNonNull(sampleId, "sampleId");
    Objects.requireNonNull(split, "split");
    Objects.requireNonNull(views, "views");
    views = Collections.unmodifiableMap(new LinkedHashMap<>(views));
  }

  /** The feature vector of {@code modality}; throws if the row has no such modality. */
  public float[] view(String modality) {
    float[] v = views.get(modality);
    if (v == null) {
      throw new IllegalArgumentException(
          "sample "
              + sampleId
              + " has no modality '"
              + modality
              + "' (has "
              + views.keySet()
              + ")");
    }
    return v;
  }

  /** The same row with another split. */
  public MultiViewRow withSplit(Split newSplit) {
    return newSplit == split ? this : new MultiViewRow(sampleId, label, newSplit, views);
  }

  /** The same row with other feature vectors (same modality order expected). */
  public MultiViewRow withViews(Map<String, float[]> newViews) {
    return new MultiViewRow(sampleId, label, split, newViews);
  }
}
