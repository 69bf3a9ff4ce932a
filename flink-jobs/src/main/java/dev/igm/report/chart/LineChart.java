package dev.igm.report.chart;

import java.awt.FontMetrics;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A line chart drawn with Java2D: title, optional subtitle, legend, labelled axes with grid, a
 * linear or log y axis and an optional right-hand axis for a second quantity.
 *
 * <pre>{@code
 * new LineChart("Loss", "batches trained", "mean training loss")
 *     .add(Series.of("igm", batches, loss)).writePng(dir.resolve("loss.png"), 800, 450);
 * }</pre>
 */
public final class LineChart {
  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final List<Series> series = new ArrayList<>();
  private String subtitle;
  private boolean logY;
  private boolean integerX;
  private double[] xRange;
  private double[] yRange;
  private double[] yClamp;
  private boolean yZero;
  private String secondaryLabel;
  private double[] secondaryRange;

  public LineChart(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  public LineChart subtitle(String text) {
    this.subtitle = text;
    return this;
  }

  /** Base-10 log scale on the y axis; values ≤ 0 cannot be placed and are left out. */
  public LineChart logY() {
    this.logY = true;
    return this;
  }

  /** X ticks at whole numbers only (indices, counts). */
  public LineChart integerX() {
    this.integerX = true;
    return this;
  }

  /** A fixed x range instead of one fitted to the data. */
  public LineChart xRange(double lo, double hi) {
    this.xRange = new double[] {lo, hi};
    return this;
  }

  /** A fixed y range instead of one fitted to the data. */
  public LineChart yRange(double lo, double hi) {
    this.yRange = new double[] {lo, hi};
    return this;
  }

  /** Fits the y range to the data but never beyond [lo, hi] (e.g. 0..1 for an accuracy). */
  public LineChart yWithin(double lo, double hi) {
    this.yClamp = new double[] {lo, hi};
    return this;
  }

  /**
   * Extends a fitted linear y range down (or up) to 0, for quantities whose size matters, like
   * durations.
   */
  public LineChart yIncludeZero() {
    this.yZero = true;
    return this;
  }

  /**
   * A right-hand y axis over exactly [lo, hi] for series marked {@link Series#onSecondaryAxis()}.
   */
  public LineChart secondaryY(String label, double lo, double hi) {
    this.secondaryLabel = label;
    this.secondaryRange = new double[] {lo, hi};
    return this;
  }

  public LineChart add(Series s) {
    series.add(s);
    return this;
  }

  public boolean isEmpty() {
    return series.stream().allMatch(s -> s.size() == 0);
  }

  public void writePng(Path file, int width, int height) throws IOException {
    Canvas c = draw(width, height);
    c.writePng(file);
  }

  public BufferedImage render(int width, int height) {
    Canvas c = draw(width, height);
    c.g.dispose();
    return c.image;
  }

  private Canvas draw(int width, int height) {
    Canvas c = new Canvas(width, height);
    for (int i = 0; i < series.size(); i++) {
      if (series.get(i).color == null) {
        series.get(i).color = Palette.color(i);
      }
    }
    int top = c.titleBlock(title, subtitle);
    top = legend(c, top);

    Axis x = xAxis();
    Axis y = yAxis();
    Axis y2 =
        secondaryRange == null ? null : Axis.fixed(secondaryRange[0], secondaryRange[1], false);

    c.g.setFont(Canvas.TICK);
    FontMetrics tick = c.g.getFontMetrics();
    c.g.setFont(Canvas.LABEL);
    FontMetrics label = c.g.getFontMetrics();
    int left = Canvas.PAD + label.getHeight() + 6 + widest(y, tick) + 8;
    int right =
        width - Canvas.PAD - (y2 == null ? 8 : label.getHeight() + 6 + widest(y2, tick) + 8);
    int bottom = height - Canvas.PAD - label.getHeight() - tick.getHeight() - 6;
    Plot plot = new Plot(left, top + 4, right, bottom);

    grid(c, plot, x, y, y2, tick);
    if (isEmpty()) {
      c.message("no data", (plot.left + plot.right) / 2, (plot.top + plot.bottom) / 2);
    }
    java.awt.Shape clip = c.g.getClip();
    c.g.setClip(plot.left - 4, plot.top - 4, plot.width() + 8, plot.height() + 8);
    for (Series s : series) {
      line(c, plot, x, s.secondaryAxis && y2 != null ? y2 : y, s);
    }
    c.g.setClip(clip);

    c.g.setColor(Canvas.TEXT);
    c.g.setFont(Canvas.LABEL);
    c.g.drawString(
        xLabel,
        (plot.left + plot.right - label.stringWidth(xLabel)) / 2,
        height - Canvas.PAD - label.getDescent());
    c.verticalText(
        yLabel + (logY ? " (log scale)" : ""),
        Canvas.PAD + label.getAscent(),
        (plot.top + plot.bottom) / 2,
        Canvas.LABEL);
    if (y2 != null) {
      c.verticalText(
          secondaryLabel,
          width - Canvas.PAD - label.getDescent(),
          (plot.top + plot.bottom) / 2,
          Canvas.LABEL);
    }
    return c;
  }

  /** Legend entries laid out left to right under the title, wrapping; returns the y below it. */
  private int legend(Canvas c, int top) {
    if (series.isEmpty()) {
      return top; // even a single series keeps its entry: it names the model
    }
    c.g.setFont(Canvas.TICK);
    FontMetrics fm = c.g.getFontMetrics();
    int sample = 26;
    int rowHeight = fm.getHeight() + 2;
    int x = Canvas.PAD + 50;
    int y = top + fm.getAscent();
    for (Series s : series) {
      int w = sample + 6 + fm.stringWidth(s.name) + 18;
      if (x + w > c.width - Canvas.PAD && x > Canvas.PAD + 50) {
        x = Canvas.PAD + 50;
        y += rowHeight;
      }
      int mid = y - fm.getAscent() / 2 + 1;
      c.g.setColor(s.color);
      c.stroke(2.5f, s.dashed);
      c.g.drawLine(x, mid, x + sample, mid);
      if (s.markers) {
        c.g.fill(new Ellipse2D.Double(x + sample / 2.0 - 3, mid - 3, 6, 6));
      }
      c.g.setColor(Canvas.TEXT);
      c.g.drawString(s.name, x + sample + 6, y);
      x += w;
    }
    return y + fm.getDescent() + 4;
  }

  private void grid(Canvas c, Plot p, Axis x, Axis y, Axis y2, FontMetrics tick) {
    c.g.setFont(Canvas.TICK);
    c.stroke(1f, false);
    for (double t : y.ticks()) {
      int py = p.y(y.fraction(t));
      c.g.setColor(Canvas.GRID);
      c.g.drawLine(p.left, py, p.right, py);
      c.g.setColor(Canvas.TEXT);
      String s = y.label(t);
      c.g.drawString(s, p.left - 6 - tick.stringWidth(s), py + tick.getAscent() / 2 - 1);
    }
    for (double t : x.ticks()) {
      int px = p.x(x.fraction(t));
      c.g.setColor(Canvas.GRID);
      c.g.drawLine(px, p.top, px, p.bottom);
      c.g.setColor(Canvas.TEXT);
      String s = x.label(t);
      c.g.drawString(s, px - tick.stringWidth(s) / 2, p.bottom + 4 + tick.getAscent());
    }
    if (y2 != null) {
      for (double t : y2.ticks()) {
        int py = p.y(y2.fraction(t));
        c.g.setColor(Canvas.FRAME);
        c.g.drawLine(p.right, py, p.right + 4, py);
        c.g.setColor(Canvas.TEXT);
        c.g.drawString(y2.label(t), p.right + 7, py + tick.getAscent() / 2 - 1);
      }
    }
    c.g.setColor(Canvas.FRAME);
    c.g.drawRect(p.left, p.top, p.width(), p.height());
  }

  private void line(Canvas c, Plot p, Axis x, Axis y, Series s) {
    c.g.setColor(s.color);
    c.stroke(2.2f, s.dashed);
    Path2D.Double path = new Path2D.Double();
    boolean pen = false;
    List<double[]> dots = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      double vy = s.y[i];
      if (!Double.isFinite(vy) || !Double.isFinite(s.x[i]) || (y.isLog() && vy <= 0)) {
        pen = false; // a gap, not a line through a missing value
        continue;
      }
      double px = p.left + x.fraction(s.x[i]) * p.width();
      double py = p.bottom - y.fraction(vy) * p.height();
      if (pen) {
        path.lineTo(px, py);
      } else {
        path.moveTo(px, py);
        pen = true;
      }
      dots.add(new double[] {px, py});
    }
    c.g.draw(path);
    // A point with no neighbour draws no segment: always mark those, all points when asked.
    for (int i = 0; i < dots.size(); i++) {
      if (s.markers || s.size() == 1) {
        double[] d = dots.get(i);
        c.g.fill(new Ellipse2D.Double(d[0] - 3, d[1] - 3, 6, 6));
      }
    }
  }

  private Axis xAxis() {
    if (xRange != null) {
      return Axis.fixed(xRange[0], xRange[1], integerX);
    }
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (double v : s.x) {
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (lo > hi) {
      return Axis.linear(0, 1, integerX);
    }
    return Axis.linear(lo, hi, integerX);
  }

  private Axis yAxis() {
    if (yRange != null) {
      return logY
          ? Axis.logarithmic(yRange[0], yRange[1])
          : Axis.fixed(yRange[0], yRange[1], false);
    }
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      if (s.secondaryAxis && secondaryRange != null) {
        continue;
      }
      for (double v : s.y) {
        if (Double.isFinite(v) && (!logY || v > 0)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (lo > hi) {
      return logY ? Axis.logarithmic(0.1, 10) : Axis.linear(0, 1, false);
    }
    if (logY) {
      return Axis.logarithmic(lo, hi);
    }
    if (yZero) {
      lo = Math.min(lo, 0);
      hi = Math.max(hi, 0);
    }
    Axis a = Axis.linear(lo, hi, false);
    if (yClamp != null) {
      double[] t = a.ticks().stream().mapToDouble(Double::doubleValue).toArray();
      double first = Math.max(yClamp[0], t[0]);
      double last = Math.min(yClamp[1], t[t.length - 1]);
      if (first > t[0] || last < t[t.length - 1]) {
        return Axis.linear(first, last, false);
      }
    }
    return a;
  }

  private static int widest(Axis axis, FontMetrics fm) {
    int w = 0;
    for (double t : axis.ticks()) {
      w = Math.max(w, fm.stringWidth(axis.label(t)));
    }
    return w;
  }

  /** The plot area in pixels. */
  private record Plot(int left, int top, int right, int bottom) {
    int width() {
      return right - left;
    }

    int height() {
      return bottom - top;
    }

    int x(double fraction) {
      return (int) Math.round(left + fraction * width());
    }

    int y(double fraction) {
      return (int) Math.round(bottom - fraction * height());
    }
  }
}
