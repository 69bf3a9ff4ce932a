package dev.igm.report;

import dev.igm.avro.TrainingMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;

/** The {@link TrainingMetrics} records of one model, in training order (by batches trained). */
public final class ModelHistory {
  /** The prequential-accuracy key of the fused prediction. */
  public static final String FUSED = "fused";

  private final String modelId;
  private final NavigableMap<Long, TrainingMetrics> byBatches = new TreeMap<>();

  ModelHistory(String modelId) {
    this.modelId = modelId;
  }

  /**
   * Adds a record. A record for a batch count already seen replaces the earlier one: a job restored
   * from a checkpoint re-emits the records since that checkpoint (and a topic read across
   * partitions has no global order), so the batch count, not arrival, places a record.
   */
  void add(TrainingMetrics m) {
    byBatches.put(m.getBatches(), m);
  }

  public String modelId() {
    return modelId;
  }

  /**
   * The method of the latest record (a model id keeps its method; should it change, the latest one
   * is current).
   */
  public String method() {
    return latest().getMethod();
  }

  /** All records, by batches trained. */
  public List<TrainingMetrics> records() {
    return new ArrayList<>(byBatches.values());
  }

  public int size() {
    return byBatches.size();
  }

  public TrainingMetrics latest() {
    return byBatches.lastEntry().getValue();
  }

  /**
   * Prequential-accuracy keys: "fused" first, then the modalities in the order they first appear.
   */
  public List<String> accuracyKeys() {
    Set<String> keys = new LinkedHashSet<>();
    for (TrainingMetrics m : byBatches.values()) {
      keys.addAll(m.getPrequentialAccuracy().keySet());
    }
    List<String> ordered = new ArrayList<>();
    if (keys.remove(FUSED)) {
      ordered.add(FUSED);
    }
    ordered.addAll(keys);
    return ordered;
  }

  /**
   * The last reported prequential accuracy for {@code key} (a record may leave a key out), empty if
   * never reported.
   */
  public OptionalDouble finalAccuracy(String key) {
    for (TrainingMetrics m : byBatches.descendingMap().values()) {
      Double v = m.getPrequentialAccuracy().get(key);
      if (v != null) {
        return OptionalDouble.of(v);
      }
    }
    return OptionalDouble.empty();
  }

  /**
   * The latest spectrum behind each T, by key {@code <modality>.<layer>}, keys sorted. A record
   * carries a key only when that T was refreshed since the previous record, so each key comes from
   * the last record that has it.
   */
  public Map<String, Spectrum> latestSpectra() {
    Map<String, Spectrum> latest = new TreeMap<>();
    for (TrainingMetrics m : byBatches.values()) {
      for (Map.Entry<String, List<Double>> e : m.getEigenvalues().entrySet()) {
        double[] values = e.getValue().stream().mapToDouble(Double::doubleValue).toArray();
        latest.put(e.getKey(), new Spectrum(e.getKey(), m.getBatches(), values));
      }
    }
    return new LinkedHashMap<>(latest);
  }

  /**
   * One covariance spectrum as reported: its key, the batch count of the record and the
   * eigenvalues.
   */
  public record Spectrum(String key, long batches, double[] eigenvalues) {
    /**
     * The modality: the key up to its last dot (modality names may contain dots, layer indices
     * cannot).
     */
    public String modality() {
      int dot = key.lastIndexOf('.');
      return dot < 0 ? key : key.substring(0, dot);
    }

    /**
     * The head layer index, or the whole key when it does not follow {@code <modality>.<layer>}.
     */
    public String layer() {
      int dot = key.lastIndexOf('.');
      return dot < 0 ? "" : key.substring(dot + 1);
    }
  }
}
