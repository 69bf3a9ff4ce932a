package dev.igm.flink.serve;

import java.util.Arrays;

/**
 * A Kafka record as it came off the topic: coordinates, timestamp and undecoded bytes. The serving job decodes
 * inside its operator so that a record it cannot use goes to the dead-letter topic with its coordinates and raw
 * bytes. A Flink POJO (public fields, no-argument constructor), so it needs no Kryo.
 */
public final class RawKafkaRecord {
  public String topic;
  public int partition;
  public long offset;
  /** The record's Kafka timestamp (epoch milliseconds). */
  public long timestamp;
  public byte[] key;
  public byte[] value;

  public RawKafkaRecord() {}

  public RawKafkaRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestamp = timestamp;
    this.key = key;
    this.value = value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawKafkaRecord r
        && partition == r.partition
        && offset == r.offset
        && timestamp == r.timestamp
        && java.util.Objects.equals(topic, r.topic)
        && Arrays.equals(key, r.key)
        && Arrays.equals(value, r.value);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(topic, partition, offset);
  }

  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset;
  }
}
