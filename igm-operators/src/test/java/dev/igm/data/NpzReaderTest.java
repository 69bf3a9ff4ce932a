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
      MultiViewDataset ds = NpzReader.read(p, TableOptions.builder().viewMap("a=1-3,b=4").splitsArray("split").build());
      assertThat(ds.size()).isEqualTo(3);
      assertThat(ds.modalities()).containsExactly("a", "b");
      assertThat(ds.viewWidths()).containsEntry("a", 3).containsEntry("b", 1);
      assertThat(ds.classNames()).containsExactly("0", "1", "2");
      assertThat(ds.labels()).containsExactly(2, 0, 1);
      assertThat(ds.rows()).extracting(MultiViewRow::split).containsExactly(Split.TRAIN, Split.VALID, Split.TEST);
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
    MultiViewDataset ds = NpzReader.read(p, TableOptions.builder().datasetName("d").viewArrays(views)
        .labelsArray("labels").splitsArray("fold").build());
    assertThat(ds.modalities()).containsExactly("visual", "audio");
    assertThat(ds.viewWidth("audio")).isEqualTo(4);
    assertThat(ds.row(1).view("audio")).containsExactly(5f, 6f, 7f, 8f);
    assertThat(ds.row(0).view("visual")).containsExactly(7f);
    assertThat(ds.classNames()).containsExactly("ang", "sad");
    assertThat(ds.labels()).containsExactly(1, 0);
    assertThat(ds.row(0).split()).isEqualTo(Split.TEST);
    assertThat(NpzReader.readArrays(p).keySet()).containsExactly("audio", "visual", "labels", "fold");
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
    MultiViewDataset fromNpy = TableReader.read(d.resolve("features.npy"), TableOptions.builder().viewMap("a=1;2,b=3-4").build());
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
        .hasMessageStartingWith("nan.npz entry X.npy: row 1 has a non-finite value at column 3");

    Path noLabels = NpyFixtures.npz(dir.resolve("nolabels.npz"), Map.of("X", matrixLayout().get("X")), true);
    assertThatThrownBy(() -> NpzReader.read(noLabels, TableOptions.defaults()))
        .hasMessage("nolabels.npz: no labels array 'y' (arrays: [X])");

    Path p = NpyFixtures.npz(dir.resolve("range.npz"), matrixLayout(), true);
    assertThatThrownBy(() -> NpzReader.read(p, TableOptions.builder().viewMap("a=1-5").build()))
        .hasMessageContaining("range.npz entry X.npy").hasMessageContaining("attribute 5 is out of range");
    assertThatThrownBy(() -> NpzReader.read(p, TableOptions.builder().classNames(List.of("0", "1")).build()))
        .hasMessageStartingWith("range.npz entry y.npy: row 0: label '2'");

    Path notZip = Files.writeString(dir.resolve("junk.npz"), "not a zip");
    assertThatThrownBy(() -> NpzReader.read(notZip, TableOptions.defaults())).hasMessageStartingWith("junk.npz:");
  }
}
