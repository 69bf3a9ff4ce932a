package dev.igm.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a metrics file (JSON Lines, see {@link MetricsFileWriter} for the format) into a {@link
 * MetricsLog}. A line that is not a valid record fails the read with its file and line number:
 * unlike a topic, a file can be fixed.
 */
public final class MetricsFileReader {
  private MetricsFileReader() {}

  public static MetricsLog read(Path file) throws IOException {
    MetricsLog log = new MetricsLog();
    readInto(file, log);
    return log;
  }

  /** Adds the records of {@code file} to {@code log}; returns how many lines held a record. */
  public static int readInto(Path file, MetricsLog log) throws IOException {
    int records = 0;
    int lineNumber = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        try {
          JsonNode node = MetricsJson.MAPPER.readTree(line);
          if (node == null || !node.isObject()) {
            throw new IOException("expected a JSON object");
          }
          if (MetricsJson.kind(node).equals(MetricsJson.DEAD_LETTER)) {
            log.add(MetricsJson.deadLetter(node));
          } else {
            log.add(MetricsJson.trainingMetrics(node));
          }
          records++;
        } catch (JsonProcessingException e) {
          throw new IOException(
              file + ":" + lineNumber + ": not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
          throw new IOException(file + ":" + lineNumber + ": " + e.getMessage(), e);
        }
      }
    }
    log.addSource("file " + file + " (" + records + " records)");
    return records;
  }
}
