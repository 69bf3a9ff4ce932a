package dev.igm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.igm.avro.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Missing feature values: the usual spellings, refused by default with a count, dropped or filled
 * with TRAIN means.
 */
class MissingValuesTest {
  @TempDir Path dir;

  /**
   * Rows 1, 3 and 4 miss values (NA, empty, ?, NaN, null, N/A spellings); the split column says
   * where each row is.
   */
  private static final String TABLE =
      """
      a,b,split,y
      1,10,train,x
      NA,20,train,y
      3,30,train,x
      ,?,valid,y
      NaN,null,test,x
      5,N/A,test,y
      """;

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void everyUsualSpellingIsMissingAndTheRefusalCountsTheRows() throws IOException {
    Path p = write("na.csv", TABLE);
    assertThatThrownBy(() -> CsvReader.read(p, TableOptions.builder().splitColumn("split").build()))
        .isInstanceOf(MissingValuesException.class)
        .hasMessage(
            "na.csv: 4 of 6 rows have missing feature values (6 cells; empty, ?, NA, N/A, NaN or null), the"
                + " first 'NA' at line 3 in attribute 1 ('a')");
    for (String spelling :
        new String[] {"", "?", "NA", "na", "N/A", "NaN", "nan", "null", "NULL"}) {
      assertThat(MissingValues.isMissing(spelling)).as(spelling).isTrue();
    }
    for (String value : new String[] {"0", "none", "-", "inf", "N"}) {
      assertThat(MissingValues.isMissing(value)).as(value).isFalse();
    }
  }

  @Test
  void keptMissingValuesAreNanAndAnythingElseStaysAnError() throws IOException {
    MultiViewDataset ds =
        CsvReader.read(
            write("na.csv", TABLE),
            TableOptions.builder().splitColumn("split").keepMissing(true).build());
    assertThat(ds.size()).isEqualTo(6);
    assertThat(ds.row(1).view("features")).containsExactly(Float.NaN, 20f);
    assertThat(ds.row(3).view("features")).containsExactly(Float.NaN, Float.NaN);
    assertThat(MissingValues.count(ds).get(Split.TEST)).containsExactly(3, 2);
    assertThatThrownBy(
            () ->
                CsvReader.read(
                    write("bad.csv", "a,y\n1,x\nzz,y\n"),
                    TableOptions.builder().keepMissing(true).build()))
        .hasMessageStartingWith("bad.csv line 3: not a number");
    // a missing label is never a value to fill in
    assertThatThrownBy(
            () ->
                CsvReader.read(
                    write("nolabel.csv", "a,y\n1,x\n2,NA\n"),
                    TableOptions.builder().keepMissing(true).build()))
        .hasMessageContaining("missing label");
  }

  @Test
  void dropRemovesEveryRowWithAMissingValueAndCountsThemPerSplit() throws IOException {
    MultiViewDataset ds =
        CsvReader.read(
            write("na.csv", TABLE),
            TableOptions.builder().splitColumn("split").keepMissing(true).build());
    MissingValues.Dropped d = MissingValues.dropRows(ds);
    assertThat(d.dropped())
        .containsEntry(Split.TRAIN, 1)
        .containsEntry(Split.VALID, 1)
        .containsEntry(Split.TEST, 2);
    assertThat(d.total()).isEqualTo(4);
    assertThat(d.dataset().rows())
        .extracting(MultiViewRow::sampleId)
        .containsExactly("na/na/0", "na/na/2");
  }

  @Test
  void meansComeFromTheTrainRowsOnly() throws IOException {
    MultiViewDataset ds =
        CsvReader.read(
            write("na.csv", TABLE),
            TableOptions.builder().splitColumn("split").keepMissing(true).build());
    MissingValues.Imputer imputer = MissingValues.Imputer.fit(ds);
    // TRAIN: a = 1, (NA), 3 -> 2; b = 10, 20, 30 -> 20. VALID/TEST values (5, ...) never count.
    assertThat(imputer.mean("features")).containsExactly(2.0, 20.0);
    MultiViewDataset filled = imputer.apply(ds);
    assertThat(filled.row(1).view("features")).containsExactly(2f, 20f);
    assertThat(filled.row(3).view("features")).containsExactly(2f, 20f);
    assertThat(filled.row(4).view("features")).containsExactly(2f, 20f);
    assertThat(filled.row(5).view("features")).containsExactly(5f, 20f);
    assertThat(filled.row(0)).isSameAs(ds.row(0)); // complete rows stay as they are
    assertThat(ds.row(1).view("features")[0]).isNaN(); // the input is unchanged
  }

  @Test
  void aFeatureWithNoTrainValueCannotBeImputed() throws IOException {
    MultiViewDataset ds =
        CsvReader.read(
            write("gap.csv", "a,b,split,y\nNA,1,train,x\n2,2,test,y\n"),
            TableOptions.builder().splitColumn("split").keepMissing(true).build());
    assertThatThrownBy(() -> MissingValues.Imputer.fit(ds))
        .hasMessageContaining("feature 1 has no value in any of the 1 TRAIN rows");
  }

  @Test
  void nanInANumpyArchiveIsMissingToo() throws IOException {
    Path npz =
        NpyFixtures.npz(
            dir.resolve("m.npz"),
            Map.of(
                "X",
                    NpyFixtures.npy(
                        "<f4", new int[] {3, 2}, NpyFixtures.f4(1, 2, Float.NaN, 4, 5, 6)),
                "y", NpyFixtures.npy("<i4", new int[] {3}, NpyFixtures.i4(0, 1, 0))),
            false);
    assertThatThrownBy(() -> NpzReader.read(npz, TableOptions.defaults()))
        .isInstanceOf(MissingValuesException.class)
        .hasMessageContaining("1 of 3 rows have missing feature values (NaN)")
        .hasMessageContaining("row 1 column 1");
    MultiViewDataset kept = NpzReader.read(npz, TableOptions.builder().keepMissing(true).build());
    assertThat(kept.row(1).view("features")[0]).isNaN();
    Path inf =
        NpyFixtures.npz(
            dir.resolve("inf.npz"),
            Map.of(
                "X",
                    NpyFixtures.npy(
                        "<f4", new int[] {1, 1}, NpyFixtures.f4(Float.POSITIVE_INFINITY)),
                "y", NpyFixtures.npy("<i4", new int[] {1}, NpyFixtures.i4(0))),
            false);
    assertThatThrownBy(() -> NpzReader.read(inf, TableOptions.builder().keepMissing(true).build()))
        .hasMessageContaining("non-finite");
  }
}
