package dev.igm.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.DeadLetter;
import dev.igm.avro.TrainingMetrics;
import dev.igm.cli.IgmCli;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code igm report --metrics-file}: the synthetic log of two models becomes a page with the right
 * numbers and charts.
 */
class HtmlReportTest {
  @TempDir Path tmp;

  @Test
  void reportFromMetricsFileHasBothModelsTheirNumbersAndEveryChart() throws IOException {
    Path file = tmp.resolve("metrics.jsonl");
    try (MetricsFileWriter w = MetricsFileWriter.create(file)) {
      for (TrainingMetrics m : SyntheticMetrics.records()) {
        w.write(m);
      }
      for (DeadLetter d : SyntheticMetrics.deadLetters()) {
        w.write(d);
      }
    }
    Path out = tmp.resolve("report");

    int exit = IgmCli.run("report", "--metrics-file", file.toString(), "--out", out.toString());

    assertThat(exit).isZero();
    String html = Files.readString(out.resolve("index.html"));
    ReportPages.assertSummary(html);
    assertThat(html)
        .contains(
            "decode",
            "corrupt Avro MultimodalSample",
            "NaN in modality shape",
            "label 9 out of range [0, 7)");
    assertThat(html).contains("τ used here: 0.4");
    List<String> charts = ReportPages.imageSources(html);
    assertThat(charts).containsExactlyInAnyOrderElementsOf(expectedCharts());
    for (String chart : charts) {
      assertReadablePng(out.resolve(chart));
    }
  }

  @Test
  void aModelWithoutSpectraGetsNoSpectrumChartAndAnEmptyLogStillGivesAPage() throws IOException {
    MetricsLog log = new MetricsLog().addSource("test");
    log.add(
        TrainingMetrics.newBuilder(SyntheticMetrics.record("joint", 1))
            .setEigenvalues(java.util.Map.of())
            .setTRefreshMillis(0)
            .build());

    HtmlReport.Result r = new HtmlReport(TauSettings.defaults()).write(log, tmp.resolve("one"));

    assertThat(r.charts())
        .extracting(p -> p.getFileName().toString())
        .containsExactly(
            "accuracy-fused.png", "accuracy-shape.png", "accuracy-colour.png", "loss.png");
    assertThat(Files.readString(r.index())).contains("No eigenvalue spectra");

    HtmlReport.Result empty =
        new HtmlReport(TauSettings.defaults()).write(new MetricsLog(), tmp.resolve("none"));
    assertThat(empty.charts()).isEmpty();
    assertThat(Files.readString(empty.index())).contains("No TrainingMetrics records");
  }

  @Test
  void perModelTauChangesOnlyThatModelsScaling() throws IOException {
    Path file = tmp.resolve("m.jsonl");
    try (MetricsFileWriter w = MetricsFileWriter.create(file)) {
      for (TrainingMetrics m : SyntheticMetrics.records()) {
        w.write(m);
      }
    }
    int exit =
        IgmCli.run(
            "report",
            "--metrics-file",
            file.toString(),
            "--out",
            tmp.resolve("r").toString(),
            "--model-tau",
            "igm=1.5");
    assertThat(exit).isZero();
    assertThat(Files.readString(tmp.resolve("r/index.html")))
        .contains("τ used here: 0.4 (igm: 1.5)")
        .doesNotContain("dead-letters.png");
  }

  @Test
  void sourceMustBeExactlyOneOfKafkaAndFile() {
    assertThat(IgmCli.run("report", "--out", tmp.toString())).isEqualTo(2);
    assertThat(IgmCli.run("report", "--bootstrap", "localhost:1", "--metrics-file", "x.jsonl"))
        .isEqualTo(2);
    assertThat(IgmCli.run("report", "--metrics-file", "x.jsonl", "--tau", "-1")).isEqualTo(2);
  }

  // ---- shared with the Kafka integration test (tests/…/ReportFromKafkaIT), which checks the same
  // page

  static List<String> expectedCharts() {
    List<String> charts =
        new ArrayList<>(
            List.of(
                "accuracy-fused.png",
                "accuracy-shape.png",
                "accuracy-colour.png",
                "loss.png",
                "t-refresh.png",
                "dead-letters.png"));
    for (String model : SyntheticMetrics.MODELS) {
      for (String modality : List.of("shape", "colour")) {
        for (int layer = 0; layer < 3; layer++) {
          charts.add("spectrum-" + model + "-" + modality + "." + layer + ".png");
        }
      }
    }
    assertThat(charts).hasSize(6 + SyntheticMetrics.SPECTRA);
    return charts;
  }

  /**
   * A PNG ImageIO can read, 800×450, with real content: many colours and a fair share of drawn
   * pixels.
   */
  static void assertReadablePng(Path png) throws IOException {
    assertThat(png).exists();
    byte[] head = Files.readAllBytes(png);
    assertThat(head)
        .as("PNG signature of %s", png)
        .startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img).as("decoded %s", png).isNotNull();
    assertThat(img.getWidth()).isEqualTo(HtmlReport.WIDTH);
    assertThat(img.getHeight()).isEqualTo(HtmlReport.HEIGHT);
    Set<Integer> colours = new HashSet<>();
    long drawn = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y) & 0xFFFFFF;
        colours.add(rgb);
        drawn += rgb == 0xFFFFFF ? 0 : 1;
      }
    }
    assertThat(colours.size()).as("distinct colours in %s", png).isGreaterThan(50);
    assertThat(drawn)
        .as("non-white pixels in %s", png)
        .isGreaterThan(img.getWidth() * img.getHeight() / 50L);
  }
}
