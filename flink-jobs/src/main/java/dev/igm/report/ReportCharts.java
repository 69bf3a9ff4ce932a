package dev.igm.report;

import dev.igm.avro.TrainingMetrics;
import dev.igm.report.chart.BarChart;
import dev.igm.report.chart.LineChart;
import dev.igm.report.chart.Series;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/** Draws the report's PNG charts from a {@link MetricsLog} into a folder. */
final class ReportCharts {
  static final String ACCURACY = "Prequential accuracy";
  static final String LOSS = "Training loss";
  static final String SPECTRA = "Spectra behind T";
  static final String REFRESH = "T refresh time";
  static final String DEAD_LETTERS = "Dead letters";

  /** Bars beyond this many reasons are summed into one "other" bar, so labels stay readable. */
  static final int MAX_BARS = 14;

  private final Path dir;
  private final int width;
  private final int height;
  private final TauSettings tau;
  private final Set<String> usedNames = new HashSet<>();

  ReportCharts(Path dir, int width, int height, TauSettings tau) {
    this.dir = dir;
    this.width = width;
    this.height = height;
    this.tau = tau;
  }

  List<Figure> draw(MetricsLog log) throws IOException {
    List<Figure> figures = new ArrayList<>();
    if (!log.models().isEmpty()) {
      figures.addAll(accuracy(log));
      figures.add(loss(log));
      figures.addAll(spectra(log));
      Figure refresh = refresh(log);
      if (refresh != null) {
        figures.add(refresh);
      }
    }
    if (log.deadLetterTotal() > 0) {
      figures.add(deadLetters(log));
    }
    return figures;
  }

  /**
   * One chart per accuracy key (fused first), comparing the models: the comparison is what the
   * side-by-side runs are for.
   */
  private List<Figure> accuracy(MetricsLog log) throws IOException {
    Set<String> keys = new LinkedHashSet<>();
    keys.add(ModelHistory.FUSED);
    log.models().forEach(h -> keys.addAll(h.accuracyKeys()));
    List<Figure> out = new ArrayList<>();
    for (String key : keys) {
      LineChart chart =
          new LineChart(ACCURACY + ": " + key, "batches trained", "prequential accuracy")
              .subtitle(
                  key.equals(ModelHistory.FUSED)
                      ? "fused prediction; TRAIN samples scored before they are trained on"
                      : "modality "
                          + key
                          + " alone; TRAIN samples scored before they are trained on")
              .yWithin(0, 1);
      for (ModelHistory h : log.models()) {
        List<double[]> points = new ArrayList<>();
        for (TrainingMetrics m : h.records()) {
          Double v = m.getPrequentialAccuracy().get(key);
          if (v != null) {
            points.add(new double[] {m.getBatches(), v});
          }
        }
        if (!points.isEmpty()) {
          chart.add(series(label(h), points));
        }
      }
      if (chart.isEmpty() && key.equals(ModelHistory.FUSED)) {
        continue; // no model reports a fused accuracy: no empty chart for it
      }
      String file = name("accuracy-" + key);
      chart.writePng(dir.resolve(file), width, height);
      out.add(
          new Figure(
              ACCURACY,
              file,
              ACCURACY + ": " + key,
              key.equals(ModelHistory.FUSED)
                  ? "Fused prediction (joint: softmax of the summed logits; alternating methods: mean of the modality softmaxes)."
                  : "Modality " + key + " scored by its own head."));
    }
    return out;
  }

  private Figure loss(MetricsLog log) throws IOException {
    LineChart chart =
        new LineChart(LOSS, "batches trained", "mean training loss since previous record")
            .subtitle("gaps: non-finite loss (refused steps)")
            .yIncludeZero();
    for (ModelHistory h : log.models()) {
      chart.add(series(h, TrainingMetrics::getLoss));
    }
    String file = name("loss");
    chart.writePng(dir.resolve(file), width, height);
    return new Figure(
        LOSS, file, LOSS, "Mean training loss of each model between consecutive metrics records.");
  }

  /**
   * The latest spectrum per model and T key, largest eigenvalue first, with the T scaling it gives.
   */
  private List<Figure> spectra(MetricsLog log) throws IOException {
    List<Figure> out = new ArrayList<>();
    for (ModelHistory h : log.models()) {
      double t = tau.forModel(h.modelId());
      for (ModelHistory.Spectrum s : h.latestSpectra().values()) {
        double[] lambda = s.eigenvalues().clone();
        Arrays.sort(lambda);
        reverse(lambda);
        double[] scaling = TScaling.of(lambda, t);
        double[] index = new double[lambda.length];
        int nonPositive = 0;
        for (int i = 0; i < lambda.length; i++) {
          index[i] = i + 1;
          nonPositive += lambda[i] > 0 ? 0 : 1;
        }
        String title =
            "Spectrum behind T: " + s.modality() + " layer " + s.layer() + " — " + h.modelId();
        StringBuilder sub =
            new StringBuilder(
                String.format(
                    Locale.ROOT, "%s, batch %d, d = %d", h.method(), s.batches(), lambda.length));
        if (lambda.length > 0 && lambda[lambda.length - 1] > 0) {
          sub.append(
              String.format(
                  Locale.ROOT, ", λmax/λmin = %.3g", lambda[0] / lambda[lambda.length - 1]));
        }
        if (nonPositive > 0) {
          sub.append(", ")
              .append(nonPositive)
              .append(" eigenvalue")
              .append(nonPositive == 1 ? "" : "s")
              .append(" ≤ 0 not shown");
        }
        LineChart chart =
            new LineChart(title, "eigenvalue index i (largest first)", "eigenvalue λ_i")
                .subtitle(sub.toString())
                .logY()
                .integerX()
                .xRange(0, lambda.length + 1) // a fitted range would round d = 32 up to 40
                .secondaryY("T scaling s_i", 0, 1)
                .add(Series.of("λ_i of the covariance C", index, lambda).markers())
                .add(
                    Series.of(
                            String.format(
                                Locale.ROOT,
                                "s_i = exp(−τ(λ_i−λmin)/(λmax−λmin)), τ = %s",
                                fmtTau(t)),
                            index,
                            scaling)
                        .dashed()
                        .onSecondaryAxis());
        String file = name("spectrum-" + h.modelId() + "-" + s.key());
        chart.writePng(dir.resolve(file), width, height);
        out.add(
            new Figure(
                SPECTRA,
                file,
                title,
                String.format(
                    Locale.ROOT,
                    "%s, modality %s, head layer %s: latest covariance spectrum (batch %d) and the scaling T applies along"
                        + " each eigenvector; T damps the gradients of the modality trained after %s.",
                    h.modelId(),
                    s.modality(),
                    s.layer(),
                    s.batches(),
                    s.modality())));
      }
    }
    return out;
  }

  private Figure refresh(MetricsLog log) throws IOException {
    LineChart chart =
        new LineChart(REFRESH, "batches trained", "T refresh time (ms)")
            .subtitle("records with a refresh (tRefreshMillis > 0)")
            .yIncludeZero();
    for (ModelHistory h : log.models()) {
      List<double[]> points = new ArrayList<>();
      for (TrainingMetrics m : h.records()) {
        if (m.getTRefreshMillis() > 0) {
          points.add(new double[] {m.getBatches(), m.getTRefreshMillis()});
        }
      }
      if (!points.isEmpty()) {
        chart.add(series(label(h), points).markers());
      }
    }
    if (chart.isEmpty()) {
      return null;
    }
    String file = name("t-refresh");
    chart.writePng(dir.resolve(file), width, height);
    return new Figure(
        REFRESH,
        file,
        REFRESH,
        "Wall time of the T refreshes (eigendecomposition and product) reported by each model.");
  }

  private Figure deadLetters(MetricsLog log) throws IOException {
    List<DeadLetterCount> counts = log.deadLetterCounts();
    BarChart chart =
        new BarChart("Dead letters by stage and reason", "records")
            .subtitle(log.deadLetterTotal() + " in all");
    for (int i = 0; i < Math.min(counts.size(), MAX_BARS); i++) {
      chart.add(counts.get(i).label(), counts.get(i).count());
    }
    if (counts.size() > MAX_BARS) {
      long rest =
          counts.subList(MAX_BARS, counts.size()).stream().mapToLong(DeadLetterCount::count).sum();
      chart.add("other (" + (counts.size() - MAX_BARS) + " reasons)", rest);
    }
    String file = name("dead-letters");
    chart.writePng(dir.resolve(file), width, height);
    return new Figure(
        DEAD_LETTERS,
        file,
        "Dead letters by stage and reason",
        "Records sent to the dead-letter topic, by pipeline stage and reason (full list in the table).");
  }

  private static Series series(ModelHistory h, ToDoubleFunction<TrainingMetrics> value) {
    List<double[]> points = new ArrayList<>();
    for (TrainingMetrics m : h.records()) {
      points.add(new double[] {m.getBatches(), value.applyAsDouble(m)});
    }
    return series(label(h), points);
  }

  private static Series series(String name, List<double[]> points) {
    double[] x = new double[points.size()];
    double[] y = new double[points.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = points.get(i)[0];
      y[i] = points.get(i)[1];
    }
    Series s = Series.of(name, x, y);
    return points.size() <= 25 ? s.markers() : s;
  }

  /** "igm" when the model id is its method, else "id (method)". */
  static String label(ModelHistory h) {
    return h.modelId().equals(h.method()) ? h.modelId() : h.modelId() + " (" + h.method() + ")";
  }

  /** A file name made of safe characters, unique within this report. */
  private String name(String stem) {
    String safe = stem.replaceAll("[^A-Za-z0-9._-]", "_");
    String candidate = safe + ".png";
    for (int i = 2; !usedNames.add(candidate); i++) {
      candidate = safe + "-" + i + ".png";
    }
    return candidate;
  }

  private static String fmtTau(double t) {
    return String.format(Locale.ROOT, "%.4g", t).replaceAll("\\.?0+$", "");
  }

  private static void reverse(double[] a) {
    for (int i = 0, j = a.length - 1; i < j; i++, j--) {
      double t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
