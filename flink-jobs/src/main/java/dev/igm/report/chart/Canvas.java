package dev.igm.report.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** What every chart shares: the image, fonts, colours, title block and PNG output. */
final class Canvas {
  static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 17);
  static final Font SUBTITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
  static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
  static final Color TEXT = new Color(0x222222);
  static final Color MUTED = new Color(0x666666);
  static final Color GRID = new Color(0xE3E3E3);
  static final Color FRAME = new Color(0x888888);
  static final int PAD = 14;

  final BufferedImage image;
  final Graphics2D g;
  final int width;
  final int height;

  Canvas(int width, int height) {
    if (width < 200 || height < 150) {
      throw new IllegalArgumentException(
          "a chart needs at least 200x150 pixels, got " + width + "x" + height);
    }
    this.width = width;
    this.height = height;
    // RGB, not ARGB: a transparent background renders black in some viewers.
    this.image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    this.g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
  }

  /** Draws the title (and subtitle) centred at the top; returns the y below them. */
  int titleBlock(String title, String subtitle) {
    int y = PAD;
    g.setColor(TEXT);
    g.setFont(TITLE);
    FontMetrics fm = g.getFontMetrics();
    y += fm.getAscent();
    g.drawString(fit(title, fm, width - 2 * PAD), centred(fit(title, fm, width - 2 * PAD), fm), y);
    y += fm.getDescent();
    if (subtitle != null && !subtitle.isEmpty()) {
      g.setFont(SUBTITLE);
      g.setColor(MUTED);
      fm = g.getFontMetrics();
      String s = fit(subtitle, fm, width - 2 * PAD);
      y += 2 + fm.getAscent();
      g.drawString(s, centred(s, fm), y);
      y += fm.getDescent();
    }
    return y + 6;
  }

  /**
   * Text rotated a quarter turn anticlockwise, centred vertically on {@code cy}, its baseline at
   * {@code x}.
   */
  void verticalText(String text, int x, int cy, Font font) {
    g.setFont(font);
    FontMetrics fm = g.getFontMetrics();
    AffineTransform saved = g.getTransform();
    g.rotate(-Math.PI / 2);
    g.drawString(text, -cy - fm.stringWidth(text) / 2, x);
    g.setTransform(saved);
  }

  void message(String text, int cx, int cy) {
    g.setFont(LABEL);
    g.setColor(MUTED);
    FontMetrics fm = g.getFontMetrics();
    g.drawString(text, cx - fm.stringWidth(text) / 2, cy);
  }

  void stroke(float width, boolean dashed) {
    g.setStroke(
        dashed
            ? new BasicStroke(
                width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {7f, 5f}, 0f)
            : new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
  }

  private int centred(String s, FontMetrics fm) {
    return (width - fm.stringWidth(s)) / 2;
  }

  /** {@code text} shortened with an ellipsis to fit {@code maxWidth} pixels. */
  static String fit(String text, FontMetrics fm, int maxWidth) {
    if (fm.stringWidth(text) <= maxWidth) {
      return text;
    }
    String s = text;
    while (!s.isEmpty() && fm.stringWidth(s + "…") > maxWidth) {
      s = s.substring(0, s.length() - 1);
    }
    return s + "…";
  }

  void writePng(Path file) throws IOException {
    g.dispose();
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("no PNG writer available for " + file);
    }
  }
}
