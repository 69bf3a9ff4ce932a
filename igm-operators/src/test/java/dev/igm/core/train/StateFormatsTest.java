package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every persisted format says its version, and a file that is foreign, of an unknown version or
 * malformed fails with a message that says so (never a NullPointerException or ClassCastException
 * from an untyped map).
 */
class StateFormatsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TrainerSnapshot snapshot() {
    try (IgmTrainer t = new IgmTrainer(Synthetic.config("igm").build())) {
      Synthetic.train(t, Synthetic.samples(8 * 4 + 3, 1));
      return TrainerSnapshot.capture(t, Map.of());
    }
  }

  private static TrainerSnapshot withMetadata(
      TrainerSnapshot s, java.util.function.Consumer<ObjectNode> edit) throws Exception {
    ObjectNode meta = (ObjectNode) JSON.readTree(s.metadata());
    edit.accept(meta);
    return new TrainerSnapshot(s.tensors(), JSON.writeValueAsString(meta));
  }

  @Test
  void snapshotMetadataNamesItsFormat() {
    assertThat(snapshot().metadataMap()).containsEntry("format", "igm-snapshot/1");
  }

  @Test
  void foreignAndUnknownSnapshotsAreRefusedWithAReason() throws Exception {
    TrainerSnapshot good = snapshot();
    assertThatThrownBy(() -> new TrainerSnapshot(good.tensors(), "{\"name\": \"bert\"}").restore())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no \"format\" field");
    assertThatThrownBy(() -> new TrainerSnapshot(good.tensors(), "[1, 2]").restore())
        .hasMessage("snapshot metadata must be a JSON object");
    assertThatThrownBy(() -> new TrainerSnapshot(good.tensors(), "{not json").restore())
        .hasMessageStartingWith("snapshot metadata is not JSON");
    assertThatThrownBy(() -> withMetadata(good, m -> m.put("format", "igm-snapshot/9")).restore())
        .hasMessage(
            "unsupported snapshot format 'igm-snapshot/9' (this version reads igm-snapshot/1)");
    assertThatThrownBy(
            () ->
                new TrainerSnapshot("garbage".getBytes(StandardCharsets.UTF_8), good.metadata())
                    .restore())
        .hasMessageStartingWith("snapshot tensors are not a readable safetensors file");
  }

  @Test
  void malformedSnapshotMetadataNamesTheField() throws Exception {
    TrainerSnapshot good = snapshot();
    assertThatThrownBy(() -> withMetadata(good, m -> m.put("batches", "ten")).restore())
        .hasMessage("malformed snapshot metadata: \"batches\" must be an integer, got \"ten\"");
    assertThatThrownBy(() -> withMetadata(good, m -> m.remove("pending")).restore())
        .hasMessage("malformed snapshot metadata: \"pending\" must be a list, got nothing");
    assertThatThrownBy(() -> withMetadata(good, m -> m.putArray("pending").add(3)).restore())
        .hasMessageContaining("\"pending[]\" must be an object with a text id and a label");
    assertThatThrownBy(() -> withMetadata(good, m -> m.put("config", 5)).restore())
        .hasMessageContaining("\"config\" must be the model configuration");
    assertThatThrownBy(
            () -> withMetadata(good, m -> ((ObjectNode) m.get("config")).put("tau", -1)).restore())
        .hasMessageContaining("unusable model configuration: tau must be finite and >= 0");
    assertThatThrownBy(() -> withMetadata(good, m -> m.put("rngState", "x")).restore())
        .hasMessageContaining("\"rngState\" must be a 64-bit integer");
    assertThatThrownBy(
            () ->
                withMetadata(good, m -> ((ObjectNode) m.get("covarianceUpdates")).removeAll())
                    .restore())
        .hasMessageContaining("no update count");
  }

  @Test
  void sessionCountersAreVersionedAndReadTheUnversionedFirstRelease() throws Exception {
    SessionCounters fresh = SessionCounters.fresh(2);
    String json = fresh.toJson();
    assertThat(JSON.readTree(json).get("version").intValue()).isEqualTo(SessionCounters.VERSION);
    ObjectNode legacy = (ObjectNode) JSON.readTree(json);
    legacy.remove("version"); // the first release wrote no version
    assertThat(SessionCounters.fromJson(JSON.writeValueAsString(legacy), 2, 0).windowCorrect)
        .hasSize(3);

    assertThatThrownBy(
            () -> SessionCounters.fromJson(json.replace("\"version\":1", "\"version\":7"), 2, 0))
        .hasMessageContaining("session counters of version 7");
    assertThatThrownBy(() -> SessionCounters.fromJson("{\"version\":1,\"colour\":3}", 2, 0))
        .hasMessageStartingWith("malformed session counters");
    assertThatThrownBy(() -> SessionCounters.fromJson(json, 3, 0))
        .hasMessage("session counters count 2 modalities, the model has 3");
    assertThatThrownBy(() -> SessionCounters.fromJson(json, 2, 4))
        .hasMessage("session counters hold 0 pending event times, the trainer 4 pending samples");
    assertThatThrownBy(() -> SessionCounters.fromJson("{\"version\":1}", 2, 0))
        .hasMessageContaining("pendingEventTimes and windowCorrect are required");
  }

  @Test
  void aSessionRestoreNamesTheModelWhenItsStateIsUnusable() {
    TrainerSnapshot snap = snapshot();
    SessionCheckpoint bad = new SessionCheckpoint(snap.tensors(), "{\"format\":\"other\"}", "{}");
    assertThatThrownBy(() -> ModelSession.restore("m7", bad))
        .hasMessageStartingWith(
            "checkpointed state of model m7: unsupported snapshot format 'other'");
  }
}
