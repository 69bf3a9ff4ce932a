package dev.igm.jobs;

import dev.igm.flink.serve.RawKafkaRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Passes Kafka records on undecoded, with their coordinates: decoding happens in the operator, where a record that
 * does not decode becomes a dead letter instead of failing the source.
 */
public final class RawKafkaRecordDeserializer implements KafkaRecordDeserializationSchema<RawKafkaRecord> {
  private static final long serialVersionUID = 1L;

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<RawKafkaRecord> out) {
    out.collect(new RawKafkaRecord(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value()));
  }

  @Override
  public TypeInformation<RawKafkaRecord> getProducedType() {
    return TypeInformation.of(RawKafkaRecord.class);
  }
}
