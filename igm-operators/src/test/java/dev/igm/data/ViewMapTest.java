package dev.igm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ViewMapTest {
  private static final List<String> COLS = List.of("a1", "a2", "a3", "v-1", "v-2", "label");

  @Test
  void rangesAreOneBasedInclusiveAndKeepOrder() {
    ViewMap map = ViewMap.parse("visual=4-5, audio=1-3");
    assertThat(map.modalities()).containsExactly("visual", "audio");
    Map<String, int[]> r = map.resolve(COLS, Map.of(5, "the label column"), "t.csv");
    assertThat(r.keySet()).containsExactly("visual", "audio");
    assertThat(r.get("visual")).containsExactly(3, 4);
    assertThat(r.get("audio")).containsExactly(0, 1, 2);
  }

  @Test
  void namesAndMixedItems() {
    Map<String, int[]> r =
        ViewMap.parse("audio=a3;a1,visual=v-2;4").resolve(COLS, Map.of(), "t.csv");
    assertThat(r.get("audio")).containsExactly(2, 0);
    assertThat(r.get("visual")).containsExactly(4, 3);
  }

  @Test
  void overlapIsRejectedNamingBothViews() {
    assertThatThrownBy(() -> ViewMap.parse("shape=1-3,colour=3-4").resolve(COLS, Map.of(), "t.csv"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("t.csv")
        .hasMessageContaining("attribute 3 ('a3')")
        .hasMessageContaining("'shape'")
        .hasMessageContaining("'colour'");
    assertThatThrownBy(() -> ViewMap.parse("x=1;a1").resolve(COLS, Map.of(), "t.csv"))
        .hasMessageContaining("twice");
  }

  @Test
  void outOfRangeUnknownAndReservedAreRejected() {
    assertThatThrownBy(() -> ViewMap.parse("x=1-7").resolve(COLS, Map.of(), "t.csv"))
        .hasMessageContaining("attribute 7 is out of range")
        .hasMessageContaining("1..6");
    assertThatThrownBy(() -> ViewMap.parse("x=a1;nope").resolve(COLS, Map.of(), "t.csv"))
        .hasMessageContaining("unknown column 'nope'");
    assertThatThrownBy(
            () -> ViewMap.parse("x=5-6").resolve(COLS, Map.of(5, "the label column"), "t.csv"))
        .hasMessageContaining("the label column");
    assertThatThrownBy(
            () -> ViewMap.parse("x=a1").resolve(Arrays.asList(null, null), Map.of(), "X.npy"))
        .hasMessageContaining("no column names");
  }

  @Test
  void syntaxErrorsAreNamed() {
    assertThatThrownBy(() -> ViewMap.parse("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> ViewMap.parse("shape")).hasMessageContaining("name=columns");
    assertThatThrownBy(() -> ViewMap.parse("a=1,a=2")).hasMessageContaining("'a' is given twice");
    assertThatThrownBy(() -> ViewMap.parse("a=9-1")).hasMessageContaining("bad range '9-1'");
    assertThatThrownBy(() -> ViewMap.parse("a=0")).hasMessageContaining("bad range '0'");
    assertThatThrownBy(() -> ViewMap.parse("a=1;;2")).hasMessageContaining("empty column item");
    assertThatThrownBy(() -> ViewMap.parse("a b=1")).hasMessageContaining("bad modality name");
  }

  @Test
  void aSemicolonMayStartTheNextModalityWhenItsItemNamesOne() {
    ViewMap m = ViewMap.parse("audio=audio_feats;video=video_feats");
    assertThat(m.modalities()).containsExactly("audio", "video");
    assertThat(m.items().get("audio")).containsExactly("audio_feats");
    assertThat(m.items().get("video")).containsExactly("video_feats");
    ViewMap mixed = ViewMap.parse("a=1;2;b=3-4,c=x");
    assertThat(mixed.items().get("a")).containsExactly("1", "2");
    assertThat(mixed.items().get("b")).containsExactly("3-4");
    assertThat(mixed.items().get("c")).containsExactly("x");
    assertThatThrownBy(() -> ViewMap.parse("a=1;a=2")).hasMessageContaining("'a' is given twice");
    assertThatThrownBy(() -> ViewMap.parse("x;a=1")).hasMessageContaining("name=columns");
  }

  @Test
  void aCommaListOfColumnsIsOneViewAndCommaOrSemicolonMeanTheSame() {
    ViewMap visible = ViewMap.parse("visible=1,2,5,6");
    assertThat(visible.modalities()).containsExactly("visible");
    assertThat(visible.items().get("visible")).containsExactly("1", "2", "5", "6");
    assertThat(visible.resolve(COLS, Map.of(), "t.csv").get("visible")).containsExactly(0, 1, 4, 5);
    assertThat(ViewMap.parse("v=1-4,6").items().get("v")).containsExactly("1-4", "6");
    ViewMap two = ViewMap.parse("audio=1,2, video=4-5");
    assertThat(two.items().get("audio")).containsExactly("1", "2");
    assertThat(two.items().get("video")).containsExactly("4-5");
    for (String spec :
        List.of("audio=a1,a2,video=v-1", "audio=a1;a2;video=v-1", "audio=a1;a2,video=v-1")) {
      Map<String, int[]> r = ViewMap.parse(spec).resolve(COLS, Map.of(), "t.csv");
      assertThat(r.keySet()).as(spec).containsExactly("audio", "video");
      assertThat(r.get("audio")).as(spec).containsExactly(0, 1);
      assertThat(r.get("video")).as(spec).containsExactly(3);
    }
  }

  @Test
  void errorsShowTheAcceptedForms() {
    assertThatThrownBy(() -> ViewMap.parse("1,2,visible=3"))
        .hasMessageContaining("'1' comes before any name=columns")
        .hasMessageContaining("'name=1,2,5,6'")
        .hasMessageContaining("'name=1-4,7'");
    assertThatThrownBy(() -> ViewMap.parse("a=1-3 b=4-6"))
        .hasMessageContaining("two '='")
        .hasMessageContaining("accepted forms");
    assertThatThrownBy(() -> ViewMap.parse("")).hasMessageContaining("accepted forms");
  }
}
