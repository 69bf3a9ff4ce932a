package dev.igm.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.igm.avro.DeadLetter;
import dev.igm.avro.TrainingMetrics;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a metrics file, the file form of the {@code igm.metrics} and {@code igm.samples.dlq}
 * topics that {@code igm report --metrics-file} reads.
 *
 * <h2>Format: JSON Lines</h2>
 *
 * UTF-8, one JSON object per line; blank lines are ignored, and so are fields a reader does not
 * know (a newer writer may add some, as the Avro schemas evolve with defaults).
 *
 * <ul>
 *   <li><b>A TrainingMetrics record</b>: an object with the Avro field names. Required: {@code
 *       modelId}, {@code method} (strings), {@code modelVersion}, {@code batches}, {@code
 *       samplesTrained} (integers), {@code time} (epoch milliseconds; readers also take an ISO-8601
 *       instant such as {@code "2025-01-31T12:00:00Z"}), {@code loss} (number). Optional, with the
 *       schema's defaults: {@code modality} (string or null), {@code prequentialAccuracy} (object:
 *       modality or {@code "fused"} → number), {@code refusedSteps}, {@code deadLetters} (integers,
 *       0), {@code tRefreshMillis} (number, 0), {@code eigenvalues} (object: {@code
 *       "<modality>.<layer>"} → array of numbers).
 *   <li><b>A DeadLetter</b>: an object with {@code "record": "DeadLetter"} and the Avro field names
 *       {@code sourceTopic}, {@code sourcePartition}, {@code sourceOffset}, {@code stage}, {@code
 *       reason}, {@code time}, and optionally {@code rawKey}, {@code rawValue} (base64 strings or
 *       null).
 * </ul>
 *
 * A line may also say {@code "record": "TrainingMetrics"}; a line without {@code "record"} is one.
 * Non-finite numbers (a refused step's loss) are written as the strings {@code "NaN"}, {@code
 * "Infinity"}, {@code "-Infinity"}; readers also take them bare, as Python's {@code json} module
 * writes them. Example:
 *
 * <pre>
 * {"modelId":"igm","method":"igm","modelVersion":3,"time":1738324800000,"batches":40,"samplesTrained":2560,"modality":"shape","loss":0.71,"prequentialAccuracy":{"shape":0.61,"colour":0.83,"fused":0.88},"refusedSteps":0,"tRefreshMillis":1.9,"eigenvalues":{"shape.0":[4.2,0.9,0.01]},"deadLetters":2}
 * {"record":"DeadLetter","sourceTopic":"igm.samples","sourcePartition":0,"sourceOffset":17,"rawKey":null,"rawValue":"AAEC","stage":"validate","reason":"NaN in modality shape","time":1738324800000}
 * </pre>
 *
 * <p>Each record is one line written in one piece, so a file appended to by a job that is killed
 * mid-run loses at most its last, partial line. Not thread-safe.
 */
public final class MetricsFileWriter implements Closeable, Flushable {
  private final BufferedWriter out;

  private MetricsFileWriter(BufferedWriter out) {
    this.out = out;
  }

  /** Creates (or truncates) {@code file}. */
  public static MetricsFileWriter create(Path file) throws IOException {
    return open(
        file,
        StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE);
  }

  /** Appends to {@code file}, creating it if needed (a job that restarts keeps one file). */
  public static MetricsFileWriter append(Path file) throws IOException {
    return open(
        file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }

  private static MetricsFileWriter open(Path file, StandardOpenOption... options)
      throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    return new MetricsFileWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8, options));
  }

  public MetricsFileWriter write(TrainingMetrics m) throws IOException {
    return line(MetricsJson.toJson(m));
  }

  public MetricsFileWriter write(DeadLetter d) throws IOException {
    return line(MetricsJson.toJson(d));
  }

  private MetricsFileWriter line(ObjectNode o) throws IOException {
    out.write(MetricsJson.MAPPER.writeValueAsString(o) + "\n");
    return this;
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
