package dev.igm.report.chart;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A value axis: its range, its tick positions and their labels, linear or base-10 logarithmic. */
final class Axis {
  private static final int TARGET_TICKS = 6;

  private final double min;
  private final double max;
  private final boolean log;
  private final double step; // linear: tick spacing; log: decades between major ticks

  private Axis(double min, double max, boolean log, double step) {
    this.min = min;
    this.max = max;
    this.log = log;
    this.step = step;
  }

  /** A linear axis covering [lo, hi], widened to round tick values. */
  static Axis linear(double lo, double hi, boolean integerTicks) {
    if (!(hi > lo)) {
      // One value (or none): give it room so a flat line sits mid-chart instead of on the frame.
      double pad = lo == 0 || !Double.isFinite(lo) ? 1 : Math.abs(lo) * 0.1;
      lo = Double.isFinite(lo) ? lo - pad : 0;
      hi = lo + 2 * pad;
    }
    double step = niceStep((hi - lo) / (TARGET_TICKS - 1));
    if (integerTicks) {
      step = Math.max(1, Math.round(step));
    }
    return new Axis(
        Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step, false, step);
  }

  /** A linear axis over exactly [lo, hi] (e.g. 0..1 for a scaling factor). */
  static Axis fixed(double lo, double hi, boolean integerTicks) {
    double step = niceStep((hi - lo) / (TARGET_TICKS - 1));
    return new Axis(lo, hi, false, integerTicks ? Math.max(1, Math.round(step)) : step);
  }

  /** A log axis over whole decades covering [lo, hi]; both must be positive. */
  static Axis logarithmic(double lo, double hi) {
    if (!(lo > 0) || !(hi > 0)) {
      lo = 0.1;
      hi = 10;
    }
    double first = Math.floor(Math.log10(lo));
    double last = Math.ceil(Math.log10(hi));
    if (last <= first) {
      last = first + 1;
    }
    double decadesPerTick = Math.max(1, Math.ceil((last - first) / 8));
    last =
        first
            + Math.ceil((last - first) / decadesPerTick)
                * decadesPerTick; // so the top carries a label
    return new Axis(Math.pow(10, first), Math.pow(10, last), true, decadesPerTick);
  }

  boolean isLog() {
    return log;
  }

  /**
   * Where {@code v} lies on the axis, 0 at the minimum and 1 at the maximum (outside for values
   * beyond).
   */
  double fraction(double v) {
    if (log) {
      return (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
    }
    return (v - min) / (max - min);
  }

  /**
   * Labelled tick values. A log axis over at most two decades also labels 2× and 5×, else there
   * would be only 2–3.
   */
  List<Double> ticks() {
    List<Double> ticks = new ArrayList<>();
    if (log) {
      double first = Math.log10(min);
      double last = Math.log10(max);
      boolean fine = last - first <= 2;
      for (double e = first; e <= last + 1e-9; e += step) {
        double decade = Math.pow(10, Math.round(e));
        ticks.add(decade);
        if (fine && e < last - 1e-9) {
          ticks.add(2 * decade);
          ticks.add(5 * decade);
        }
      }
      return ticks;
    }
    long n = (long) Math.floor((max - min) / step + 1e-9); // a fixed range need not end on a tick
    for (long i = 0; i <= n; i++) {
      double v = min + i * step;
      ticks.add(Math.abs(v) < step * 1e-9 ? 0.0 : v);
    }
    return ticks;
  }

  String label(double v) {
    if (v == 0) {
      return "0";
    }
    double a = Math.abs(v);
    if (a >= 1e5 || a < 1e-3) {
      String s = String.format(Locale.ROOT, "%.0e", v);
      // Java writes 1e-07; the padded exponent only costs width.
      return s.replaceAll("e([+-])0*(\\d)", "e$1$2").replace("e+", "e");
    }
    if (log) {
      return trim(String.format(Locale.ROOT, "%.3f", v));
    }
    int decimals = (int) Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static String trim(String s) {
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  /** The 1, 2, 5 × 10^k value nearest above {@code raw}. */
  private static double niceStep(double raw) {
    if (!(raw > 0) || !Double.isFinite(raw)) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / magnitude;
    double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
    return nice * magnitude;
  }
}
