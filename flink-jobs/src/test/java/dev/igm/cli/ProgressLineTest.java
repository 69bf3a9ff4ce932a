package dev.igm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
  @Test
  void boundedWorkShowsPercentageRateAndEta() {
    ProgressLine p = new ProgressLine(System.err, false, "igm fit:", "batches");
    // 250 of 1,000 done, 100 of them in the last 10 s: 10/s, 750 left = 75 s
    assertThat(p.line(250, 1000, 10, 100))
        .isEqualTo("igm fit: [######..................]  25.0%  250/1,000 batches  10/s  ETA 1:15");
    assertThat(p.line(1000, 1000, 3725, 1000))
        .endsWith("1,000/1,000 batches  0/s  done in 1:02:05");
  }

  @Test
  void aFitsEpochLineSaysHowFarTheWholeRunIsAndWhenItEnds() {
    // 6 of 24 epochs in 30 s: a quarter, 90 s to go
    assertThat(ProgressLine.percentAndEta(6, 24, 30_000_000_000L))
        .isEqualTo("25% of the run, ETA 1:30");
    assertThat(ProgressLine.percentAndEta(24, 24, 125_000_000_000L))
        .isEqualTo("100% of the run, done in 2:05");
    assertThat(ProgressLine.percentAndEta(0, 24, 1)).isEmpty();
  }

  @Test
  void unboundedWorkShowsCountAndRate() {
    ProgressLine p = new ProgressLine(System.err, false, "igm train:", "records read");
    assertThat(p.line(12_345, 0, 5, 500)).isEqualTo("igm train: 12,345 records read  100/s");
  }

  @Test
  void redirectedOutputGetsPlainLinesNotCarriageReturns() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressLine p =
        new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, "x", "items");
    p.update(1, 10, "");
    p.update(2, 10, ""); // within 10 s of the first: not drawn
    p.update(10, 10, "extra"); // the end is always drawn
    p.done();
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).doesNotContain("\r").hasLineCount(2);
    assertThat(out.lines().toList().get(1)).contains("100.0%").endsWith("extra");
  }
}
