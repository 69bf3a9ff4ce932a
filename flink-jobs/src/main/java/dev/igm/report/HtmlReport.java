package dev.igm.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a training report into a folder: {@code index.html} (summary table per model, dead letters
 * by reason) and one PNG per chart next to it (prequential accuracy, loss, spectra behind each T
 * with the scaling they give, T refresh time, dead letters).
 *
 * <pre>{@code
 * MetricsLog log = MetricsFileReader.read(Path.of("metrics.jsonl"));
 * HtmlReport.Result r = new HtmlReport(TauSettings.defaults()).write(log, Path.of("target/igm-report"));
 * }</pre>
 */
public final class HtmlReport {
  /** Chart size in pixels. */
  public static final int WIDTH = 800;

  public static final int HEIGHT = 450;

  private final TauSettings tau;
  private final Clock clock;
  private final MetricsTable test;
  private final String testSource;

  public HtmlReport(TauSettings tau) {
    this(tau, Clock.systemUTC(), null, null);
  }

  HtmlReport(TauSettings tau, Clock clock) {
    this(tau, clock, null, null);
  }

  private HtmlReport(TauSettings tau, Clock clock, MetricsTable test, String testSource) {
    this.tau = tau;
    this.clock = clock;
    this.test = test;
    this.testSource = testSource;
  }

  /**
   * This report with a TEST table (held-out figures) at the top, and where its predictions came
   * from.
   */
  public HtmlReport withTest(MetricsTable table, String source) {
    return new HtmlReport(tau, clock, table, source);
  }

  /** What was written: the page and the charts, in page order. */
  public record Result(Path index, List<Path> charts) {}

  public Result write(MetricsLog log, Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Figure> figures = new ReportCharts(dir, WIDTH, HEIGHT, tau).draw(log);
    Path index = dir.resolve("index.html");
    Files.writeString(
        index,
        IndexPage.render(log, figures, tau, clock.instant(), test, testSource),
        StandardCharsets.UTF_8);
    List<Path> charts = new ArrayList<>();
    figures.forEach(f -> charts.add(dir.resolve(f.file())));
    return new Result(index, charts);
  }
}
