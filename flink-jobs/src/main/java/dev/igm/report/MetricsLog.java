package dev.igm.report;

import dev.igm.avro.DeadLetter;
import dev.igm.avro.TrainingMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a report is made from: the {@link TrainingMetrics} records of every model, dead-letter
 * counts by stage and reason, and the records that could not be read. Fill it from a topic ({@link
 * KafkaMetricsReader}) or a file ({@link MetricsFileReader}), or directly. Not thread-safe.
 */
public final class MetricsLog {
  private final Map<String, ModelHistory> models = new LinkedHashMap<>();
  private final Map<List<String>, Long> deadLetters = new LinkedHashMap<>();
  private final Map<String, Long> unreadable = new LinkedHashMap<>();
  private final List<String> sources = new ArrayList<>();

  public MetricsLog add(TrainingMetrics m) {
    models.computeIfAbsent(m.getModelId(), ModelHistory::new).add(m);
    return this;
  }

  public MetricsLog add(DeadLetter d) {
    return addDeadLetters(d.getStage(), d.getReason(), 1);
  }

  public MetricsLog addDeadLetters(String stage, String reason, long count) {
    deadLetters.merge(List.of(stage, reason), count, Long::sum);
    return this;
  }

  /** Counts a record of {@code source} (a topic or file) that could not be decoded. */
  public MetricsLog addUnreadable(String source) {
    unreadable.merge(source, 1L, Long::sum);
    return this;
  }

  /** Says where the records came from in one description instead of those noted so far. */
  public MetricsLog replaceSources(String description) {
    sources.clear();
    sources.add(description);
    return this;
  }

  /** Notes where the records came from (a topic at a broker, a file), for the report's header. */
  public MetricsLog addSource(String description) {
    sources.add(description);
    return this;
  }

  /** Models in the order their first record arrived. */
  public List<ModelHistory> models() {
    return new ArrayList<>(models.values());
  }

  public ModelHistory model(String modelId) {
    ModelHistory h = models.get(modelId);
    if (h == null) {
      throw new IllegalArgumentException(
          "no records of model " + modelId + "; models: " + models.keySet());
    }
    return h;
  }

  /** Number of distinct records kept (after replacing re-emitted ones). */
  public int recordCount() {
    return models.values().stream().mapToInt(ModelHistory::size).sum();
  }

  public boolean isEmpty() {
    return models.isEmpty() && deadLetters.isEmpty();
  }

  /** Dead letters by stage and reason, most frequent first. */
  public List<DeadLetterCount> deadLetterCounts() {
    List<DeadLetterCount> out = new ArrayList<>();
    deadLetters.forEach((k, n) -> out.add(new DeadLetterCount(k.get(0), k.get(1), n)));
    out.sort(
        Comparator.comparingLong(DeadLetterCount::count)
            .reversed()
            .thenComparing(DeadLetterCount::stage)
            .thenComparing(DeadLetterCount::reason));
    return out;
  }

  public long deadLetterTotal() {
    return deadLetters.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Undecodable records by source. */
  public Map<String, Long> unreadable() {
    return new LinkedHashMap<>(unreadable);
  }

  public List<String> sources() {
    return new ArrayList<>(sources);
  }
}
