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

/** Views in separate files, one per view, joined on a row id column. */
class TableJoinTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private static TableOptions options() {
    return TableOptions.builder().joinColumn("id").labelColumn("cls").splitColumn("split").build();
  }

  private List<TableJoin.ViewFile> files(String... nameAndPath) {
    List<TableJoin.ViewFile> out = new java.util.ArrayList<>();
    for (int i = 0; i < nameAndPath.length; i += 2) {
      out.add(new TableJoin.ViewFile(nameAndPath[i], dir.resolve(nameAndPath[i + 1]), null));
    }
    return out;
  }

  @Test
  void rowsAreJoinedOnTheIdInTheFirstFilesOrderWithTheLabelAndSplitFromTheFilesThatHaveThem()
      throws IOException {
    write("visible.csv", "id,v1,v2,cls\nr1,1,2,a\nr2,3,4,b\nr3,5,6,a\n");
    write("text.tsv", "t1\tid\tsplit\n10\tr3\ttest\n20\tr1\ttrain\n30\tr2\tvalid\n");
    TableJoin.Result r =
        TableJoin.read(files("visible", "visible.csv", "text", "text.tsv"), options(), false);
    MultiViewDataset ds = r.dataset();
    assertThat(r.notes()).isEmpty();
    assertThat(ds.name()).isEqualTo("visible");
    assertThat(ds.viewWidths())
        .containsExactly(java.util.Map.entry("visible", 2), java.util.Map.entry("text", 1));
    assertThat(ds.rows())
        .extracting(MultiViewRow::sampleId)
        .containsExactly("visible/r1", "visible/r2", "visible/r3");
    assertThat(ds.classNames()).containsExactly("a", "b");
    assertThat(ds.labels()).containsExactly(0, 1, 0);
    assertThat(ds.rows())
        .extracting(MultiViewRow::split)
        .containsExactly(Split.TRAIN, Split.VALID, Split.TEST);
    assertThat(ds.row(2).view("visible")).containsExactly(5f, 6f);
    assertThat(ds.row(2).view("text")).containsExactly(10f);
  }

  @Test
  void rowsMissingFromSomeFileAreCountedPerFileOrDropped() throws IOException {
    write("a.csv", "id,x,cls\n1,1,p\n2,2,q\n3,3,p\n4,4,q\n");
    write("b.csv", "id,y\n2,20\n3,30\n5,50\n");
    TableOptions o = TableOptions.builder().joinColumn("id").labelColumn("cls").build();
    assertThatThrownBy(() -> TableJoin.read(files("a", "a.csv", "b", "b.csv"), o, false))
        .isInstanceOf(TableJoin.UnmatchedRowsException.class)
        .hasMessage(
            "the joined files do not hold the same rows (by 'id'): rows some other file lacks: a.csv 2 of 4"
                + " (e.g. '1', '4'), b.csv 1 of 3 (e.g. '5'); 2 rows are in every file");
    TableJoin.Result r = TableJoin.read(files("a", "a.csv", "b", "b.csv"), o, true);
    assertThat(r.dataset().rows()).extracting(MultiViewRow::sampleId).containsExactly("a/2", "a/3");
    assertThat(r.notes())
        .singleElement()
        .asString()
        .contains("dropped")
        .contains("a.csv 2 of 4")
        .contains("kept 2");
  }

  @Test
  void labelsAndSplitsGivenByTwoFilesMustAgree() throws IOException {
    write("a.csv", "id,x,cls\n1,1,p\n2,2,q\n");
    write("same.csv", "id,y,cls\n2,20,q\n1,10,p\n");
    write("other.csv", "id,y,cls\n1,10,p\n2,20,p\n");
    TableOptions o = TableOptions.builder().joinColumn("id").labelColumn("cls").build();
    assertThat(TableJoin.read(files("a", "a.csv", "b", "same.csv"), o, false).dataset().labels())
        .containsExactly(0, 1);
    assertThatThrownBy(() -> TableJoin.read(files("a", "a.csv", "b", "other.csv"), o, false))
        .hasMessage(
            "the files disagree on the label ('cls') of 1 rows: row '2' is 'q' in a.csv line 3 but 'p' in"
                + " other.csv line 3");
    write("s1.csv", "id,x,cls,split\n1,1,p,train\n2,2,q,test\n");
    write("s2.csv", "id,y,split\n1,1,train\n2,2,valid\n");
    assertThatThrownBy(() -> TableJoin.read(files("a", "s1.csv", "b", "s2.csv"), options(), false))
        .hasMessageContaining(
            "disagree on the split ('split') of 1 rows: row '2' is TEST in s1.csv line 3 but VALID");
  }

  @Test
  void aFileMayHoldOnlyTheLabelsAndAnArffLabelKeepsItsClassOrder() throws IOException {
    write("x.csv", "id,x1\nk1,1\nk2,2\n");
    write("y.csv", "id,y1\nk2,20\nk1,10\n");
    write(
        "labels.arff",
        "@relation l\n@attribute id string\n@attribute cls {z,a}\n@data\nk1,a\nk2,z\n");
    TableJoin.Result r =
        TableJoin.read(
            files("x", "x.csv", "y", "y.csv", "labels", "labels.arff"),
            TableOptions.builder().joinColumn("id").labelColumn("cls").build(),
            false);
    assertThat(r.dataset().modalities()).containsExactly("x", "y");
    assertThat(r.dataset().classNames()).containsExactly("z", "a");
    assertThat(r.dataset().labels()).containsExactly(1, 0);
    assertThat(r.dataset().row(0).view("y")).containsExactly(10f);
  }

  @Test
  void mistakesAreNamed() throws IOException {
    write("a.csv", "id,x,cls\n1,1,p\n1,2,q\n");
    write("b.csv", "id,y\n1,1\n");
    write("c.csv", "key,y\n1,1\n");
    write("d.csv", "id,y\n1,1\n");
    TableOptions o = TableOptions.builder().joinColumn("id").labelColumn("cls").build();
    assertThatThrownBy(() -> TableJoin.read(files("a", "a.csv", "b", "b.csv"), o, false))
        .hasMessage("a.csv: row id '1' in column 'id' appears twice (lines 2 and 3)");
    assertThatThrownBy(() -> TableJoin.read(files("b", "b.csv", "c", "c.csv"), o, false))
        .hasMessageStartingWith("c.csv: join column 'id' not found (columns: [key, y])");
    assertThatThrownBy(() -> TableJoin.read(files("b", "b.csv", "d", "d.csv"), o, false))
        .hasMessageStartingWith("label column 'cls' is in none of the files [b.csv, d.csv]");
    assertThatThrownBy(() -> TableJoin.read(files("b", "b.csv", "b", "d.csv"), o, false))
        .hasMessageContaining("view 'b' is given by");
    // missing values follow the options: refused with a count, or kept as NaN
    write("na.csv", "id,z\n1,NA\n");
    write("one.csv", "id,x,cls\n1,1,p\n");
    assertThatThrownBy(() -> TableJoin.read(files("one", "one.csv", "na", "na.csv"), o, false))
        .isInstanceOf(MissingValuesException.class)
        .hasMessageStartingWith("na.csv: 1 of 1 rows have missing");
    MultiViewDataset kept =
        TableJoin.read(
                files("one", "one.csv", "na", "na.csv"),
                o.toBuilder().keepMissing(true).build(),
                false)
            .dataset();
    assertThat(kept.row(0).view("na")[0]).isNaN();
  }
}
