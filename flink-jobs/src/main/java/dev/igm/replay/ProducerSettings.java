package dev.igm.replay;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The replay producer's configuration: durable (acks=all, idempotence, so a retried batch is never
 * duplicated or reordered) and batched for throughput. The batching knobs are explicit so that
 * {@code bin/bench-replay} can give Kafka's own ProducerPerformance exactly the same ones.
 *
 * @param bootstrap host:port list
 * @param lingerMs how long a batch waits for more records
 * @param batchBytes batch size per partition
 * @param maxRequestBytes largest request (and so largest record); images of the paper layouts
 *     exceed Kafka's 1 MiB default
 * @param extra any further producer properties (they win over the above)
 */
public record ProducerSettings(
    String bootstrap,
    int lingerMs,
    int batchBytes,
    int maxRequestBytes,
    Map<String, String> extra) {
  public static final int DEFAULT_LINGER_MS = 10;
  public static final int DEFAULT_BATCH_BYTES = 256 * 1024;
  public static final int DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;

  /** Producer buffer: several full requests in flight without blocking the encoder. */
  public static final long BUFFER_BYTES = 64L * 1024 * 1024;

  public ProducerSettings {
    extra = extra == null ? Map.of() : Map.copyOf(extra);
  }

  /** The batching and durability settings as producer properties (no serializers, no bootstrap). */
  public Map<String, String> tuning() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(lingerMs));
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(batchBytes));
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(maxRequestBytes));
    p.put(
        ProducerConfig.BUFFER_MEMORY_CONFIG,
        Long.toString(Math.max(BUFFER_BYTES, 2L * maxRequestBytes)));
    p.putAll(extra);
    return p;
  }

  public Properties producerProperties() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "igm-replay");
    // Fail within 30 s, not the default 60 s, when the broker or the topic's metadata cannot be
    // reached.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    p.putAll(tuning());
    return p;
  }
}
