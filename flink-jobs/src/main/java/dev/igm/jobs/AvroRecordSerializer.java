package dev.igm.jobs;

import dev.igm.codec.AvroBytes;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes one Avro record type to one topic as plain Avro bytes ({@link AvroBytes}), keyed as the
 * caller says.
 */
public final class AvroRecordSerializer<T extends SpecificRecord>
    implements KafkaRecordSerializationSchema<T> {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final Class<T> type;
  private final SerializableFunction<T, byte[]> key;
  private transient AvroBytes<T> avro;

  public AvroRecordSerializer(String topic, Class<T> type, SerializableFunction<T, byte[]> key) {
    this.topic = topic;
    this.type = type;
    this.key = key;
  }

  /** Keyed by a string field (model id, sample id), UTF-8. */
  public static <T extends SpecificRecord> AvroRecordSerializer<T> keyedBy(
      String topic, Class<T> type, SerializableFunction<T, String> key) {
    return new AvroRecordSerializer<>(
        topic, type, r -> key.apply(r).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      T record, KafkaSinkContext context, Long timestamp) {
    if (avro == null) {
      avro = AvroBytes.of(type);
    }
    return new ProducerRecord<>(topic, null, timestamp, key.apply(record), avro.encode(record));
  }
}
