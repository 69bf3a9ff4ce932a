package dev.igm.report.chart;

import java.awt.Color;

/**
 * One named line of a {@link LineChart}: x and y values (non-finite y break the line), and how to
 * draw it.
 */
public final class Series {
  final String name;
  final double[] x;
  final double[] y;
  Color color;
  boolean dashed;
  boolean markers;
  boolean secondaryAxis;

  private Series(String name, double[] x, double[] y) {
    if (x.length != y.length) {
      throw new IllegalArgumentException(
          "series " + name + ": " + x.length + " x values but " + y.length + " y values");
    }
    this.name = name;
    this.x = x.clone();
    this.y = y.clone();
  }

  public static Series of(String name, double[] x, double[] y) {
    return new Series(name, x, y);
  }

  public Series color(Color c) {
    this.color = c;
    return this;
  }

  public Series dashed() {
    this.dashed = true;
    return this;
  }

  /** Draws a dot at every point, so isolated or sparse values stay visible. */
  public Series markers() {
    this.markers = true;
    return this;
  }

  /** Plots against the chart's right-hand axis ({@link LineChart#secondaryY}). */
  public Series onSecondaryAxis() {
    this.secondaryAxis = true;
    return this;
  }

  int size() {
    return x.length;
  }
}
