package dev.igm.cli;

import dev.igm.replay.ReplayProgress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr: {@code [#####.....]  52.1%  52,100/100,000 records  48,210 rec/s  9.1 MB/s}.
 * Redrawn in place at most 5 times a second on a terminal; when stderr is redirected, one plain line every 10 seconds
 * (a log file should not fill with carriage returns).
 */
final class ProgressBar implements ReplayProgress {
  private static final int WIDTH = 30;

  private final PrintStream out;
  private final boolean terminal;
  private final long intervalNanos;
  private long lastDraw = Long.MIN_VALUE;
  private boolean drawn;

  ProgressBar(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
    this.intervalNanos = terminal ? 200_000_000L : 10_000_000_000L;
  }

  @Override
  public void update(long sent, long total, long valueBytes, long elapsedNanos) {
    long now = System.nanoTime();
    if (lastDraw != Long.MIN_VALUE && now - lastDraw < intervalNanos && sent < total) {
      return;
    }
    lastDraw = now;
    double fraction = total == 0 ? 1 : (double) sent / total;
    double seconds = Math.max(elapsedNanos, 1) / 1e9;
    int filled = (int) Math.round(fraction * WIDTH);
    String line = String.format(Locale.ROOT, "[%s%s] %5.1f%%  %,d/%,d records  %,.0f rec/s  %.1f MB/s",
        "#".repeat(filled), ".".repeat(WIDTH - filled), 100 * fraction, sent, total, sent / seconds,
        valueBytes / 1048576.0 / seconds);
    if (terminal) {
      out.print("\r" + line);
    } else {
      out.println(line);
    }
    out.flush();
    drawn = true;
  }

  @Override
  public void done() {
    if (terminal && drawn) {
      out.println();
      out.flush();
    }
  }
}
