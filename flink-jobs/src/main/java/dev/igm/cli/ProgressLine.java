package dev.igm.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One progress line on stderr: {@code igm fit: [#######.......] 52.1% 2,340/4,500 samples 1,230/s
 * ETA 0:02}. Redrawn in place at most 5 times a second on a terminal; when stderr is redirected,
 * one plain line every 10 seconds (a log file should not fill with carriage returns). Without a
 * known total it shows the count and the rate.
 */
final class ProgressLine {
  private static final int WIDTH = 24;

  private final PrintStream out;
  private final boolean terminal;
  private final String prefix;
  private final String unit;
  private final long intervalNanos;

  /**
   * Rate and ETA count from the first update (start-up time before it is not work done at this
   * rate).
   */
  private long start;

  private long startDone;
  private long lastDraw = Long.MIN_VALUE;
  private boolean drawn;

  ProgressLine(PrintStream out, boolean terminal, String prefix, String unit) {
    this.out = out;
    this.terminal = terminal;
    this.prefix = prefix.isEmpty() ? "" : prefix + " ";
    this.unit = unit;
    this.intervalNanos = terminal ? 200_000_000L : 10_000_000_000L;
  }

  /** On stderr, redrawn in place when stderr is a terminal. */
  static ProgressLine onStderr(String prefix, String unit) {
    return new ProgressLine(System.err, System.console() != null, prefix, unit);
  }

  /**
   * {@code done} of {@code total} units (total ≤ 0: unknown); {@code extra} is appended (may be
   * empty).
   */
  void update(long done, long total, String extra) {
    long now = System.nanoTime();
    if (lastDraw == Long.MIN_VALUE) {
      start = now;
      startDone = done;
    } else if (now - lastDraw < intervalNanos && (total <= 0 || done < total)) {
      return;
    }
    lastDraw = now;
    print(
        line(done, total, (now - start) / 1e9, done - startDone)
            + (extra.isEmpty() ? "" : "  " + extra));
  }

  /**
   * The line for {@code done} of {@code total}, {@code recent} of them in the last {@code seconds}.
   */
  String line(long done, long total, double seconds, long recent) {
    double rate = seconds > 0 ? recent / seconds : 0;
    if (total <= 0) {
      return String.format(Locale.ROOT, "%s%,d %s  %,.0f/s", prefix, done, unit, rate);
    }
    double fraction = Math.min(1, (double) done / total);
    int filled = (int) Math.round(fraction * WIDTH);
    String eta =
        done >= total
            ? "done in " + clock(seconds)
            : rate > 0 ? "ETA " + clock((total - done) / rate) : "ETA -";
    return String.format(
        Locale.ROOT,
        "%s[%s%s] %5.1f%%  %,d/%,d %s  %,.0f/s  %s",
        prefix,
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        100 * fraction,
        done,
        total,
        unit,
        rate,
        eta);
  }

  /**
   * {@code 42% of the run, ETA 3:10}: where {@code done} of {@code total} stands after {@code
   * elapsedNanos}.
   */
  static String percentAndEta(long done, long total, long elapsedNanos) {
    if (total <= 0 || done <= 0) {
      return "";
    }
    double fraction = Math.min(1, (double) done / total);
    double seconds = elapsedNanos / 1e9;
    return String.format(
        Locale.ROOT,
        "%.0f%% of the run, %s",
        100 * fraction,
        done >= total
            ? "done in " + clock(seconds)
            : "ETA " + clock(seconds * (1 - fraction) / fraction));
  }

  /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
  static String clock(double seconds) {
    long s = Math.max(0, Math.round(seconds));
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  private void print(String line) {
    if (terminal) {
      out.print("\r" + line + "\033[K");
    } else {
      out.println(line);
    }
    out.flush();
    drawn = true;
  }

  /** Ends a line redrawn in place. */
  void done() {
    if (terminal && drawn) {
      out.println();
      out.flush();
    }
  }
}
