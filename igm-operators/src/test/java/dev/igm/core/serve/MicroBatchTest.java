package dev.igm.core.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MicroBatchTest {
  @Test
  void isFullAtTheMaximumSizeAndKeepsArrivalOrder() {
    MicroBatch<String> b = new MicroBatch<>(new BatchingPolicy(3, Duration.ofMillis(50)));
    assertThat(b.add("a", 100)).isFalse();
    assertThat(b.add("b", 101)).isFalse();
    assertThat(b.add("c", 102)).isTrue();
    assertThat(b.contents()).containsExactly("a", "b", "c");
    assertThat(b.drain()).containsExactly("a", "b", "c");
    assertThat(b.isEmpty()).isTrue();
    assertThat(b.add("d", 200)).isFalse();
    assertThat(b.size()).isEqualTo(1);
  }

  @Test
  void isDueWhenItsOldestSampleHasWaitedTheDelay() {
    MicroBatch<String> b = new MicroBatch<>(new BatchingPolicy(100, Duration.ofMillis(10)));
    assertThat(b.deadline()).isEqualTo(Long.MAX_VALUE);
    assertThat(b.due(Long.MAX_VALUE - 1)).isFalse();
    b.add("a", 1000);
    b.add("b", 1008);
    assertThat(b.deadline()).isEqualTo(1010);
    assertThat(b.due(1009)).isFalse();
    assertThat(b.due(1010)).isTrue();
    b.drain();
    b.add("c", 1011);
    assertThat(b.deadline())
        .as("the clock restarts with the next batch's first sample")
        .isEqualTo(1021);
  }

  @Test
  void oneRecordBatchesAreFullAtOnce() {
    MicroBatch<String> b = new MicroBatch<>(BatchingPolicy.NONE);
    assertThat(b.add("a", 0)).isTrue();
  }

  @Test
  void refusesAnEmptyBatchSizeOrANegativeDelay() {
    assertThatThrownBy(() -> new BatchingPolicy(0, Duration.ZERO))
        .hasMessageContaining("at least 1");
    assertThatThrownBy(() -> new BatchingPolicy(8, Duration.ofMillis(-1)))
        .hasMessageContaining(">= 0");
  }
}
