package dev.igm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.igm.avro.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArffReaderTest {
  @TempDir Path dir;

  private static final String HEADER =
      """
      % a comment
      @RELATION tiny

      @attribute 'x one' numeric
      @attribute x2 REAL
      % another comment
      @attribute "y 1" integer
      @attribute split {train,valid,test}
      @attribute class {'b c',a}

      @data
      """;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void readsViewsLabelsInDeclarationOrderAndSplits() throws IOException {
    Path p =
        write(
            "tiny.arff",
            HEADER
                + """
        1,2,3,train,a
        % comment inside data
        4.5, -5e-1 ,6,VALID,'b c'

        7,8,9,test,a
        """);
    MultiViewDataset ds =
        ArffReader.read(
            p,
            TableOptions.builder()
                .datasetName("toy")
                .viewMap("xs=x one;x2,ys=3")
                .splitColumn("split")
                .build());
    assertThat(ds.classNames()).containsExactly("b c", "a");
    assertThat(ds.modalities()).containsExactly("xs", "ys");
    assertThat(ds.viewWidth("xs")).isEqualTo(2);
    assertThat(ds.viewWidth("ys")).isEqualTo(1);
    assertThat(ds.size()).isEqualTo(3);
    assertThat(ds.labels()).containsExactly(1, 0, 1);
    assertThat(ds.rows())
        .extracting(MultiViewRow::split)
        .containsExactly(Split.TRAIN, Split.VALID, Split.TEST);
    assertThat(ds.row(1).view("xs")).containsExactly(4.5f, -0.5f);
    assertThat(ds.row(2).view("ys")).containsExactly(9f);
    assertThat(ds.row(0).sampleId()).isEqualTo("toy/tiny/0");
    assertThat(ds.row(2).sampleId()).isEqualTo("toy/tiny/2");
  }

  @Test
  void defaultViewHasAllNumericAttributesAndSplitDefaultsToTrain() throws IOException {
    Path p = write("tiny.arff", HEADER + "1,2,3,train,a\n");
    MultiViewDataset ds = ArffReader.read(p, TableOptions.defaults());
    assertThat(ds.modalities()).containsExactly(ViewMap.DEFAULT_MODALITY);
    assertThat(ds.row(0).view(ViewMap.DEFAULT_MODALITY)).containsExactly(1f, 2f, 3f);
    assertThat(ds.row(0).split()).isEqualTo(Split.TRAIN);
    assertThat(ds.row(0).sampleId()).isEqualTo("tiny/tiny/0");
  }

  @Test
  void wrongValueCountNamesFileAndLine() throws IOException {
    Path p = write("bad.arff", HEADER + "1,2,3,train,a\n1,2,train,a\n");
    assertThatThrownBy(() -> ArffReader.read(p, TableOptions.defaults()))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessage("bad.arff line 13: expected 5 values, found 4");
  }

  @Test
  void missingValueNamesFileLineAndAttribute() throws IOException {
    Path p = write("missing.arff", HEADER + "1,?,3,train,a\n");
    assertThatThrownBy(() -> ArffReader.read(p, TableOptions.defaults()))
        .isInstanceOf(MissingValuesException.class)
        .hasMessageStartingWith("missing.arff: 1 of 1 rows have missing feature values")
        .hasMessageContaining("'?' at line 12 in attribute 2 ('x2')");
    MultiViewDataset kept = ArffReader.read(p, TableOptions.builder().keepMissing(true).build());
    assertThat(kept.row(0).view(ViewMap.DEFAULT_MODALITY)[1]).isNaN();
    assertThat(kept.row(0).view(ViewMap.DEFAULT_MODALITY)[0]).isEqualTo(1f);
  }

  @Test
  void unknownClassAndBadNumberAndUnsupportedThingsAreErrors() throws IOException {
    Path p1 = write("c.arff", HEADER + "1,2,3,train,zzz\n");
    assertThatThrownBy(() -> ArffReader.read(p1, TableOptions.defaults()))
        .hasMessageStartingWith("c.arff line 12: label 'zzz'");
    Path p2 = write("n.arff", HEADER + "1,abc,3,train,a\n");
    assertThatThrownBy(() -> ArffReader.read(p2, TableOptions.defaults()))
        .hasMessageStartingWith("n.arff line 12: not a number");
    Path p3 = write("s.arff", HEADER + "{0 1, 4 a}\n");
    assertThatThrownBy(() -> ArffReader.read(p3, TableOptions.defaults()))
        .hasMessageStartingWith("s.arff line 12: sparse");
    Path p4 = write("d.arff", "@relation r\n@attribute t date\n@attribute c {a}\n@data\n");
    assertThatThrownBy(() -> ArffReader.read(p4, TableOptions.defaults()))
        .hasMessageStartingWith("d.arff line 2: attribute 't' has unsupported type");
    assertThatThrownBy(
            () ->
                ArffReader.read(
                    write("v.arff", HEADER), TableOptions.builder().viewMap("x=1-4").build()))
        .hasMessageContaining("v.arff")
        .hasMessageContaining("attribute 4 ('split')");
  }
}
