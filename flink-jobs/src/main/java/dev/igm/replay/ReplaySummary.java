package dev.igm.replay;

import dev.igm.avro.Split;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a replay sent: records and bytes (Avro values; keys counted apart, as Kafka's
 * ProducerPerformance counts values only), the time from the first send to the end of the final
 * flush, and records per split.
 */
public record ReplaySummary(
    long records,
    long valueBytes,
    long keyBytes,
    long nanos,
    Map<Split, Long> perSplit,
    boolean dryRun) {
  public ReplaySummary {
    perSplit = new EnumMap<>(perSplit);
  }

  public double seconds() {
    return nanos / 1e9;
  }

  public double recordsPerSecond() {
    return nanos == 0 ? 0 : records / seconds();
  }

  /** Value MB per second, with MB = 1024·1024 bytes as Kafka's ProducerPerformance counts them. */
  public double megabytesPerSecond() {
    return nanos == 0 ? 0 : valueBytes / (1024.0 * 1024.0) / seconds();
  }

  public double averageValueBytes() {
    return records == 0 ? 0 : (double) valueBytes / records;
  }

  /**
   * The closing lines printed by {@code igm replay}; the first line is also what {@code
   * bin/bench-replay} parses.
   */
  public String render() {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "%s %d records, %d value bytes (avg %.1f bytes/record), %.3f s, %.1f records/s, %.2f MB/s%n",
            dryRun ? "encoded (dry run):" : "replayed:",
            records,
            valueBytes,
            averageValueBytes(),
            seconds(),
            recordsPerSecond(),
            megabytesPerSecond()));
    s.append("  per split:");
    for (Map.Entry<Split, Long> e : perSplit.entrySet()) {
      s.append(' ').append(e.getKey()).append('=').append(e.getValue());
    }
    s.append(String.format(Locale.ROOT, "%n  key bytes: %d%n", keyBytes));
    return s.toString();
  }
}
