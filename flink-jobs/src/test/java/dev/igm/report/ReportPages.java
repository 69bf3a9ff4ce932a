package dev.igm.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading a report page the way its tests check it: a model's summary row, the charts it shows, and
 * the summary {@link SyntheticMetrics}' log must give. Shared with the integration tests through
 * this module's test-jar.
 */
public final class ReportPages {
  private ReportPages() {}

  /** The summary of {@link SyntheticMetrics}' log, figure by figure. */
  public static void assertSummary(String html) {
    // model, method, version, records, batches, samples trained, acc shape, acc colour, acc fused,
    // loss, refused, dead letters
    assertThat(row(html, "igm"))
        .containsSubsequence(
            "<td>igm</td>",
            ">5<",
            ">50<",
            ">500<",
            ">32000<",
            ">0.6512<",
            ">0.8347<",
            ">0.9123<",
            ">0.3071<",
            ">0<",
            ">7<");
    assertThat(row(html, "joint"))
        .containsSubsequence(
            "<td>joint</td>",
            ">5<",
            ">50<",
            ">500<",
            ">32000<",
            ">0.4471<",
            ">0.8209<",
            ">0.8765<",
            ">0.4178<",
            ">1<",
            ">7<");
    assertThat(html).contains("2 model(s), 100 metrics records, 7 dead letters");
  }

  /** The summary table's row of {@code model}. */
  public static String row(String html, String model) {
    Matcher m =
        Pattern.compile("<tr><td>" + Pattern.quote(model) + "</td>.*?</tr>", Pattern.DOTALL)
            .matcher(html);
    assertThat(m.find()).as("summary row of %s", model).isTrue();
    return m.group();
  }

  /** The page's images, in page order. */
  public static List<String> imageSources(String html) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
