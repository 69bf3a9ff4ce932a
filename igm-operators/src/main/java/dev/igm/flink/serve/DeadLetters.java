package dev.igm.flink.serve;

import dev.igm.avro.DeadLetter;
import dev.igm.flink.RawRecord;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * Dead-letter records of the serving job (stage {@code serve}): the source coordinates, raw bytes
 * and reason.
 */
public final class DeadLetters {
  public static final String STAGE = "serve";

  private DeadLetters() {}

  public static DeadLetter of(RawRecord source, String reason, long now) {
    return DeadLetter.newBuilder()
        .setSourceTopic(source.topic == null ? "" : source.topic)
        .setSourcePartition(source.partition)
        .setSourceOffset(source.offset)
        .setRawKey(source.key == null ? null : ByteBuffer.wrap(source.key))
        .setRawValue(source.value == null ? null : ByteBuffer.wrap(source.value))
        .setStage(STAGE)
        .setReason(reason)
        .setTime(Instant.ofEpochMilli(now))
        .build();
  }
}
