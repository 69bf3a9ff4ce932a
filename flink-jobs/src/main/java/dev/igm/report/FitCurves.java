package dev.igm.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.igm.report.chart.LineChart;
import dev.igm.report.chart.Palette;
import dev.igm.report.chart.Series;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The imbalance picture of {@code igm fit} runs: each modality's VALID accuracy after every epoch,
 * read from the runs' {@code metrics.json} (their {@code epochSelection.validCurve}), one line per
 * method and modality, drawn as one chart ({@code imbalance.png}) with a page that lists the
 * numbers it shows. Which modality a method lets fall behind, and whether it catches up, is what
 * the chart is for.
 */
public final class FitCurves {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One run: its method, where it came from, and per modality (then fused) the accuracy of each
   * epoch.
   */
  public record Run(
      String method, Path metrics, List<Integer> epochs, Map<String, List<Double>> accuracy) {}

  private final List<Run> runs;

  private FitCurves(List<Run> runs) {
    this.runs = List.copyOf(runs);
  }

  /**
   * Reads every {@code <method>/metrics.json} under each of {@code folders} (an {@code igm fit
   * --out} folder).
   *
   * @throws IOException for a folder without such files, or a file without a per-epoch VALID curve
   */
  public static FitCurves read(List<Path> folders) throws IOException {
    List<Run> runs = new ArrayList<>();
    for (Path folder : folders) {
      List<Path> files;
      try (Stream<Path> children = Files.list(folder)) {
        files =
            children
                .map(c -> c.resolve("metrics.json"))
                .filter(Files::isRegularFile)
                .sorted()
                .toList();
      } catch (java.nio.file.NoSuchFileException e) {
        throw new IOException("no such folder: " + folder, e);
      }
      if (files.isEmpty()) {
        throw new IOException(
            folder + " holds no <method>/metrics.json (an igm fit --out folder does)");
      }
      for (Path f : files) {
        runs.add(run(f));
      }
    }
    return new FitCurves(runs);
  }

  private static Run run(Path file) throws IOException {
    JsonNode root = JSON.readTree(file.toFile());
    JsonNode curve = root.path("epochSelection").path("validCurve");
    if (!curve.isArray() || curve.isEmpty()) {
      throw new IOException(
          file + " has no per-epoch VALID curve (a fit without VALID rows records none)");
    }
    List<Integer> epochs = new ArrayList<>();
    Map<String, List<Double>> accuracy = new LinkedHashMap<>();
    for (JsonNode epoch : curve) {
      epochs.add(epoch.path("epoch").asInt());
      for (Iterator<Map.Entry<String, JsonNode>> it = epoch.path("valid").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().endsWith(".acc")) {
          String group = e.getKey().substring(0, e.getKey().length() - ".acc".length());
          accuracy
              .computeIfAbsent(group, g -> new ArrayList<>())
              .add(e.getValue().asDouble(Double.NaN));
        }
      }
    }
    return new Run(root.path("method").asText("?"), file, epochs, accuracy);
  }

  public List<Run> runs() {
    return runs;
  }

  /** Writes {@code imbalance.png} and {@code index.html} into {@code dir}; returns the page. */
  public Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    LineChart chart =
        new LineChart("Per-modality VALID accuracy over training", "epoch", "VALID accuracy")
            .subtitle("solid: each modality's own head; dashed: the fused prediction")
            .integerX()
            .yRange(0, 1);
    StringBuilder table = new StringBuilder("<table>\n<tr><th>method</th><th>prediction</th>");
    int widest = runs.stream().mapToInt(r -> r.epochs().size()).max().orElse(0);
    for (int e = 1; e <= widest; e++) {
      table.append("<th>").append(e).append("</th>");
    }
    table.append("</tr>\n");
    int colour = 0;
    for (Run r : runs) {
      double[] x = r.epochs().stream().mapToDouble(Integer::doubleValue).toArray();
      for (Map.Entry<String, List<Double>> g : r.accuracy().entrySet()) {
        if (g.getKey().equals("mean-softmax")) {
          continue; // joint's second fusion rule: the chart is about the modalities and the
          // method's own fusion
        }
        boolean fused = g.getKey().equals("fused");
        Series s =
            Series.of(
                    r.method() + " " + g.getKey(),
                    x,
                    g.getValue().stream().mapToDouble(d -> d).toArray())
                .color(Palette.color(colour++))
                .markers();
        chart.add(fused ? s.dashed() : s);
        table
            .append("<tr><td>")
            .append(esc(r.method()))
            .append("</td><td>")
            .append(esc(g.getKey()))
            .append("</td>");
        for (double v : g.getValue()) {
          table.append(String.format(java.util.Locale.ROOT, "<td>%.3f</td>", v));
        }
        table.append("</tr>\n");
      }
    }
    table.append("</table>\n");
    chart.writePng(dir.resolve("imbalance.png"), 1000, 560);
    StringBuilder sources = new StringBuilder();
    runs.forEach(r -> sources.append("<li>").append(esc(r.metrics().toString())).append("</li>\n"));
    Path index = dir.resolve("index.html");
    Files.writeString(
        index,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
            + "<title>igm fit: per-modality accuracy over training</title></head>\n<body>\n"
            + "<h1>Per-modality accuracy over training</h1>\n<p><img src=\"imbalance.png\" alt=\"per-modality VALID"
            + " accuracy by epoch\"></p>\n<p>Accuracy on the VALID rows after each epoch, as igm fit recorded it: each"
            + " modality scored by its own head, and the fused prediction. VALID rows only: TEST takes no part in any"
            + " choice.</p>\n"
            + table
            + "<p>From:</p>\n<ul>\n"
            + sources
            + "</ul>\n</body>\n</html>\n");
    return index;
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
