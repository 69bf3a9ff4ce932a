package dev.igm.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.igm.avro.Prediction;
import dev.igm.avro.Split;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AvroBytesTest {
  private static Prediction prediction(String id, List<Float> fused) {
    return new Prediction(
        id,
        "m",
        3L,
        Split.TEST,
        Map.of("a", List.of(0.25f, 0.75f)),
        fused,
        1,
        1,
        Instant.ofEpochMilli(1_700_000_000_000L));
  }

  @Test
  void oneInstanceEncodesRecordAfterRecordAsAFreshOneWould() throws Exception {
    AvroBytes<Prediction> reused = AvroBytes.of(Prediction.class);
    for (int i = 0; i < 3; i++) {
      Prediction p = prediction("sample-" + "x".repeat(i * 50), List.of(0.5f, 0.5f));
      byte[] bytes = reused.encode(p);
      assertThat(bytes).isEqualTo(AvroBytes.of(Prediction.class).encode(p));
      assertThat(reused.decode(bytes)).isEqualTo(p);
    }
  }

  @Test
  void aRecordThatFailsHalfwayLeavesNothingBehindForTheNext() throws Exception {
    AvroBytes<Prediction> avro = AvroBytes.of(Prediction.class);
    // id, model, version, split and per-modality scores are written before the missing array
    assertThatThrownBy(() -> avro.encode(prediction("broken", null)))
        .isInstanceOf(RuntimeException.class);
    Prediction next = prediction("next", List.of(0.1f, 0.9f));
    byte[] bytes = avro.encode(next);
    assertThat(bytes).isEqualTo(AvroBytes.of(Prediction.class).encode(next));
    assertThat(avro.decode(bytes)).isEqualTo(next);
  }
}
