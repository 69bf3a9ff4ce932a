package dev.igm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.igm.avro.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void readsNamedColumnsStringLabelsSortedAndSplitColumn() throws IOException {
    Path p =
        write(
            "cremad.csv",
            """
        id_unused,a1,a2,emotion,v1,fold
        9,0.5,1.5,sad,10,train
        9,1,2,angry,20,Valid

        9,3,4,happy,30,TEST
        9,5,6,sad,40,TRAIN
        """);
    MultiViewDataset ds =
        CsvReader.read(
            p,
            TableOptions.builder()
                .datasetName("toy")
                .viewMap("audio=a1;a2,visual=v1")
                .labelColumn("emotion")
                .splitColumn("fold")
                .build());
    assertThat(ds.classNames()).containsExactly("angry", "happy", "sad");
    assertThat(ds.labels()).containsExactly(2, 0, 1, 2);
    assertThat(ds.rows())
        .extracting(MultiViewRow::split)
        .containsExactly(Split.TRAIN, Split.VALID, Split.TEST, Split.TRAIN);
    assertThat(ds.row(0).view("audio")).containsExactly(0.5f, 1.5f);
    assertThat(ds.row(3).view("visual")).containsExactly(40f);
    assertThat(ds.row(3).sampleId()).isEqualTo("toy/cremad/3");
    assertThat(ds.splitCounts())
        .containsEntry(Split.TRAIN, 2)
        .containsEntry(Split.VALID, 1)
        .containsEntry(Split.TEST, 1);
  }

  @Test
  void integerLabelsAreClassIndicesAndDelimiterIsConfigurable() throws IOException {
    Path p = write("ints.csv", "\"f;1\";f2;y\n1;2;3\n3;4;0\n");
    MultiViewDataset ds = CsvReader.read(p, TableOptions.builder().delimiter(';').build());
    assertThat(ds.classNames()).containsExactly("0", "1", "2", "3");
    assertThat(ds.labels()).containsExactly(3, 0);
    assertThat(ds.row(1).view(ViewMap.DEFAULT_MODALITY)).containsExactly(3f, 4f);
    MultiViewDataset named =
        CsvReader.read(p, TableOptions.builder().delimiter(';').viewMap("a=1,b=f2").build());
    assertThat(named.row(0).view("a")).containsExactly(1f);
  }

  @Test
  void pinnedClassOrderIsUsed() throws IOException {
    Path p = write("pinned.csv", "x,y\n1,b\n2,a\n");
    MultiViewDataset ds =
        CsvReader.read(p, TableOptions.builder().classNames(List.of("b", "a", "c")).build());
    assertThat(ds.classNames()).containsExactly("b", "a", "c");
    assertThat(ds.labels()).containsExactly(0, 1);
    assertThatThrownBy(
            () ->
                CsvReader.read(
                    write("p2.csv", "x,y\n1,zz\n"),
                    TableOptions.builder().classNames(List.of("b", "a")).build()))
        .hasMessageStartingWith("p2.csv line 2: label 'zz'");
  }

  @Test
  void badRowsNameFileAndLine() throws IOException {
    assertThatThrownBy(
            () ->
                CsvReader.read(
                    write("short.csv", "a,b,y\n1,2,x\n\n1,x\n"), TableOptions.defaults()))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessage("short.csv line 4: expected 3 values, found 2");
    assertThatThrownBy(
            () -> CsvReader.read(write("empty.csv", "a,b,y\n1,,x\n"), TableOptions.defaults()))
        .isInstanceOf(MissingValuesException.class)
        .hasMessageStartingWith("empty.csv: 1 of 1 rows have missing feature values")
        .hasMessageContaining("an empty cell at line 2 in attribute 2 ('b')");
    assertThatThrownBy(
            () ->
                CsvReader.read(write("inf.csv", "a,b,y\n1,Infinity,x\n"), TableOptions.defaults()))
        .hasMessageStartingWith("inf.csv line 2: non-finite value");
    assertThatThrownBy(
            () ->
                CsvReader.read(
                    write("split.csv", "a,s,y\n1,later,x\n"),
                    TableOptions.builder().splitColumn("s").build()))
        .hasMessageStartingWith("split.csv line 2: split 'later'");
    assertThatThrownBy(
            () ->
                CsvReader.read(
                    write("nolabel.csv", "a,b\n1,2\n"),
                    TableOptions.builder().labelColumn("label").build()))
        .hasMessageContaining("nolabel.csv")
        .hasMessageContaining("label column 'label' not found");
    assertThatThrownBy(
            () -> CsvReader.read(write("q.csv", "a,y\n\"1,x\n"), TableOptions.defaults()))
        .hasMessage("q.csv line 2: unclosed quote");
  }

  @Test
  void tableReaderDispatchesTsv() throws IOException {
    Path p = write("t.tsv", "a\tb\ty\n1\t2\tk\n");
    MultiViewDataset ds = TableReader.read(p, TableOptions.defaults());
    assertThat(ds.row(0).view(ViewMap.DEFAULT_MODALITY)).containsExactly(1f, 2f);
    assertThat(ds.classNames()).containsExactly("k");
  }
}
