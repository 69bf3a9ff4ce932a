package dev.igm.jobs;

import dev.igm.codec.AvroBytes;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes records to one topic as plain Avro binary (the product's wire format, {@link AvroBytes}),
 * keyed by a string taken from the record. No timestamp is set, so Kafka stamps each record with
 * its send time: the time the result appeared, which is what a consumer measuring end-to-end
 * latency wants.
 */
public final class AvroKafkaSerializer<T extends SpecificRecord>
    implements KafkaRecordSerializationSchema<T> {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final Class<T> type;
  private final SerializableFunction<T, String> key;
  private transient AvroBytes<T> avro;

  /**
   * @param key the record key, or null for unkeyed records
   */
  public AvroKafkaSerializer(String topic, Class<T> type, SerializableFunction<T, String> key) {
    this.topic = topic;
    this.type = type;
    this.key = key;
  }

  @Override
  public void open(
      SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
    avro = AvroBytes.of(type);
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      T element, KafkaSinkContext context, Long timestamp) {
    byte[] k = key == null ? null : key.apply(element).getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(topic, null, null, k, avro.encode(element));
  }
}
