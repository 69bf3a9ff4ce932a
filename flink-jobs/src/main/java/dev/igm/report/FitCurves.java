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
 * method and modality, drawn as one chart ({@code imbalance.png}; a colour per modality, a line
 * style per method) with a page that lists the numbers it shows. Which modality a method lets fall
 * behind, and whether it catches up, is what the chart is for. Runs fitted with {@code
 * --test-curve} also recorded TEST after every epoch: those curves get a chart of their own ({@code
 * imbalance-test.png}); they were never used for any choice.
 */
public final class FitCurves {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One run: its method, where it came from, and per modality (then fused) the VALID accuracy of
   * each epoch; {@code testAccuracy} the same on TEST, empty unless the fit recorded it ({@code
   * --test-curve}).
   */
  public record Run(
      String method,
      Path metrics,
      List<Integer> epochs,
      Map<String, List<Double>> accuracy,
      Map<String, List<Double>> testAccuracy) {}

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
    Map<String, List<Double>> test = new LinkedHashMap<>();
    for (JsonNode epoch : curve) {
      epochs.add(epoch.path("epoch").asInt());
      accuracies(epoch.path("valid"), accuracy);
      accuracies(epoch.path("test"), test);
    }
    if (!test.isEmpty() && test.values().stream().anyMatch(v -> v.size() != epochs.size())) {
      throw new IOException(file + " records TEST for some epochs only");
    }
    return new Run(root.path("method").asText("?"), file, epochs, accuracy, test);
  }

  private static void accuracies(JsonNode scores, Map<String, List<Double>> into) {
    for (Iterator<Map.Entry<String, JsonNode>> it = scores.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().endsWith(".acc")) {
        String group = e.getKey().substring(0, e.getKey().length() - ".acc".length());
        into.computeIfAbsent(group, g -> new ArrayList<>()).add(e.getValue().asDouble(Double.NaN));
      }
    }
  }

  public List<Run> runs() {
    return runs;
  }

  /**
   * Writes {@code imbalance.png} (VALID), {@code imbalance-test.png} when any run recorded TEST per
   * epoch, and {@code index.html} into {@code dir}; returns the page.
   */
  public Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    StringBuilder table =
        new StringBuilder("<table>\n<tr><th>method</th><th>split</th><th>prediction</th>");
    int widest = runs.stream().mapToInt(r -> r.epochs().size()).max().orElse(0);
    for (int e = 1; e <= widest; e++) {
      table.append("<th>").append(e).append("</th>");
    }
    table.append("</tr>\n");
    chart("VALID", Run::accuracy, table).writePng(dir.resolve("imbalance.png"), 1000, 560);
    boolean tested = runs.stream().anyMatch(r -> !r.testAccuracy().isEmpty());
    if (tested) {
      chart("TEST", Run::testAccuracy, table)
          .writePng(dir.resolve("imbalance-test.png"), 1000, 560);
    }
    table.append("</table>\n");
    StringBuilder sources = new StringBuilder();
    runs.forEach(r -> sources.append("<li>").append(esc(r.metrics().toString())).append("</li>\n"));
    Path index = dir.resolve("index.html");
    Files.writeString(
        index,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
            + "<title>igm fit: per-modality accuracy over training</title></head>\n<body>\n"
            + "<h1>Per-modality accuracy over training</h1>\n<p><img src=\"imbalance.png\" alt=\"per-modality VALID"
            + " accuracy by epoch\"></p>\n<p>Accuracy on the VALID rows after each epoch, as igm fit recorded it: each"
            + " modality scored by its own head, and the fused prediction.</p>\n"
            + (tested
                ? "<p><img src=\"imbalance-test.png\" alt=\"per-modality TEST accuracy by epoch\"></p>\n<p>The same"
                    + " on TEST, recorded by igm fit --test-curve for this picture only: the epoch kept and the settings"
                    + " chosen read VALID alone.</p>\n"
                : "<p>VALID rows only: TEST takes no part in any choice.</p>\n")
            + table
            + "<p>From:</p>\n<ul>\n"
            + sources
            + "</ul>\n</body>\n</html>\n");
    return index;
  }

  /**
   * One chart of {@code split}'s curves, their numbers appended to {@code table}. A colour per
   * prediction (each modality's own head, then fused) and a line style per run (solid, dashed,
   * alternating), so that one modality's curves under two methods sit side by side in one colour.
   * The joint model's mean-softmax fusion is in the table only: a second fused line would hide the
   * first.
   */
  private LineChart chart(
      String split,
      java.util.function.Function<Run, Map<String, List<Double>>> curves,
      StringBuilder table) {
    List<String> predictions = new ArrayList<>();
    runs.forEach(
        r ->
            curves.apply(r).keySet().stream()
                .filter(g -> !g.equals("mean-softmax") && !predictions.contains(g))
                .forEach(predictions::add));
    StringBuilder styles = new StringBuilder();
    for (int i = 0; i < runs.size(); i++) {
      styles
          .append(i == 0 ? "" : ", ")
          .append(runs.get(i).method())
          .append(i % 2 == 0 ? " solid" : " dashed");
    }
    LineChart chart =
        new LineChart(
                "Per-modality " + split + " accuracy over training", "epoch", split + " accuracy")
            .subtitle(
                "colour: the prediction (each modality by its own head, and fused); line: "
                    + styles)
            .integerX()
            .yRange(0, 1);
    for (int i = 0; i < runs.size(); i++) {
      Run r = runs.get(i);
      double[] x = r.epochs().stream().mapToDouble(Integer::doubleValue).toArray();
      for (Map.Entry<String, List<Double>> g : curves.apply(r).entrySet()) {
        if (predictions.contains(g.getKey())) {
          Series s =
              Series.of(
                      r.method() + " " + g.getKey(),
                      x,
                      g.getValue().stream().mapToDouble(d -> d).toArray())
                  .color(Palette.color(predictions.indexOf(g.getKey())))
                  .markers();
          chart.add(i % 2 == 0 ? s : s.dashed());
        }
        table
            .append("<tr><td>")
            .append(esc(r.method()))
            .append("</td><td>")
            .append(split)
            .append("</td><td>")
            .append(esc(g.getKey()))
            .append("</td>");
        for (double v : g.getValue()) {
          table.append(String.format(java.util.Locale.ROOT, "<td>%.3f</td>", v));
        }
        table.append("</tr>\n");
      }
    }
    return chart;
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
