package dev.igm.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {
  @Test
  void editDistanceCountsATranspositionOnce() {
    assertThat(DidYouMean.distance("dmeo", "demo")).isEqualTo(1);
    assertThat(DidYouMean.distance("tarin", "train")).isEqualTo(1);
    assertThat(DidYouMean.distance("serve", "serve")).isZero();
    assertThat(DidYouMean.distance("kafka.bootsrap", "kafka.bootstrap")).isEqualTo(1);
  }

  @Test
  void nearestNamesAreWithinADistanceThatGrowsWithTheirLength() {
    assertThat(DidYouMean.nearest("rplay", List.of("replay", "report", "serve")))
        .containsExactly("replay");
    // short names: one edit at most
    assertThat(DidYouMean.nearest("lrr", List.of("lr", "tau"))).containsExactly("lr");
    assertThat(DidYouMean.nearest("xy", List.of("lr", "tau"))).isEmpty();
    assertThat(
            DidYouMean.nearest(
                "phase.batchez", List.of("phase.batches", "t.refresh.batches", "batch.size")))
        .containsExactly("phase.batches");
  }

  @Test
  void hintIsEmptyWhenNothingIsNear() {
    assertThat(DidYouMean.hint("kafka.bootsrap", List.of("kafka.bootstrap", "kafka.group.id")))
        .isEqualTo(" (did you mean 'kafka.bootstrap'?)");
    assertThat(DidYouMean.hint("zzzzzz", List.of("kafka.bootstrap"))).isEmpty();
    assertThat(DidYouMean.hint("ab", List.of("aa", "bb")))
        .isEqualTo(" (did you mean 'aa' or 'bb'?)");
  }
}
