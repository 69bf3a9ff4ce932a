package dev.igm.report.chart;

import java.awt.FontMetrics;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A horizontal bar chart: one labelled bar per category, the value printed at its end. Horizontal,
 * because the categories here are sentences (dead-letter reasons) that would not fit under vertical
 * bars.
 */
public final class BarChart {
  private final String title;
  private final String valueLabel;
  private final List<String> labels = new ArrayList<>();
  private final List<Double> values = new ArrayList<>();
  private String subtitle;

  public BarChart(String title, String valueLabel) {
    this.title = title;
    this.valueLabel = valueLabel;
  }

  public BarChart subtitle(String text) {
    this.subtitle = text;
    return this;
  }

  /** Adds a bar; bars are drawn top to bottom in the order added. */
  public BarChart add(String label, double value) {
    labels.add(label);
    values.add(value);
    return this;
  }

  public void writePng(Path file, int width, int height) throws IOException {
    draw(width, height).writePng(file);
  }

  public BufferedImage render(int width, int height) {
    Canvas c = draw(width, height);
    c.g.dispose();
    return c.image;
  }

  private Canvas draw(int width, int height) {
    Canvas c = new Canvas(width, height);
    int top = c.titleBlock(title, subtitle) + 4;
    c.g.setFont(Canvas.TICK);
    FontMetrics tick = c.g.getFontMetrics();
    c.g.setFont(Canvas.LABEL);
    FontMetrics label = c.g.getFontMetrics();

    double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    Axis axis = Axis.linear(0, Math.max(max, 1), true);
    int labelWidth =
        Math.min(labels.stream().mapToInt(tick::stringWidth).max().orElse(0), (int) (width * 0.45));
    int left = Canvas.PAD + labelWidth + 10;
    int right = width - Canvas.PAD - tick.stringWidth(axis.label(max)) - 12;
    int bottom = height - Canvas.PAD - label.getHeight() - tick.getHeight() - 6;
    int plotWidth = right - left;

    c.stroke(1f, false);
    for (double t : axis.ticks()) {
      int px = (int) Math.round(left + axis.fraction(t) * plotWidth);
      c.g.setColor(Canvas.GRID);
      c.g.drawLine(px, top, px, bottom);
      c.g.setColor(Canvas.TEXT);
      c.g.setFont(Canvas.TICK);
      String s = axis.label(t);
      c.g.drawString(s, px - tick.stringWidth(s) / 2, bottom + 4 + tick.getAscent());
    }
    if (labels.isEmpty()) {
      c.message("no data", (left + right) / 2, (top + bottom) / 2);
    }
    double slot = labels.isEmpty() ? 0 : (double) (bottom - top) / labels.size();
    double barHeight = Math.min(30, slot * 0.7);
    c.g.setFont(Canvas.TICK);
    for (int i = 0; i < labels.size(); i++) {
      double v = values.get(i);
      int cy = (int) Math.round(top + slot * (i + 0.5));
      int w = (int) Math.round(axis.fraction(v) * plotWidth);
      c.g.setColor(Palette.color(0));
      c.g.fillRect(
          left, (int) Math.round(cy - barHeight / 2), Math.max(w, 1), (int) Math.round(barHeight));
      c.g.setColor(Canvas.TEXT);
      String name = Canvas.fit(labels.get(i), tick, labelWidth);
      c.g.drawString(name, left - 8 - tick.stringWidth(name), cy + tick.getAscent() / 2 - 1);
      c.g.drawString(axis.label(v), left + w + 5, cy + tick.getAscent() / 2 - 1);
    }
    c.g.setColor(Canvas.FRAME);
    c.g.drawLine(left, top, left, bottom);
    c.g.setColor(Canvas.TEXT);
    c.g.setFont(Canvas.LABEL);
    c.g.drawString(
        valueLabel,
        left + (plotWidth - label.stringWidth(valueLabel)) / 2,
        height - Canvas.PAD - label.getDescent());
    return c;
  }
}
