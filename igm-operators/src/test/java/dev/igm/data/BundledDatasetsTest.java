package dev.igm.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.Split;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BundledDatasetsTest {

  @Test
  void segmentLoadsFromTheClasspath() {
    MultiViewDataset ds = BundledDatasets.segment();
    assertThat(ds.name()).isEqualTo("segment");
    assertThat(ds.size()).isEqualTo(2310);
    assertThat(ds.splitCounts())
        .containsEntry(Split.TRAIN, 1500)
        .containsEntry(Split.TEST, 810)
        .containsEntry(Split.VALID, 0);
    assertThat(ds.classNames())
        .containsExactly("brickface", "sky", "foliage", "cement", "window", "path", "grass");
    assertThat(ds.modalities()).containsExactly("shape", "colour");
    assertThat(ds.viewWidth("shape")).isEqualTo(9);
    assertThat(ds.viewWidth("colour")).isEqualTo(10);

    MultiViewRow first = ds.row(0);
    assertThat(first.sampleId()).isEqualTo("segment/segment-challenge/0");
    assertThat(first.split()).isEqualTo(Split.TRAIN);
    assertThat(first.label()).isEqualTo(5); // path
    assertThat(first.view("shape"))
        .containsExactly(38f, 189f, 9f, 0f, 0f, 1f, 0.222222f, 6.22222f, 33.3185f);
    assertThat(first.view("colour")[9]).isEqualTo(-2.04915f);
    MultiViewRow firstTest = ds.row(1500);
    assertThat(firstTest.sampleId()).isEqualTo("segment/segment-test/0");
    assertThat(firstTest.split()).isEqualTo(Split.TEST);
    // every class appears in both files
    for (Split s : new Split[] {Split.TRAIN, Split.TEST}) {
      assertThat(ds.rows(s).stream().mapToInt(MultiViewRow::label).distinct().count()).isEqualTo(7);
    }
  }

  @Test
  void segmentStandardisedOnTrainHasZeroMeanUnitStd() {
    MultiViewDataset ds = BundledDatasets.segment();
    MultiViewDataset z = ViewStandardizer.fit(ds).apply(ds);
    ViewStandardizer again = ViewStandardizer.fit(z);
    for (String m : z.modalities()) {
      assertThat(Arrays.stream(again.mean(m)).map(Math::abs).max().orElseThrow()).isLessThan(1e-5);
      // region-pixel-count is constant (9): its std 0 becomes 1, so it standardises to 0 with std 0
      // → 1 again
      for (double s : again.std(m)) {
        assertThat(s).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
      }
    }
  }

  @Test
  void repositoryCopyMatchesTheBundledResource() throws Exception {
    Path repo = Path.of("..", "datasets", "segment");
    if (Files.isDirectory(repo)) {
      for (String f : new String[] {"segment-challenge.arff", "segment-test.arff", "SOURCE.md"}) {
        try (var in = BundledDatasets.class.getResourceAsStream("segment/" + f)) {
          assertThat(in.readAllBytes()).as(f).isEqualTo(Files.readAllBytes(repo.resolve(f)));
        }
      }
    }
  }
}
