package dev.igm.cli;

import dev.igm.replay.ReplayProgress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The replay's progress: {@code [#####.....] 52.1% 52,100/100,000 records 48,210/s ETA 0:01 9.1
 * MB/s}, as a {@link ProgressLine}.
 */
final class ProgressBar implements ReplayProgress {
  private final ProgressLine line;

  ProgressBar(PrintStream out, boolean terminal) {
    this.line = new ProgressLine(out, terminal, "", "records");
  }

  @Override
  public void update(long sent, long total, long valueBytes, long elapsedNanos) {
    double seconds = Math.max(elapsedNanos, 1) / 1e9;
    line.update(
        sent, total, String.format(Locale.ROOT, "%.1f MB/s", valueBytes / 1048576.0 / seconds));
  }

  @Override
  public void done() {
    line.done();
  }
}
