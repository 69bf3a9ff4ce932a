package dev.igm.report;

import dev.igm.avro.TrainingMetrics;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The report's {@code index.html}: self-contained (inline style, no scripts), the PNG charts beside
 * it.
 */
final class IndexPage {
  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private static final String STYLE =
      String.join(
          "\n",
          "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1680px;padding:0 16px;color:#222}",
          "h1{font-size:1.6em;margin-bottom:4px}h2{margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}",
          ".meta{color:#666;margin:2px 0}",
          "table{border-collapse:collapse;margin:8px 0}th,td{padding:5px 10px;border-bottom:1px solid #e4e4e4}",
          "th{background:#f5f5f5;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}",
          ".figs{display:flex;flex-wrap:wrap;gap:16px}",
          "figure{margin:0;width:800px;max-width:100%}figure img{width:100%;height:auto;border:1px solid #eee}",
          "figcaption{color:#555;font-size:.9em;margin-top:4px}",
          ".warn{background:#fff4e5;border-left:4px solid #f28e2b;padding:6px 10px}");

  private IndexPage() {}

  static String render(MetricsLog log, List<Figure> figures, TauSettings tau, Instant generated) {
    return render(log, figures, tau, generated, null, null);
  }

  static String render(
      MetricsLog log,
      List<Figure> figures,
      TauSettings tau,
      Instant generated,
      MetricsTable test,
      String testSource) {
    StringBuilder h = new StringBuilder(16_384);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>IGM training report</title>\n<style>\n")
        .append(STYLE)
        .append("\n</style>\n</head>\n<body>\n");
    h.append("<h1>IGM training report</h1>\n");
    h.append("<p class=\"meta\">Generated ")
        .append(UTC.format(generated))
        .append(" from ")
        .append(esc(String.join("; ", log.sources())))
        .append(".</p>\n");
    h.append("<p class=\"meta\">")
        .append(log.models().size())
        .append(" model(s), ")
        .append(log.recordCount())
        .append(" metrics records, ")
        .append(log.deadLetterTotal())
        .append(" dead letters.</p>\n");
    log.unreadable()
        .forEach(
            (source, n) ->
                h.append("<p class=\"warn\">")
                    .append(n)
                    .append(" record(s) of ")
                    .append(esc(source))
                    .append(" could not be decoded and were skipped.</p>\n"));

    if (test != null && !test.isEmpty()) {
      h.append(
              "<h2 id=\"test\">TEST</h2>\n<p class=\"meta\">Acc / macro-F1 / MAP of each model's TEST predictions"
                  + " (held out: scored, never trained on)")
          .append(testSource == null ? "" : ", " + esc(testSource))
          .append(". These are the figures to compare models by.</p>\n")
          .append(test.html());
    }
    howToRead(h);
    h.append("<h2>Summary</h2>\n");
    if (log.models().isEmpty()) {
      h.append(
          "<p class=\"warn\">No TrainingMetrics records: nothing has trained yet, or the topic or file is not"
              + " the one the job writes to.</p>\n");
    } else {
      summary(h, log);
    }
    if (log.deadLetterTotal() > 0) {
      h.append(
          "<h2>Dead letters</h2>\n<table>\n<tr><th>stage</th><th>reason</th><th>records</th></tr>\n");
      for (DeadLetterCount c : log.deadLetterCounts()) {
        h.append("<tr><td>")
            .append(esc(c.stage()))
            .append("</td><td>")
            .append(esc(c.reason()))
            .append("</td><td class=\"n\">")
            .append(c.count())
            .append("</td></tr>\n");
      }
      h.append("</table>\n");
    }

    Map<String, List<Figure>> sections = new LinkedHashMap<>();
    figures.forEach(f -> sections.computeIfAbsent(f.section(), k -> new ArrayList<>()).add(f));
    for (Map.Entry<String, List<Figure>> s : sections.entrySet()) {
      h.append("<h2>").append(esc(s.getKey())).append("</h2>\n");
      if (s.getKey().equals(ReportCharts.SPECTRA)) {
        h.append(
                "<p>T = V diag(s) Vᵀ with s_i = exp(−τ(λ_i−λmin)/(λmax−λmin)): directions of high variance are damped"
                    + " to e^−τ, flat ones keep 1. τ used here: ")
            .append(esc(tauText(tau)))
            .append(".</p>\n");
      }
      h.append("<div class=\"figs\">\n");
      for (Figure f : s.getValue()) {
        h.append("<figure><img src=\"")
            .append(esc(f.file()))
            .append("\" alt=\"")
            .append(esc(f.title()))
            .append("\" width=\"800\" height=\"450\"><figcaption>")
            .append(esc(f.caption()))
            .append("</figcaption></figure>\n");
      }
      h.append("</div>\n");
    }
    if (!log.models().isEmpty() && !sections.containsKey(ReportCharts.SPECTRA)) {
      h.append(
          "<p class=\"meta\">No eigenvalue spectra in the records (no T refreshed yet, or only methods"
              + " without T).</p>\n");
    }
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  /** What the figures below are, and the two patterns that puzzle a first reader. */
  private static void howToRead(StringBuilder h) {
    h.append("<h2>How to read this report</h2>\n<ul>\n")
        .append(
            "<li><b>Prequential accuracy</b> (summary table, accuracy charts) is measured on the training stream"
                + " itself: each TRAIN batch is scored by the model as it was just before training on it, averaged over"
                + " the last few batches of each metrics record. It shows learning as it happens; it is noisier than and"
                + " not comparable to the TEST figures, which score held-out samples.</li>\n")
        .append(
            "<li><b>The loss of igm, mla and igm-nosam zig-zags.</b> These methods train one modality at a"
                + " time, in phases of <code>phase.batches</code> batches (Algorithm 1 of the paper). The loss"
                + " reported is that of the modality trained in the phase, so it alternates between the modalities'"
                + " levels: a weak modality's loss is higher. The envelope of each level is what should fall.</li>\n")
        .append(
            "<li><b>T refresh time</b> is the wall time to turn a covariance into its modification matrix T"
                + " (a symmetric eigendecomposition, LAPACK dsyevd, per head layer at the end of a phase). It grows with"
                + " the layer width d roughly as d³ (a few ms at d = 256, tens at 512 on one idle core) and with the"
                + " machine's load: on a busy 2-core machine it can reach hundreds of ms to seconds while other threads"
                + " (the broker, sinks, checkpoints) hold the CPUs.</li>\n")
        .append(
            "<li><b>Spectra</b>: the eigenvalues behind each T and the scaling T gives each direction; a flat"
                + " spectrum gives T close to the identity (little modification).</li>\n</ul>\n");
  }

  private static void summary(StringBuilder h, MetricsLog log) {
    Set<String> keys = new LinkedHashSet<>();
    log.models().forEach(m -> keys.addAll(m.accuracyKeys()));
    List<String> accuracyKeys = new ArrayList<>(keys);
    if (accuracyKeys.remove(ModelHistory.FUSED)) {
      accuracyKeys.add(ModelHistory.FUSED); // fused last, next to the modalities it combines
    }
    h.append(
        "<p class=\"meta\">Counters are those of each model's latest record; accuracy is the last reported"
            + " prequential accuracy.</p>\n");
    h.append(
        "<table>\n<tr><th>model</th><th>method</th><th>version</th><th>records</th><th>batches</th>"
            + "<th>samples trained</th>");
    for (String k : accuracyKeys) {
      h.append("<th>acc ").append(esc(k)).append("</th>");
    }
    h.append("<th>loss</th><th>refused steps</th><th>dead letters</th><th>last record</th></tr>\n");
    for (ModelHistory m : log.models()) {
      TrainingMetrics last = m.latest();
      h.append("<tr><td>")
          .append(esc(m.modelId()))
          .append("</td><td>")
          .append(esc(m.method()))
          .append("</td>");
      cell(h, Long.toString(last.getModelVersion()));
      cell(h, Integer.toString(m.size()));
      cell(h, Long.toString(last.getBatches()));
      cell(h, Long.toString(last.getSamplesTrained()));
      for (String k : accuracyKeys) {
        OptionalDouble v = m.finalAccuracy(k);
        cell(h, v.isPresent() ? number(v.getAsDouble()) : "—");
      }
      cell(h, number(last.getLoss()));
      cell(h, Long.toString(last.getRefusedSteps()));
      cell(h, Long.toString(last.getDeadLetters()));
      h.append("<td>").append(UTC.format(last.getTime())).append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static void cell(StringBuilder h, String text) {
    h.append("<td class=\"n\">").append(esc(text)).append("</td>");
  }

  static String number(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : Double.toString(v);
  }

  private static String tauText(TauSettings tau) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s", tau.defaultTau()));
    if (!tau.byModel().isEmpty()) {
      s.append(" (");
      List<String> parts = new ArrayList<>();
      tau.byModel().forEach((m, t) -> parts.add(m + ": " + t));
      parts.sort(null);
      s.append(String.join(", ", parts)).append(")");
    }
    return s.toString();
  }

  static String esc(String s) {
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
