package dev.igm.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.igm.avro.DeadLetter;
import dev.igm.avro.TrainingMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON Lines metrics file: lossless round trip, the documented leniencies, and errors that
 * point at the line.
 */
class MetricsFileTest {
  @TempDir Path tmp;

  @Test
  void writtenRecordsReadBackEqualIncludingNaNLossAndDeadLetters() throws IOException {
    Path file = tmp.resolve("m.jsonl");
    List<TrainingMetrics> records = SyntheticMetrics.records();
    try (MetricsFileWriter w = MetricsFileWriter.create(file)) {
      records.forEach(m -> write(w, m));
      SyntheticMetrics.deadLetters().forEach(d -> write(w, d));
    }
    assertThat(Files.readAllLines(file))
        .hasSize(records.size() + SyntheticMetrics.deadLetters().size())
        .allSatisfy(line -> assertThat(line).startsWith("{").endsWith("}"))
        .anySatisfy(line -> assertThat(line).contains("\"loss\":\"NaN\""));

    MetricsLog log = MetricsFileReader.read(file);

    List<TrainingMetrics> back = new ArrayList<>();
    log.models().forEach(h -> back.addAll(h.records()));
    assertThat(back).containsExactlyInAnyOrderElementsOf(records);
    assertThat(log.model("joint").records().get(16).getLoss()).isNaN();
    assertThat(log.deadLetterCounts())
        .containsExactly(
            new DeadLetterCount("decode", "corrupt Avro MultimodalSample", 4),
            new DeadLetterCount("validate", "NaN in modality shape", 2),
            new DeadLetterCount("validate", "label 9 out of range [0, 7)", 1));
    assertThat(log.sources()).containsExactly("file " + file + " (107 records)");
  }

  @Test
  void appendingKeepsEarlierRecords() throws IOException {
    Path file = tmp.resolve("a.jsonl");
    try (MetricsFileWriter w = MetricsFileWriter.create(file)) {
      w.write(SyntheticMetrics.record("igm", 1));
    }
    try (MetricsFileWriter w = MetricsFileWriter.append(file)) {
      w.write(SyntheticMetrics.record("igm", 2));
    }
    assertThat(MetricsFileReader.read(file).model("igm").size()).isEqualTo(2);
  }

  @Test
  void minimalPythonStyleLinesReadWithSchemaDefaults() throws IOException {
    Path file = tmp.resolve("py.jsonl");
    Files.writeString(
        file,
        String.join(
            "\n",
            "{\"modelId\":\"m\",\"method\":\"igm\",\"modelVersion\":0,\"time\":\"2025-01-31T12:00:00Z\",\"batches\":20,"
                + "\"samplesTrained\":1280,\"loss\":NaN,\"futureField\":[1,2]}",
            "",
            "{\"record\":\"TrainingMetrics\",\"modelId\":\"m\",\"method\":\"igm\",\"modelVersion\":0,\"time\":0,"
                + "\"batches\":10,\"samplesTrained\":640,\"loss\":Infinity,\"prequentialAccuracy\":{\"fused\":0.5}}",
            "{\"record\":\"DeadLetter\",\"sourceTopic\":\"t\",\"sourcePartition\":0,\"sourceOffset\":3,\"stage\":\"decode\","
                + "\"reason\":\"bad\",\"time\":0}",
            ""));

    MetricsLog log = MetricsFileReader.read(file);

    ModelHistory m = log.model("m");
    assertThat(m.records()).extracting(TrainingMetrics::getBatches).containsExactly(10L, 20L);
    TrainingMetrics last = m.latest();
    assertThat(last.getTime()).isEqualTo(Instant.parse("2025-01-31T12:00:00Z"));
    assertThat(last.getLoss()).isNaN();
    assertThat(last.getModality()).isNull();
    assertThat(last.getPrequentialAccuracy()).isEmpty();
    assertThat(last.getEigenvalues()).isEmpty();
    assertThat(last.getRefusedSteps()).isZero();
    assertThat(m.records().get(0).getLoss()).isInfinite();
    assertThat(m.finalAccuracy("fused")).hasValue(0.5); // the latest record leaves the key out
    assertThat(log.deadLetterCounts()).containsExactly(new DeadLetterCount("decode", "bad", 1));
  }

  @Test
  void aRecordReEmittedAfterARestoreReplacesTheEarlierOne() {
    MetricsLog log = new MetricsLog();
    TrainingMetrics first = SyntheticMetrics.record("igm", 3);
    TrainingMetrics again = TrainingMetrics.newBuilder(first).setLoss(0.123).build();
    log.add(SyntheticMetrics.record("igm", 4)).add(first).add(again);
    assertThat(log.model("igm").records())
        .extracting(TrainingMetrics::getLoss)
        .containsExactly(0.123, SyntheticMetrics.record("igm", 4).getLoss());
  }

  @Test
  void badLinesFailWithFileAndLineNumber() throws IOException {
    Path file = tmp.resolve("bad.jsonl");
    String good =
        "{\"modelId\":\"m\",\"method\":\"igm\",\"modelVersion\":0,\"time\":0,\"batches\":1,"
            + "\"samplesTrained\":64,\"loss\":1.0}";
    Files.writeString(file, good + "\n" + good.replace("\"batches\":1,", "") + "\n");
    assertThatThrownBy(() -> MetricsFileReader.read(file))
        .isInstanceOf(IOException.class)
        .hasMessage(file + ":2: missing \"batches\"");

    Files.writeString(file, good + "\n{not json\n");
    assertThatThrownBy(() -> MetricsFileReader.read(file))
        .hasMessageStartingWith(file + ":2: not JSON");

    Files.writeString(file, good.replace("\"loss\":1.0", "\"loss\":\"high\""));
    assertThatThrownBy(() -> MetricsFileReader.read(file))
        .hasMessageContaining(":1: \"loss\" must be a number");

    Files.writeString(file, "{\"record\":\"Prediction\"}");
    assertThatThrownBy(() -> MetricsFileReader.read(file))
        .hasMessageContaining(":1: unknown \"record\"");
  }

  private static void write(MetricsFileWriter w, TrainingMetrics m) {
    try {
      w.write(m);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void write(MetricsFileWriter w, DeadLetter d) {
    try {
      w.write(d);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
