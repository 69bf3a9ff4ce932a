package dev.igm.it;

import dev.igm.codec.AvroBytes;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.TrainerSnapshot;
import dev.igm.jobs.TrainJobConfig;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Topics, job configuration and read-back helpers shared by the training-job integration tests. */
final class JobFixture {
  private JobFixture() {}

  /** The five topics of one job (one partition each: the deterministic setup). */
  record Topics(String samples, String dlq, String metrics, String predictions, String models) {
    static Topics create(KafkaBroker kafka) {
      return new Topics(
          kafka.uniqueTopic("samples"),
          kafka.uniqueTopic("dlq"),
          kafka.uniqueTopic("metrics"),
          kafka.uniqueTopic("predictions"),
          kafka.uniqueTopic("models"));
    }
  }

  /**
   * The example job configuration (config/train-segment.yaml) pointed at the test broker and
   * topics, bounded, with all output under {@code scratch} and checkpoints every 200 ms.
   */
  static TrainJobConfig config(
      KafkaBroker kafka, Topics t, Path scratch, String group, String... extra) throws Exception {
    return config(kafka.bootstrapServers(), t, scratch, group, extra);
  }

  static TrainJobConfig config(
      String bootstrap, Topics t, Path scratch, String group, String... extra) throws Exception {
    return TrainJobConfig.load(exampleConfig(), overrides(bootstrap, t, scratch, group, extra));
  }

  /** config/train-segment.yaml, which {@link #config} starts from. */
  static Path exampleConfig() {
    return projectRoot().resolve("config/train-segment.yaml");
  }

  /**
   * The settings {@link #config} applies to the example configuration, as {@code igm train --set}
   * takes them.
   */
  static List<String> overrides(
      String bootstrap, Topics t, Path scratch, String group, String... extra) {
    List<String> o =
        new ArrayList<>(
            List.of(
                "kafka.bootstrap=" + bootstrap,
                "kafka.group.id=" + group,
                "kafka.transactional.id.prefix=" + group,
                "topics.samples=" + t.samples(),
                "topics.dlq=" + t.dlq(),
                "topics.metrics=" + t.metrics(),
                "topics.predictions=" + t.predictions(),
                "topics.models=" + t.models(),
                "input.bounded=true",
                "input.starting.offsets=earliest",
                "model.store=" + scratch.resolve("models"),
                "snapshot.every.batches=10",
                "metrics.every.batches=5",
                "flink.execution.checkpointing.dir=" + scratch.resolve("chk").toUri(),
                "flink.execution.checkpointing.interval=200ms",
                "flink.restart-strategy.fixed-delay.delay=100ms",
                "flink.io.tmp.dirs=" + scratch.resolve("tmp"),
                "flink.state.backend.rocksdb.localdir=" + scratch.resolve("rocksdb"),
                "model.defaults.phase.batches=5"));
    o.addAll(List.of(extra));
    return o;
  }

  /** A producer of raw bytes (acks=all) to {@code bootstrap}. */
  static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  static String uniqueGroup(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static Path projectRoot() {
    return Paths.get(System.getProperty("igm.project.root", "..")).toAbsolutePath().normalize();
  }

  /**
   * The sha256 a published snapshot of the offline reference has (tensors only: metadata holds a
   * timestamp).
   */
  static String sha256(IgmTrainer t) {
    return TrainerSnapshot.capture(t, null).sha256();
  }

  /**
   * Reads committed records from the beginning until {@code expected} arrived and one more poll
   * brings nothing (so duplicates would show), or the timeout passes.
   */
  static List<ConsumerRecord<byte[], byte[]>> readCommitted(
      String bootstrap, String topic, int expected, Duration timeout) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      c.poll(Duration.ofMillis(300)).forEach(out::add);
    }
    return out;
  }

  static <T extends SpecificRecord> List<T> decode(
      List<ConsumerRecord<byte[], byte[]>> records, Class<T> type) throws Exception {
    AvroBytes<T> avro = AvroBytes.of(type);
    List<T> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      out.add(avro.decode(r.value()));
    }
    return out;
  }

  static <T extends SpecificRecord> List<T> read(
      KafkaBroker kafka, String topic, int expected, Class<T> type) throws Exception {
    return read(kafka.bootstrapServers(), topic, expected, type);
  }

  static <T extends SpecificRecord> List<T> read(
      String bootstrap, String topic, int expected, Class<T> type) throws Exception {
    return decode(readCommitted(bootstrap, topic, expected, Duration.ofSeconds(30)), type);
  }
}
