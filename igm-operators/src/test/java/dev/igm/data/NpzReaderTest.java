package dev.igm.data;

import static dev.igm.data.NpyFixtures.f4;
import static dev.igm.data.NpyFixtures.f8;
import static dev.igm.data.NpyFixtures.i8;
import static dev.igm.data.NpyFixtures.npy;
import static dev.igm.data.NpyFixtures.u1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.igm.avro.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzReaderTest {
  @TempDir Path dir;

  /** 3 samples × 4 features, labels 2,0,1, splits TRAIN,VALID,TEST. */
  private Map<String, byte[]> matrixLayout() {
    Map<String, byte[]> e = new LinkedHashMap<>();
    e.put("X", npy("<f4", new int[] {3, 4}, f4(0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23)));
    e.put("y", npy("<i8", new int[] {3}, i8(2, 0, 1)));
    e.put("split", npy("|u1", new int[] {3}, u1(0, 1, 2)));
    return e;
  }

  @Test
  void featureMatrixWithViewMapLabelsAndSplits() throws IOException {
    for (boolean deflate : new boolean[] {false, true}) {
      Path p = NpyFixtures.npz(dir.resolve("toy.npz"), matrixLayout(), deflate);
      MultiViewDataset ds =
          NpzReader.read(
              p, TableOptions.builder().viewMap("a=1-3,b=4").splitsArray("split").build());
      assertThat(ds.size()).isEqualTo(3);
      assertThat(ds.modalities()).containsExactly("a", "b");
      assertThat(ds.viewWidths()).containsEntry("a", 3).containsEntry("b", 1);
      assertThat(ds.classNames()).containsExactly("0", "1", "2");
      assertThat(ds.labels()).containsExactly(2, 0, 1);
      assertThat(ds.rows())
          .extracting(MultiViewRow::split)
          .containsExactly(Split.TRAIN, Split.VALID, Split.TEST);
      assertThat(ds.row(1).view("a")).containsExactly(10f, 11f, 12f);
      assertThat(ds.row(2).view("b")).containsExactly(23f);
      assertThat(ds.row(2).sampleId()).isEqualTo("toy/toy/2");
    }
  }

  @Test
  void perViewArraysAreFlattenedAndStringLabelsSorted() throws IOException {
    Map<String, byte[]> e = new LinkedHashMap<>();
    e.put("audio", npy("<f8", new int[] {2, 2, 2}, f8(1, 2, 3, 4, 5, 6, 7, 8)));
    e.put("visual", npy("<i4", new int[] {2, 1}, NpyFixtures.i4(7, 9)));
    e.put("labels", npy("<U3", new int[] {2}, NpyFixtures.unicode(3, "sad", "ang")));
    e.put("fold", npy("<U5", new int[] {2}, NpyFixtures.unicode(5, "test", "TRAIN")));
    Path p = NpyFixtures.npz(dir.resolve("views.npz"), e, true);
    Map<String, String> views = new LinkedHashMap<>();
    views.put("visual", "visual");
    views.put("audio", "audio");
    MultiViewDataset ds =
        NpzReader.read(
            p,
            TableOptions.builder()
                .datasetName("d")
                .viewArrays(views)
                .labelsArray("labels")
                .splitsArray("fold")
                .build());
    assertThat(ds.modalities()).containsExactly("visual", "audio");
    assertThat(ds.viewWidth("audio")).isEqualTo(4);
    assertThat(ds.row(1).view("audio")).containsExactly(5f, 6f, 7f, 8f);
    assertThat(ds.row(0).view("visual")).containsExactly(7f);
    assertThat(ds.classNames()).containsExactly("ang", "sad");
    assertThat(ds.labels()).containsExactly(1, 0);
    assertThat(ds.row(0).split()).isEqualTo(Split.TEST);
    assertThat(NpzReader.readArrays(p).keySet())
        .containsExactly("audio", "visual", "labels", "fold");
  }

  @Test
  void directoryOfNpyFilesAndNpyDispatch() throws IOException {
    Path d = Files.createDirectory(dir.resolve("feats"));
    for (Map.Entry<String, byte[]> e : matrixLayout().entrySet()) {
      Files.write(d.resolve(e.getKey() + ".npy"), e.getValue());
    }
    MultiViewDataset fromDir = TableReader.read(d, TableOptions.defaults());
    assertThat(fromDir.viewWidth(ViewMap.DEFAULT_MODALITY)).isEqualTo(4);
    assertThat(fromDir.row(0).sampleId()).isEqualTo("feats/feats/0");
    Files.move(d.resolve("X.npy"), d.resolve("features.npy"));
    MultiViewDataset fromNpy =
        TableReader.read(
            d.resolve("features.npy"), TableOptions.builder().viewMap("a=1;2,b=3-4").build());
    assertThat(fromNpy.row(2).view("b")).containsExactly(22f, 23f);
  }

  @Test
  void errorsNameTheArchiveAndEntry() throws IOException {
    Map<String, byte[]> e = matrixLayout();
    e.put("y", npy("<i8", new int[] {2}, i8(0, 1)));
    Path rows = NpyFixtures.npz(dir.resolve("rows.npz"), e, false);
    assertThatThrownBy(() -> NpzReader.read(rows, TableOptions.defaults()))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith("rows.npz entry X.npy: expected 2 rows");

    Map<String, byte[]> f = matrixLayout();
    f.put("X", npy("<f4", new int[] {3, 4}, f4(1, 2, 3)));
    Path trunc = NpyFixtures.npz(dir.resolve("trunc.npz"), f, true);
    assertThatThrownBy(() -> NpzReader.read(trunc, TableOptions.defaults()))
        .hasMessageStartingWith("trunc.npz entry X.npy: truncated data");

    Map<String, byte[]> g = matrixLayout();
    g.put("X", npy("<f4", new int[] {3, 4}, f4(0, 1, 2, 3, 4, 5, Float.NaN, 7, 8, 9, 10, 11)));
    Path nan = NpyFixtures.npz(dir.resolve("nan.npz"), g, true);
    assertThatThrownBy(() -> NpzReader.read(nan, TableOptions.defaults()))
        .isInstanceOf(MissingValuesException.class)
        .hasMessage(
            "nan.npz entry X.npy: 1 of 3 rows have missing feature values (NaN), the first at row 1 column 3");
    Map<String, byte[]> h = matrixLayout();
    h.put(
        "X",
        npy(
            "<f4",
            new int[] {3, 4},
            f4(0, 1, 2, 3, 4, 5, Float.NEGATIVE_INFINITY, 7, 8, 9, 10, 11)));
    Path inf = NpyFixtures.npz(dir.resolve("inf.npz"), h, true);
    assertThatThrownBy(() -> NpzReader.read(inf, TableOptions.builder().keepMissing(true).build()))
        .hasMessageStartingWith("inf.npz entry X.npy: row 1 has a non-finite value at column 3");

    Path noLabels =
        NpyFixtures.npz(dir.resolve("nolabels.npz"), Map.of("X", matrixLayout().get("X")), true);
    assertThatThrownBy(() -> NpzReader.read(noLabels, TableOptions.defaults()))
        .hasMessage(
            "nolabels.npz: no labels array 'y' (arrays: [X]); name the labels array (igm: --label NAME)");

    Path p = NpyFixtures.npz(dir.resolve("range.npz"), matrixLayout(), true);
    assertThatThrownBy(() -> NpzReader.read(p, TableOptions.builder().viewMap("a=1-5").build()))
        .hasMessageContaining("range.npz entry X.npy")
        .hasMessageContaining("column 5 is out of range");
    assertThatThrownBy(
            () -> NpzReader.read(p, TableOptions.builder().classNames(List.of("0", "1")).build()))
        .hasMessageStartingWith("range.npz entry y.npy: row 0: label '2'");

    Path notZip = Files.writeString(dir.resolve("junk.npz"), "not a zip");
    assertThatThrownBy(() -> NpzReader.read(notZip, TableOptions.defaults()))
        .hasMessageStartingWith("junk.npz:");
  }

  /**
   * One array per view, labels and splits under names of their own: the layout the label/split
   * options name.
   */
  private Path perViewArchive(String... splits) throws IOException {
    Map<String, byte[]> e = new LinkedHashMap<>();
    e.put("audio_feats", npy("<f4", new int[] {4, 2}, f4(1, 2, 3, 4, 5, 6, 7, 8)));
    e.put(
        "video_feats",
        npy("<f8", new int[] {4, 1, 3}, f8(10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42)));
    e.put("X", npy("<f4", new int[] {4, 2}, f4(-1, -2, -3, -4, -5, -6, -7, -8)));
    e.put("labels", npy("<i8", new int[] {4}, i8(0, 1, 1, 0)));
    e.put("split", npy("<U5", new int[] {4}, NpyFixtures.unicode(5, splits)));
    return NpyFixtures.npz(dir.resolve("av.npz"), e, true);
  }

  @Test
  void labelAndSplitColumnsNameArraysAndViewItemsNameWholeArrays() throws IOException {
    Path p = perViewArchive("train", "Valid", "TEST", "TRAIN");
    // the command line's --label / --split-column arrive as labelColumn / splitColumn; ';' may join
    // the views too
    MultiViewDataset ds =
        NpzReader.read(
            p,
            TableOptions.builder()
                .labelColumn("labels")
                .splitColumn("split")
                .viewMap("audio=audio_feats;video=video_feats")
                .build());
    assertThat(ds.modalities()).containsExactly("audio", "video");
    assertThat(ds.viewWidths()).containsEntry("audio", 2).containsEntry("video", 3);
    assertThat(ds.row(2).view("video")).containsExactly(30f, 31f, 32f);
    assertThat(ds.labels()).containsExactly(0, 1, 1, 0);
    assertThat(ds.rows())
        .extracting(MultiViewRow::split)
        .containsExactly(Split.TRAIN, Split.VALID, Split.TEST, Split.TRAIN);

    // an array and columns of X in one view, in the items' order; another view of X's other column
    MultiViewDataset mixed =
        NpzReader.read(
            p,
            TableOptions.builder()
                .labelColumn("labels")
                .splitColumn("split")
                .viewMap("a=audio_feats;2,b=1")
                .build());
    assertThat(mixed.row(1).view("a")).containsExactly(3f, 4f, -4f);
    assertThat(mixed.row(1).view("b")).containsExactly(-3f);
  }

  @Test
  void splitValuesAreValidatedSoThatNoRowBecomesTrainByAccident() throws IOException {
    TableOptions options =
        TableOptions.builder()
            .labelColumn("labels")
            .splitColumn("split")
            .viewMap("audio=audio_feats")
            .build();
    assertThatThrownBy(
            () -> NpzReader.read(perViewArchive("train", "hold", "TEST", "TRAIN"), options))
        .hasMessage("av.npz entry split.npy: row 1: split 'hold' is not TRAIN, VALID or TEST");
    Map<String, byte[]> e = new LinkedHashMap<>(matrixLayout());
    e.put("split", npy("<i8", new int[] {3}, i8(0, 3, 2)));
    Path ints = NpyFixtures.npz(dir.resolve("ints.npz"), e, false);
    assertThatThrownBy(
            () -> NpzReader.read(ints, TableOptions.builder().splitColumn("split").build()))
        .hasMessageContaining("row 1: split 3 is not 0 (TRAIN), 1 (VALID) or 2 (TEST)");
  }

  @Test
  void rolesAndViewsThatCannotBeAreRefusedWithTheArraysThereAre() throws IOException {
    Path p = perViewArchive("train", "valid", "test", "train");
    assertThatThrownBy(() -> NpzReader.read(p, TableOptions.builder().splitColumn("split").build()))
        .hasMessage(
            "av.npz: no labels array 'y' (arrays: [audio_feats, video_feats, X, labels, split]); name the"
                + " labels array (igm: --label NAME)");
    assertThatThrownBy(
            () ->
                NpzReader.read(
                    p, TableOptions.builder().labelColumn("labels").viewMap("a=labels").build()))
        .hasMessageContaining(
            "view 'a' names array 'labels', which is the labels array and cannot be a feature");
    assertThatThrownBy(
            () ->
                NpzReader.read(
                    p,
                    TableOptions.builder()
                        .labelColumn("labels")
                        .splitColumn("split")
                        .viewMap("a=split")
                        .build()))
        .hasMessageContaining("the splits array and cannot be a feature");
    assertThatThrownBy(
            () ->
                NpzReader.read(
                    p, TableOptions.builder().labelColumn("labels").viewMap("a=audio").build()))
        .hasMessageContaining(
            "view 'a': no array 'audio' (arrays: [audio_feats, video_feats, X, labels, split]");
    assertThatThrownBy(
            () ->
                NpzReader.read(
                    p,
                    TableOptions.builder()
                        .labelColumn("labels")
                        .viewMap("a=audio_feats,b=audio_feats")
                        .build()))
        .hasMessageContaining("array 'audio_feats' is in view 'a' and in view 'b'");
    assertThatThrownBy(
            () ->
                NpzReader.read(
                    p, TableOptions.builder().labelColumn("labels").viewMap("a=1-2,b=2").build()))
        .hasMessageContaining("column 2 of 'X' is in view 'a' and in view 'b'");
    assertThatThrownBy(
            () ->
                NpzReader.read(
                    p, TableOptions.builder().labelColumn("labels").labelsArray("y").build()))
        .hasMessageContaining("the labels array is named twice");
    assertThatThrownBy(
            () ->
                NpzReader.read(
                    p, TableOptions.builder().labelColumn("split").splitColumn("split").build()))
        .hasMessageContaining("the split and label arrays are both 'split'");
  }
}
