package dev.igm.report;

import dev.igm.avro.DeadLetter;
import dev.igm.avro.TrainingMetrics;
import dev.igm.codec.AvroBytes;
import dev.igm.kafka.KafkaAccess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the metrics topic (Avro {@link TrainingMetrics}) and the dead-letter topic (Avro {@link
 * DeadLetter}) from the earliest offsets up to the end offsets found when reading starts, then
 * stops: a snapshot of a topic the job keeps writing to. Partitions are assigned directly, without
 * a consumer group, so a report neither commits offsets nor disturbs anyone's group. Records that
 * do not decode are counted in the log, not fatal (a topic cannot be fixed).
 */
public final class KafkaMetricsReader {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaMetricsReader.class);

  private final String bootstrapServers;
  private final Duration timeout;
  private final Map<String, String> extraProperties;
  private final MetricsFileWriter copy;

  /**
   * @param bootstrapServers {@code host:port[,host:port...]}
   * @param timeout how long reading one topic may take in all
   * @param extraProperties further consumer settings (security, client id), applied last
   */
  public KafkaMetricsReader(
      String bootstrapServers, Duration timeout, Map<String, String> extraProperties) {
    this(bootstrapServers, timeout, extraProperties, null);
  }

  private KafkaMetricsReader(
      String bootstrapServers,
      Duration timeout,
      Map<String, String> extraProperties,
      MetricsFileWriter copy) {
    this.bootstrapServers = bootstrapServers;
    this.timeout = timeout;
    this.extraProperties = Map.copyOf(extraProperties);
    this.copy = copy;
  }

  /**
   * A reader that also writes every record it decodes to {@code file} (a report that outlives its
   * broker).
   */
  public KafkaMetricsReader copyingTo(MetricsFileWriter file) {
    return new KafkaMetricsReader(bootstrapServers, timeout, extraProperties, file);
  }

  /**
   * Reads the metrics topic (required to exist) and, when {@code dlqTopic} is not null, the
   * dead-letter topic.
   */
  public MetricsLog read(String metricsTopic, String dlqTopic)
      throws IOException, TimeoutException {
    MetricsLog log = new MetricsLog();
    try {
      readMetrics(metricsTopic, log);
      if (dlqTopic != null) {
        readDeadLetters(dlqTopic, log);
      }
    } catch (org.apache.kafka.common.KafkaException e) {
      // refused credentials, an untrusted certificate, a client setting that does not work: said in
      // one line
      throw new IOException(KafkaAccess.explain(e, bootstrapServers, timeout), e);
    }
    return log;
  }

  public void readMetrics(String topic, MetricsLog log) throws IOException, TimeoutException {
    AvroBytes<TrainingMetrics> avro = AvroBytes.of(TrainingMetrics.class);
    long n =
        readTopic(
            topic,
            true,
            value -> {
              try {
                TrainingMetrics m = avro.decode(value);
                log.add(m);
                if (copy != null) {
                  copy.write(m);
                }
              } catch (IOException e) {
                LOG.warn("Skipping an undecodable record of {}: {}", topic, e.getMessage());
                log.addUnreadable(topic);
              }
            });
    log.addSource("topic " + topic + " at " + bootstrapServers + " (" + n + " records)");
  }

  /**
   * Counts the dead letters by stage and reason; a missing topic only means nothing was
   * dead-lettered yet.
   */
  public void readDeadLetters(String topic, MetricsLog log) throws IOException, TimeoutException {
    AvroBytes<DeadLetter> avro = AvroBytes.of(DeadLetter.class);
    long n =
        readTopic(
            topic,
            false,
            value -> {
              try {
                DeadLetter d = avro.decode(value);
                log.add(d);
                if (copy != null) {
                  copy.write(d);
                }
              } catch (IOException e) {
                LOG.warn("Skipping an undecodable record of {}: {}", topic, e.getMessage());
                log.addUnreadable(topic);
              }
            });
    log.addSource(
        n < 0
            ? "topic " + topic + " does not exist at " + bootstrapServers
            : "topic " + topic + " at " + bootstrapServers + " (" + n + " records)");
  }

  /**
   * Hands every record value of {@code topic} to {@code sink}; returns the count, or -1 for a
   * missing topic.
   */
  private long readTopic(String topic, boolean mustExist, Consumer<byte[]> sink)
      throws IOException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties())) {
      List<PartitionInfo> infos;
      try {
        infos = consumer.partitionsFor(topic, timeout);
      } catch (UnknownTopicOrPartitionException e) {
        infos = List.of();
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        throw new TimeoutException(
            "no answer from Kafka at "
                + bootstrapServers
                + " within "
                + timeout
                + " (asking for the partitions of "
                + topic
                + ")");
      }
      if (infos == null || infos.isEmpty()) {
        if (mustExist) {
          throw new IOException("topic " + topic + " does not exist at " + bootstrapServers);
        }
        return -1;
      }
      List<TopicPartition> partitions = new ArrayList<>();
      infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // The end is fixed now: records the job writes while we read belong to the next report.
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
      long count = 0;
      while (!reachedEnd(consumer, end, deadline)) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException(
              "reading "
                  + topic
                  + " at "
                  + bootstrapServers
                  + " took longer than "
                  + timeout
                  + " ("
                  + count
                  + " records read)");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          Long stop = end.get(new TopicPartition(r.topic(), r.partition()));
          if (stop != null && r.offset() < stop) {
            count++;
            sink.accept(r.value());
          }
        }
      }
      return count;
    }
  }

  /**
   * Whether every partition's position is at or past its end offset (finished partitions are
   * paused).
   */
  private static boolean reachedEnd(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end, long deadline) {
    boolean all = true;
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
      if (consumer.position(e.getKey(), left) >= e.getValue()) {
        consumer.pause(List.of(e.getKey()));
      } else {
        all = false;
      }
    }
    return all;
  }

  private Properties properties() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // A report must not create the topics it is asked about (brokers auto-create by default).
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    // The training job writes exactly-once (transactions): records of aborted transactions are not
    // results, and
    // under read_committed the end offsets are the last stable offsets, so reading stops at
    // committed data.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "igm-report");
    p.putAll(extraProperties);
    return p;
  }
}
