package dev.igm.core.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.ModelSnapshot;
import dev.igm.core.serve.VersionVerdict.Kind;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionVerdictTest {
  private static final QualityGate GATE = new QualityGate("valid.fused.acc", 0.02);

  private static ModelSnapshot v(long version, Double acc) {
    Map<String, Double> m = new HashMap<>();
    if (acc != null) {
      m.put("valid.fused.acc", acc);
    }
    return ModelSnapshot.newBuilder()
        .setModelId("m")
        .setVersion(version)
        .setMethod("igm")
        .setCreatedAt(Instant.EPOCH)
        .setUri("file:///x")
        .setSha256("00")
        .setConfig("{}")
        .setMetrics(m)
        .build();
  }

  @Test
  void onlyStrictlyNewerVersionsOfServedModelsLoad() {
    assertThat(VersionVerdict.of(true, null, v(1, null), QualityGate.OFF).kind())
        .isEqualTo(Kind.LOAD);
    assertThat(VersionVerdict.of(true, v(2, null), v(3, null), QualityGate.OFF).kind())
        .isEqualTo(Kind.LOAD);
    assertThat(VersionVerdict.of(true, v(2, null), v(2, null), QualityGate.OFF).kind())
        .isEqualTo(Kind.STALE);
    assertThat(VersionVerdict.of(true, v(2, null), v(1, null), QualityGate.OFF).reason())
        .contains("version 1 of m is not newer than version 2");
    assertThat(VersionVerdict.of(false, null, v(1, null), QualityGate.OFF).kind())
        .isEqualTo(Kind.NOT_SERVED);
  }

  @Test
  void theGateRefusesVersionsWorseThanTheMarginAllows() {
    assertThat(VersionVerdict.of(true, null, v(1, 0.10), GATE).kind())
        .as("first version")
        .isEqualTo(Kind.LOAD);
    assertThat(VersionVerdict.of(true, v(1, 0.80), v(2, 0.79), GATE).kind())
        .as("within margin")
        .isEqualTo(Kind.LOAD);
    assertThat(VersionVerdict.of(true, v(1, 0.80), v(2, 0.90), GATE).kind()).isEqualTo(Kind.LOAD);
    VersionVerdict worse = VersionVerdict.of(true, v(1, 0.80), v(2, 0.70), GATE);
    assertThat(worse.kind()).isEqualTo(Kind.REFUSED_BY_GATE);
    assertThat(worse.reason())
        .contains("valid.fused.acc of version 2 is 0.700000", "0.800000 of version 1", "0.020000");
    assertThat(VersionVerdict.of(true, v(1, 0.80), v(2, null), GATE).reason())
        .contains("carries no valid.fused.acc");
    assertThat(VersionVerdict.of(true, v(1, null), v(2, 0.1), GATE).kind())
        .as("nothing to compare")
        .isEqualTo(Kind.LOAD);
    assertThat(VersionVerdict.of(true, v(1, 0.80), v(2, 0.10), QualityGate.OFF).kind())
        .isEqualTo(Kind.LOAD);
  }
}
