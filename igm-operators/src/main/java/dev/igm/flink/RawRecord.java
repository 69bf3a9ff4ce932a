package dev.igm.flink;

/**
 * A Kafka record as read, before decoding: where it came from and its raw bytes, so that a record
 * that cannot be used reaches the dead-letter topic unchanged. A Flink POJO (public fields, no-arg
 * constructor).
 */
public class RawRecord {
  public String topic;
  public int partition;
  public long offset;
  public long timestamp;
  public byte[] key;
  public byte[] value;

  public RawRecord() {}

  public RawRecord(
      String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestamp = timestamp;
    this.key = key;
    this.value = value;
  }

  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset;
  }
}
