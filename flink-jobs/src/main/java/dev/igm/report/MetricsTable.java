package dev.igm.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A comparison table of Acc / macro-F1 / MAP per modality and fused, as text or Markdown. */
public final class MetricsTable {
  private final List<String> columns;
  private final Map<String, Map<String, Double>> rows = new LinkedHashMap<>();

  /**
   * @param groups the metric groups in column order, e.g. [shape, colour, fused]
   */
  public MetricsTable(List<String> groups) {
    this.columns = new ArrayList<>(groups);
  }

  public MetricsTable add(String row, Map<String, Double> metrics) {
    rows.put(row, metrics);
    return this;
  }

  public String markdown() {
    StringBuilder sb = new StringBuilder("| method |");
    StringBuilder rule = new StringBuilder("|---|");
    for (String g : columns) {
      sb.append(' ')
          .append(g)
          .append(" Acc | ")
          .append(g)
          .append(" F1 | ")
          .append(g)
          .append(" MAP |");
      rule.append("---:|---:|---:|");
    }
    sb.append('\n').append(rule).append('\n');
    for (Map.Entry<String, Map<String, Double>> r : rows.entrySet()) {
      sb.append("| ").append(r.getKey()).append(" |");
      for (String g : columns) {
        for (String m : List.of("acc", "f1", "map")) {
          sb.append(' ').append(fmt(r.getValue().get(g + "." + m))).append(" |");
        }
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  public String text() {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-16s", "method"));
    for (String g : columns) {
      sb.append(String.format(Locale.ROOT, " | %-22s", g + " Acc/F1/MAP"));
    }
    sb.append('\n');
    for (Map.Entry<String, Map<String, Double>> r : rows.entrySet()) {
      sb.append(String.format(Locale.ROOT, "%-16s", r.getKey()));
      for (String g : columns) {
        Map<String, Double> v = r.getValue();
        sb.append(
            String.format(
                Locale.ROOT,
                " | %-22s",
                fmt(v.get(g + ".acc"))
                    + " "
                    + fmt(v.get(g + ".f1"))
                    + " "
                    + fmt(v.get(g + ".map"))));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /**
   * An HTML table with the same figures as {@link #text()} and {@link #markdown()} (four decimals).
   */
  public String html() {
    StringBuilder h = new StringBuilder("<table>\n<tr><th rowspan=\"2\">model</th>");
    for (String g : columns) {
      h.append("<th colspan=\"3\">").append(IndexPage.esc(g)).append("</th>");
    }
    h.append("</tr>\n<tr>");
    for (int i = 0; i < columns.size(); i++) {
      h.append("<th>Acc</th><th>F1</th><th>MAP</th>");
    }
    h.append("</tr>\n");
    for (Map.Entry<String, Map<String, Double>> r : rows.entrySet()) {
      h.append("<tr><td>").append(IndexPage.esc(r.getKey())).append("</td>");
      for (String g : columns) {
        for (String m : List.of("acc", "f1", "map")) {
          h.append("<td class=\"n\">").append(fmt(r.getValue().get(g + "." + m))).append("</td>");
        }
      }
      h.append("</tr>\n");
    }
    return h.append("</table>\n").toString();
  }

  public boolean isEmpty() {
    return rows.isEmpty();
  }

  private static String fmt(Double d) {
    return d == null ? "—" : String.format(Locale.ROOT, "%.4f", d);
  }
}
