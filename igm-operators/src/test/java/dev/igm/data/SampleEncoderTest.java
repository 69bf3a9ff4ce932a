package dev.igm.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.codec.AvroBytes;
import dev.igm.codec.TensorCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SampleEncoderTest {
  private static MultiViewDataset segment;
  private final TensorCodec codec = TensorCodec.create();
  private final AvroBytes<MultimodalSample> avro = AvroBytes.of(MultimodalSample.class);

  @BeforeAll
  static void load() {
    MultiViewDataset raw = BundledDatasets.segment();
    segment = ViewStandardizer.fit(raw).apply(ValidationSplit.carve(raw, 0.1, 7));
  }

  @Test
  void recordsRoundTripThroughAvroWithViewShapes() throws Exception {
    ReplayPlan plan = ReplayPlan.of(segment, 2, 42, true);
    SampleEncoder encoder = new SampleEncoder("segment", EventClock.synthetic(1_000, 5));
    TableSource source = new TableSource(segment);
    for (int i = 0; i < plan.entries().size(); i += 97) {
      ReplayPlan.Entry e = plan.entries().get(i);
      MultimodalSample back =
          avro.decode(avro.encode(encoder.encode(e, i, source.tensors(e.row()))));
      assertThat(back.getSampleId().toString()).isEqualTo(e.sampleId()).endsWith("@" + e.epoch());
      assertThat(back.getStream().toString()).isEqualTo("segment");
      assertThat(back.getSplit()).isEqualTo(e.row().split());
      assertThat(back.getLabel()).isEqualTo(e.row().label());
      assertThat(back.getEventTime().toEpochMilli()).isEqualTo(1_000 + 5L * i);
      Map<String, Tensor> mods = back.getModalities();
      assertThat(mods).hasSize(2);
      Tensor shape = find(mods, "shape");
      Tensor colour = find(mods, "colour");
      assertThat(codec.shape(shape)).containsExactly(9);
      assertThat(codec.shape(colour)).containsExactly(10);
      assertThat(shape.getDtype().toString()).isEqualTo("float32");
      assertThat(codec.toFloatArray(shape)).containsExactly(e.row().view("shape"));
      assertThat(codec.toFloatArray(colour)).containsExactly(e.row().view("colour"));
    }
  }

  @Test
  void toBytesEqualsAvroOnAWholePlan() {
    ReplayPlan plan = ReplayPlan.of(segment, 2, 3, true);
    SampleEncoder viaRecord = new SampleEncoder("s", EventClock.synthetic(-50, 1_000_000_007L));
    SampleEncoder viaBytes = new SampleEncoder("s", EventClock.synthetic(-50, 1_000_000_007L));
    TableSource source = new TableSource(segment);
    List<ReplayPlan.Entry> entries = plan.entries();
    for (int i = 0; i < entries.size(); i++) {
      ReplayPlan.Entry e = entries.get(i);
      byte[] expected = avro.encode(viaRecord.encode(e, i));
      assertThat(viaBytes.toBytes(e, i, source.tensors(e.row()), true))
          .as("record %d", i)
          .isEqualTo(expected);
      if (i % 500 == 0) {
        assertThat(viaBytes.toBytes(e, i, source.tensors(e.row()), false)).isEqualTo(expected);
      }
    }
  }

  @Test
  void idsAndBytesAreStableAcrossRuns() {
    List<byte[]> first = run();
    List<byte[]> second = run();
    assertThat(second).hasSameSizeAs(first);
    for (int i = 0; i < first.size(); i++) {
      assertThat(second.get(i)).isEqualTo(first.get(i));
    }
    List<String> ids = new ArrayList<>();
    ReplayPlan.of(segment, 3, 11, false).entries().forEach(e -> ids.add(e.sampleId()));
    assertThat(ids)
        .doesNotHaveDuplicates()
        .hasSize(
            3 * segment.rows(Split.TRAIN).size()
                + segment.rows(Split.VALID).size()
                + segment.rows(Split.TEST).size());
  }

  @Test
  void wallClockStampsTheTimeOfEncoding() {
    java.time.Clock fixed =
        java.time.Clock.fixed(
            java.time.Instant.parse("2025-03-04T05:06:07Z"), java.time.ZoneOffset.UTC);
    ReplayPlan.Entry e = ReplayPlan.of(segment, 1, 1, false).entries().get(0);
    MultimodalSample s = new SampleEncoder("x", EventClock.wall(fixed)).encode(e, 123);
    assertThat(s.getEventTime()).isEqualTo(java.time.Instant.parse("2025-03-04T05:06:07Z"));
  }

  private List<byte[]> run() {
    MultiViewDataset fresh =
        ViewStandardizer.fit(BundledDatasets.segment()).apply(BundledDatasets.segment());
    ReplayPlan plan = ReplayPlan.of(fresh, 2, 5, false);
    SampleEncoder encoder = new SampleEncoder("segment", EventClock.synthetic(0, 10));
    TableSource source = new TableSource(fresh);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < plan.entries().size(); i++) {
      ReplayPlan.Entry e = plan.entries().get(i);
      out.add(encoder.toBytes(e, i, source.tensors(e.row()), true));
    }
    return out;
  }

  private static Tensor find(Map<String, Tensor> mods, String name) {
    return mods.entrySet().stream()
        .filter(x -> x.getKey().toString().equals(name))
        .findFirst()
        .orElseThrow()
        .getValue();
  }
}
