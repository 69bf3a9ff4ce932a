package dev.igm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.igm.avro.Split;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitsAndOrderTest {

  /** 100 TRAIN rows, label i % 3 (34/33/33), plus 10 TEST rows. */
  private static MultiViewDataset toy() {
    List<MultiViewRow> rows = new ArrayList<>();
    for (int i = 0; i < 110; i++) {
      rows.add(
          new MultiViewRow(
              "toy/t/" + i,
              i % 3,
              i < 100 ? Split.TRAIN : Split.TEST,
              Map.of("v", new float[] {i, 5})));
    }
    return new MultiViewDataset("toy", List.of("a", "b", "c"), Map.of("v", 2), rows);
  }

  private static Set<String> ids(MultiViewDataset ds, Split s) {
    return ds.rows(s).stream().map(MultiViewRow::sampleId).collect(Collectors.toSet());
  }

  @Test
  void stratifiedCarveIsDeterministicDisjointAndPerClass() {
    MultiViewDataset ds = toy();
    MultiViewDataset a = ValidationSplit.carve(ds, 0.2, 42);
    MultiViewDataset b = ValidationSplit.carve(ds, 0.2, 42);
    assertThat(a.rows())
        .extracting(MultiViewRow::split)
        .containsExactlyElementsOf(b.rows().stream().map(MultiViewRow::split).toList());
    assertThat(a.splitCounts())
        .containsEntry(Split.TRAIN, 79)
        .containsEntry(Split.VALID, 21)
        .containsEntry(Split.TEST, 10);
    Set<String> train = ids(a, Split.TRAIN);
    Set<String> valid = ids(a, Split.VALID);
    assertThat(train).doesNotContainAnyElementsOf(valid);
    assertThat(valid).doesNotContainAnyElementsOf(ids(a, Split.TEST));
    // per class: round(0.2·34) = round(6.8) = 7, round(0.2·33) = round(6.6) = 7 → 21 VALID
    assertThat(
            a.rows(Split.VALID).stream()
                .collect(Collectors.groupingBy(MultiViewRow::label, Collectors.counting())))
        .containsEntry(0, 7L)
        .containsEntry(1, 7L)
        .containsEntry(2, 7L);
    assertThat(a.rows())
        .extracting(MultiViewRow::sampleId)
        .containsExactlyElementsOf(ds.rows().stream().map(MultiViewRow::sampleId).toList());
    MultiViewDataset c = ValidationSplit.carve(ds, 0.2, 43);
    assertThat(ids(c, Split.VALID)).isNotEqualTo(valid);
  }

  @Test
  void unstratifiedCarveAndThreeWay() {
    MultiViewDataset ds = toy().withSplit(Split.TRAIN);
    MultiViewDataset test = ValidationSplit.carve(ds, Split.TEST, 0.1, 7, false);
    assertThat(test.splitCounts()).containsEntry(Split.TEST, 11).containsEntry(Split.TRAIN, 99);
    MultiViewDataset three = ValidationSplit.carve(test, Split.VALID, 0.25, 7, false);
    assertThat(three.splitCounts())
        .containsEntry(Split.TEST, 11)
        .containsEntry(Split.VALID, 25)
        .containsEntry(Split.TRAIN, 74);
    assertThat(ids(three, Split.TEST)).isEqualTo(ids(test, Split.TEST));
    assertThatThrownBy(() -> ValidationSplit.carve(ds, 1.5, 1)).hasMessageContaining("[0, 1]");
  }

  @Test
  void stratifiedCarveKeepsOneTrainRowPerClass() {
    List<MultiViewRow> rows =
        List.of(
            new MultiViewRow("x/0", 0, Split.TRAIN, Map.of("v", new float[] {1})),
            new MultiViewRow("x/1", 1, Split.TRAIN, Map.of("v", new float[] {1})),
            new MultiViewRow("x/2", 1, Split.TRAIN, Map.of("v", new float[] {1})));
    MultiViewDataset ds = new MultiViewDataset("x", List.of("a", "b"), Map.of("v", 1), rows);
    MultiViewDataset all = ValidationSplit.carve(ds, 1.0, 3);
    assertThat(all.splitCounts()).containsEntry(Split.TRAIN, 2).containsEntry(Split.VALID, 1);
  }

  @Test
  void epochOrdersArePermutationsDeterministicAndDifferPerEpoch() {
    int[] e0 = EpochOrder.permutation(50, 9, 0);
    assertThat(Arrays.stream(e0).sorted().toArray()).isEqualTo(IntStream.range(0, 50).toArray());
    assertThat(EpochOrder.permutation(50, 9, 0)).isEqualTo(e0);
    assertThat(EpochOrder.permutation(50, 9, 1)).isNotEqualTo(e0);
    assertThat(EpochOrder.permutation(50, 10, 0)).isNotEqualTo(e0);
    int[] all = EpochOrder.concatenated(50, 3, 9);
    assertThat(all).hasSize(150);
    assertThat(Arrays.copyOfRange(all, 0, 50)).isEqualTo(e0);
    assertThat(Arrays.copyOfRange(all, 100, 150)).isEqualTo(EpochOrder.permutation(50, 9, 2));
    assertThat(EpochOrder.permutation(0, 1, 0)).isEmpty();
  }

  @Test
  void splitMix64MatchesTheReferenceSequence() {
    // Reference values of SplitMix64 from seed 0 (Vigna's splitmix64.c).
    SplitMix64 rng = new SplitMix64(0);
    assertThat(rng.nextLong()).isEqualTo(0xE220A8397B1DCDAFL);
    assertThat(rng.nextLong()).isEqualTo(0x6E789E6AA1B965F4L);
    SplitMix64 r = new SplitMix64(1);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      int v = r.nextInt(5);
      assertThat(v).isBetween(0, 4);
      seen.add(v);
    }
    assertThat(seen).hasSize(5);
  }

  @Test
  void standardiserFitsOnTrainOnlyAndMapsZeroStdToOne() {
    List<MultiViewRow> rows =
        List.of(
            new MultiViewRow("s/0", 0, Split.TRAIN, Map.of("v", new float[] {1, 5})),
            new MultiViewRow("s/1", 0, Split.TRAIN, Map.of("v", new float[] {3, 5})),
            new MultiViewRow("s/2", 0, Split.TEST, Map.of("v", new float[] {100, 7})));
    MultiViewDataset ds = new MultiViewDataset("s", List.of("a"), Map.of("v", 2), rows);
    ViewStandardizer st = ViewStandardizer.fit(ds);
    assertThat(st.mean("v")).containsExactly(2, 5);
    assertThat(st.std("v")).containsExactly(1, 1);
    MultiViewDataset z = st.apply(ds);
    assertThat(z.row(0).view("v")).containsExactly(-1f, 0f);
    assertThat(z.row(1).view("v")).containsExactly(1f, 0f);
    assertThat(z.row(2).view("v")).containsExactly(98f, 2f);
    assertThat(ds.row(2).view("v")).containsExactly(100f, 7f);
    assertThatThrownBy(() -> ViewStandardizer.fit(ds.withSplit(Split.TEST)))
        .hasMessageContaining("no TRAIN rows");
  }
}
