package dev.igm.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.igm.core.train.SessionCheckpoint;
import org.junit.jupiter.api.Test;

/**
 * The training operator's keyed state carries its layout's version; the first release's (0) still
 * reads.
 */
class SessionStateTest {

  @Test
  void writesItsVersionAndReadsTheFirstReleasesLayout() {
    SessionState s = SessionState.of(new SessionCheckpoint(new byte[] {1}, "{}", "{}"));
    assertThat(s.version).isEqualTo(SessionState.VERSION);
    s.version = 0;
    assertThat(s.toCheckpoint("m").trainerTensors()).containsExactly(1);
  }

  @Test
  void refusesUnknownVersionsAndIncompleteStateNamingTheModel() {
    SessionState s = SessionState.of(new SessionCheckpoint(new byte[] {1}, "{}", "{}"));
    s.version = 5;
    assertThatThrownBy(() -> s.toCheckpoint("igm"))
        .hasMessage(
            "keyed state of model igm has version 5; this release reads versions 0 (first release) and 1");
    SessionState empty = new SessionState();
    assertThatThrownBy(() -> empty.toCheckpoint("igm"))
        .hasMessageContaining("keyed state of model igm is incomplete");
  }
}
