package dev.igm.core.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HoldBufferTest {
  @Test
  void holdsPerModelInOrderUpToTheCapacity() {
    HoldBuffer<String> b = new HoldBuffer<>(3);
    assertThat(b.hold("a", "1")).isTrue();
    assertThat(b.hold("b", "2")).isTrue();
    assertThat(b.hold("a", "3")).isTrue();
    assertThat(b.hold("a", "4")).as("full").isFalse();
    assertThat(b.contents())
        .containsExactly(
            java.util.Map.entry("a", List.of("1", "3")), java.util.Map.entry("b", List.of("2")));
    assertThat(b.release("a")).containsExactly("1", "3");
    assertThat(b.size()).isEqualTo(1);
    assertThat(b.release("a")).isEmpty();
    assertThat(b.hold("a", "5")).isTrue();
  }
}
