package dev.igm.data.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.codec.TensorCodec;
import dev.igm.data.DatasetFormatException;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Twitter2015 and Sarcasm on small generated fixtures in the reference layouts. */
class TextImageLayoutTest {
  private static final LayoutOptions SMALL = new LayoutOptions(6, 8);
  private final TensorCodec codec = TensorCodec.create();

  @TempDir Path root;

  private void twitterFixture(String testRows) throws IOException {
    String header = "index\t#1 Label\t#2 ImageID\t#3 String\t#3 String\n";
    LayoutFixtures.text(
        root.resolve("annotations/train.tsv"),
        header
            + "0\t2\t1.jpg\tRT @Obama : Great \"day\" in Chicago ! http://t.co/x\tObama\n"
            + "1\t0\t2.jpg\tgreat game , sad ending ...\tgame\n"
            + "2\t1\t3.jpg\tthe   day-after\tday\n");
    LayoutFixtures.text(
        root.resolve("annotations/dev.tsv"), header + "0\t1\t3.jpg\tgreat day\tday\n");
    LayoutFixtures.text(root.resolve("annotations/test.tsv"), header + testRows);
    for (int i = 1; i <= 3; i++) {
      LayoutFixtures.jpeg(
          root.resolve("twitter2015_images/" + i + ".jpg"), 20, 14, new Color(10 * i, 100, 200));
    }
  }

  @Test
  void captionsAreCleanedAsTheReferenceDoes() {
    assertThat(CaptionTokenizer.preCaption("RT @Obama: Great, \"day\"!  in  Chicago-IL / USA", 50))
        .isEqualTo("rt @obama great day in chicago il usa");
    assertThat(CaptionTokenizer.preCaption("a b c d e", 3)).isEqualTo("a b c");
    assertThat(CaptionTokenizer.asciiWords("RT @Obama : Great day ! http://t.co/x 2015 café"))
        .isEqualTo("RT Obama Great day http t co x"); // "café" is no ASCII word, as in Python
  }

  @Test
  void twitter2015ReadsTsvsTokenisesTextAndNormalisesImages() throws IOException {
    twitterFixture("0\t0\t2.jpg\tsad day zebra\tday\n");
    TextImageLayout t = (TextImageLayout) PaperLayouts.open("twitter2015", root, SMALL);
    assertThat(t.modalities()).containsExactly("text", "image");
    assertThat(t.items())
        .extracting(LayoutItem::split)
        .containsExactly(Split.TRAIN, Split.TRAIN, Split.TRAIN, Split.VALID, Split.TEST);
    assertThat(t.items()).extracting(LayoutItem::label).containsExactly(2, 0, 1, 1, 0);
    assertThat(t.items().get(0).sampleId()).isEqualTo("twitter2015/train/1-1.jpg");
    assertThat(t.items().get(0).text())
        .isEqualTo("rt obama great day in chicago http t"); // 8 words kept

    // vocabulary from the TRAIN texts: "day" and "great" occur twice (ids 2, 3 by frequency, then
    // alphabetical)
    Map<String, Tensor> test = t.load(t.items().get(4));
    assertThat(codec.shape(test.get("text"))).containsExactly(8);
    long[] ids = codec.toLongArray(test.get("text"));
    assertThat(ids[0]).as("sad").isGreaterThan(3);
    assertThat(ids[1]).as("day").isEqualTo(2);
    assertThat(ids[2]).as("zebra is unknown").isEqualTo(CaptionTokenizer.UNKNOWN);
    assertThat(ids).endsWith(0, 0, 0, 0, 0);
    assertThat(t.vocabularySize()).isEqualTo(2 + 13);

    assertThat(codec.shape(test.get("image"))).containsExactly(3, 6, 6);
    float[] img = codec.toFloatArray(test.get("image"));
    assertThat(img[0])
        .isCloseTo(
            (20 / 255f - 0.48145466f) / 0.26862954f, org.assertj.core.data.Offset.offset(0.1f));
    assertThat(img[36 * 2])
        .isCloseTo(
            (200 / 255f - 0.40821073f) / 0.27577711f, org.assertj.core.data.Offset.offset(0.1f));
  }

  @Test
  void twitter2015BadLabelOrMissingImageNamesFileAndLine() throws IOException {
    twitterFixture("0\t7\t2.jpg\tok\tx\n");
    assertThatThrownBy(() -> PaperLayouts.open("twitter2015", root, SMALL))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("test.tsv line 2")
        .hasMessageContaining("label '7'");
    twitterFixture("0\t1\t2.jpg\tok\tx\n1\t1\tnope.jpg\tok\tx\n");
    assertThatThrownBy(() -> PaperLayouts.open("twitter2015", root, SMALL))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("test.tsv line 3")
        .hasMessageContaining("nope.jpg");
  }

  @Test
  void sarcasmReadsJsonArrays() throws IOException {
    LayoutFixtures.text(
        root.resolve("annotations/train_data.json"),
        """
        [
          {"image": "data/images/a.jpg", "text": "Oh great, another Monday!", "label": 1},
          {"image": "b.jpg", "text": "nice weather today", "label": "0"}
        ]
        """);
    LayoutFixtures.text(
        root.resolve("annotations/test_data.json"),
        """
        [{"image": "a.jpg", "text": "great weather", "label": 0}]
        """);
    LayoutFixtures.jpeg(root.resolve("images/a.jpg"), 9, 9, Color.WHITE);
    LayoutFixtures.jpeg(root.resolve("images/b.jpg"), 9, 9, Color.BLACK);
    DatasetLayout s = PaperLayouts.open("sarcasm", root, SMALL);
    assertThat(s.items())
        .extracting(LayoutItem::sampleId)
        .containsExactly(
            "sarcasm/train_data/0-a.jpg",
            "sarcasm/train_data/1-b.jpg",
            "sarcasm/test_data/0-a.jpg");
    assertThat(s.items()).extracting(LayoutItem::label).containsExactly(1, 0, 0);
    Map<String, Tensor> t = s.load(s.items().get(2));
    // all TRAIN words occur once: ids alphabetical from 2 (another, great, monday, nice, oh, today,
    // weather)
    assertThat(codec.toLongArray(t.get("text"))).containsExactly(3, 8, 0, 0, 0, 0, 0, 0);
    assertThat(codec.shape(t.get("image"))).containsExactly(3, 6, 6);

    LayoutFixtures.text(
        root.resolve("annotations/test_data.json"),
        "[\n {\"image\": \"a.jpg\", \"label\": 0}\n]\n");
    assertThatThrownBy(() -> PaperLayouts.open("sarcasm", root, SMALL))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("test_data.json line 2")
        .hasMessageContaining("\"text\"");
  }
}
