package dev.igm.data;

import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Tensor;
import dev.igm.codec.TensorCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Turns planned rows ({@link ReplayPlan.Entry}) into Avro {@link MultimodalSample}s: the entry's
 * sample id (stable across runs, unique per epoch), the row's split and label, the stream name, an
 * event time from the {@link EventClock}, and one tensor per modality.
 *
 * <p>Table rows become float32 tensors of shape {@code [width]}. A row's tensors are built once and
 * reused for every epoch (only the id and the event time change between epochs), which keeps a
 * many-epoch replay at Kafka's speed rather than the encoder's; the cost is one extra copy of the
 * table's features in memory.
 *
 * <p>{@link #toBytes} writes the same Avro binary as {@code AvroBytes.encode(encode(...))} without
 * building the record: a record's binary form is its fields' encodings in schema order, and all but
 * the sample id and the event time are the same in every epoch, so they are encoded once per row
 * and copied. This makes the replay's encoder about ten times cheaper, which matters on small
 * machines where it shares the cores with the producer and the broker. The field order is checked
 * against the schema when the class loads, and tests compare the bytes with Avro's on whole plans.
 */
public final class SampleEncoder {
  private final String stream;
  private final EventClock clock;
  private static final TensorCodec CODEC = TensorCodec.create();
  private static final List<String> FIELD_ORDER =
      List.of("sampleId", "stream", "split", "label", "eventTime", "modalities");

  static {
    List<String> actual =
        MultimodalSample.getClassSchema().getFields().stream().map(Schema.Field::name).toList();
    if (!actual.equals(FIELD_ORDER)) {
      throw new IllegalStateException(
          "MultimodalSample fields are "
              + actual
              + "; SampleEncoder.toBytes writes "
              + FIELD_ORDER
              + ": update it with the schema");
    }
  }

  private final Map<String, Map<String, Tensor>> rowTensors = new HashMap<>();
  private final Map<String, byte[][]> rowParts = new HashMap<>();
  private final SpecificDatumWriter<Map<String, Tensor>> modalitiesWriter =
      new SpecificDatumWriter<>(MultimodalSample.getClassSchema().getField("modalities").schema());
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);
  private BinaryEncoder encoder;

  /**
   * @param stream the logical stream (dataset) name written into every record
   * @param clock event-time stamping
   */
  public SampleEncoder(String stream, EventClock clock) {
    this.stream = Objects.requireNonNull(stream, "stream");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A table row: every view becomes a float32 tensor of shape {@code [width]}. */
  public MultimodalSample encode(ReplayPlan.Entry entry, long index) {
    MultiViewRow row = entry.row();
    Map<String, Tensor> tensors =
        rowTensors.computeIfAbsent(row.sampleId(), id -> float32Views(row));
    return encode(entry, index, tensors);
  }

  /**
   * A row whose modalities were decoded elsewhere (paper layouts: spectrograms, frames, token ids).
   */
  public MultimodalSample encode(
      ReplayPlan.Entry entry, long index, Map<String, Tensor> modalities) {
    MultiViewRow row = entry.row();
    return MultimodalSample.newBuilder()
        .setSampleId(entry.sampleId())
        .setStream(stream)
        .setSplit(row.split())
        .setLabel(row.label())
        .setEventTime(Instant.ofEpochMilli(clock.stamp(index)))
        .setModalities(new LinkedHashMap<>(modalities))
        .build();
  }

  /**
   * The Avro binary of {@code encode(entry, index, modalities)}, byte for byte.
   *
   * @param reuseRow the row's modalities are the same object in every epoch (tables): keep the
   *     row's constant bytes for the next epoch. Off for decoded files, which are too large to
   *     keep.
   */
  public byte[] toBytes(
      ReplayPlan.Entry entry, long index, Map<String, Tensor> modalities, boolean reuseRow) {
    MultiViewRow row = entry.row();
    byte[][] parts =
        reuseRow
            ? rowParts.computeIfAbsent(row.sampleId(), id -> constantParts(row, modalities))
            : constantParts(row, modalities);
    try {
      buffer.reset();
      encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
      encoder.writeString(entry.sampleId());
      encoder.writeFixed(parts[0]);
      encoder.writeLong(clock.stamp(index));
      encoder.writeFixed(parts[1]);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  /** [stream, split, label] and [modalities], each Avro-encoded. */
  private byte[][] constantParts(MultiViewRow row, Map<String, Tensor> modalities) {
    try {
      ByteArrayOutputStream head = new ByteArrayOutputStream(64);
      BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(head, null);
      e.writeString(stream);
      e.writeEnum(row.split().ordinal());
      e.writeIndex(1); // union ["null", "int"]: the int branch
      e.writeInt(row.label());
      e.flush();
      ByteArrayOutputStream tail = new ByteArrayOutputStream(256);
      e = EncoderFactory.get().directBinaryEncoder(tail, null);
      modalitiesWriter.write(modalities, e);
      e.flush();
      return new byte[][] {head.toByteArray(), tail.toByteArray()};
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  /** The float32 tensors of a table row's views, in modality order. */
  public static Map<String, Tensor> float32Views(MultiViewRow row) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, float[]> v : row.views().entrySet()) {
      out.put(v.getKey(), CODEC.encodeFloat32(v.getValue(), v.getValue().length));
    }
    return out;
  }

  public String stream() {
    return stream;
  }
}
