package dev.igm.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.Split;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.fit.OfflineFit;
import dev.igm.core.train.LabeledSample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The segment data as an npz of arrays {@code X}, {@code y}, {@code split} (1500 TRAIN, 810 TEST
 * rows), read as the command line's --label y --split-column split pass it on: its 810 TEST rows
 * stay TEST and are never offered to the trainer (the split option used to be ignored for npz, and
 * every row became TRAIN).
 */
class NpzTestRowsTest {
  @TempDir Path dir;

  /**
   * {@code segment} written as numpy would: X (2310, 19) float32, y (2310,) int64, split (2310,)
   * strings.
   */
  static Path segmentNpz(Path file, boolean perView) throws IOException {
    MultiViewDataset seg = BundledDatasets.segment();
    int n = seg.size();
    float[] x = new float[n * 19];
    float[] shape = new float[n * 9];
    float[] colour = new float[n * 10];
    long[] y = new long[n];
    String[] split = new String[n];
    for (int i = 0; i < n; i++) {
      MultiViewRow r = seg.row(i);
      System.arraycopy(r.view("shape"), 0, x, i * 19, 9);
      System.arraycopy(r.view("colour"), 0, x, i * 19 + 9, 10);
      System.arraycopy(r.view("shape"), 0, shape, i * 9, 9);
      System.arraycopy(r.view("colour"), 0, colour, i * 10, 10);
      y[i] = r.label();
      split[i] = r.split() == Split.TEST ? "test" : "Train"; // any case
    }
    Map<String, byte[]> arrays = new LinkedHashMap<>();
    if (perView) {
      arrays.put("shape_feats", NpyFixtures.npy("<f4", new int[] {n, 9}, NpyFixtures.f4(shape)));
      arrays.put("colour_feats", NpyFixtures.npy("<f4", new int[] {n, 10}, NpyFixtures.f4(colour)));
      arrays.put("labels", NpyFixtures.npy("<i8", new int[] {n}, NpyFixtures.i8(y)));
    } else {
      arrays.put("X", NpyFixtures.npy("<f4", new int[] {n, 19}, NpyFixtures.f4(x)));
      arrays.put("y", NpyFixtures.npy("<i8", new int[] {n}, NpyFixtures.i8(y)));
    }
    arrays.put("split", NpyFixtures.npy("<U5", new int[] {n}, NpyFixtures.unicode(5, split)));
    return NpyFixtures.npz(file, arrays, true);
  }

  @Test
  void theTestRowsOfAnNpzAreNeverOfferedToTheTrainer() throws IOException {
    Path npz = segmentNpz(dir.resolve("segment.npz"), false);
    MultiViewDataset ds =
        NpzReader.read(
            npz,
            TableOptions.builder()
                .labelColumn("y")
                .splitColumn("split")
                .viewMap(BundledDatasets.SEGMENT_VIEWS)
                .build());
    assertThat(ds.splitCounts()).containsEntry(Split.TRAIN, 1500).containsEntry(Split.TEST, 810);
    ds = OfflineFit.prepare(ValidationSplit.carve(ds, 0.2, 1), true);
    Set<String> test =
        ds.rows(Split.TEST).stream().map(MultiViewRow::sampleId).collect(Collectors.toSet());
    Set<String> train =
        ds.rows(Split.TRAIN).stream().map(MultiViewRow::sampleId).collect(Collectors.toSet());
    assertThat(test).hasSize(810);
    IgmConfig config =
        IgmConfig.builder()
            .method("igm")
            .modalities(OfflineFit.featureModalities(ds))
            .numClasses(ds.classCount())
            .build();
    List<LabeledSample> offered = OfflineFit.of(ds, config, 2, 42).trainingSamples();
    assertThat(offered).hasSize(2 * 1200);
    Set<String> offeredRows =
        offered.stream()
            .map(s -> s.id().substring(0, s.id().lastIndexOf('@')))
            .collect(Collectors.toSet());
    assertThat(offeredRows).doesNotContainAnyElementsOf(test).isEqualTo(train);
  }

  @Test
  void oneArrayPerViewWithLabelsAndSplitUnderTheirOwnNames() throws IOException {
    Path npz = segmentNpz(dir.resolve("views.npz"), true);
    MultiViewDataset ds =
        NpzReader.read(
            npz,
            TableOptions.builder()
                .labelColumn("labels")
                .splitColumn("split")
                .viewMap("shape=shape_feats;colour=colour_feats")
                .build());
    assertThat(ds.viewWidths()).containsExactly(Map.entry("shape", 9), Map.entry("colour", 10));
    assertThat(ds.splitCounts()).containsEntry(Split.TRAIN, 1500).containsEntry(Split.TEST, 810);
    MultiViewDataset bundled = BundledDatasets.segment();
    assertThat(ds.row(2000).view("colour")).containsExactly(bundled.row(2000).view("colour"));
    assertThat(ds.labels()).containsExactly(bundled.labels());
  }
}
