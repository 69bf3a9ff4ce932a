package dev.igm.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic from its beginning on a background thread and keeps every record, for assertions
 * that wait.
 */
final class TopicTail implements AutoCloseable {
  private final List<ConsumerRecord<byte[], byte[]>> records = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private final String topic;
  private volatile boolean stop;
  private volatile RuntimeException failure;

  TopicTail(String bootstrap, String topic) {
    this(bootstrap, java.util.Map.of(), topic);
  }

  /** With client properties (a secured broker's). */
  TopicTail(String bootstrap, java.util.Map<String, String> clientProperties, String topic) {
    this.topic = topic;
    Properties c = new Properties();
    c.putAll(clientProperties);
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "it-tail-" + UUID.randomUUID());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    thread =
        new Thread(
            () -> {
              try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
                consumer.subscribe(List.of(topic));
                while (!stop) {
                  consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                }
              } catch (RuntimeException e) {
                failure = e;
              }
            },
            "tail-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  List<ConsumerRecord<byte[], byte[]>> records() {
    if (failure != null) {
      throw failure;
    }
    return new ArrayList<>(records);
  }

  /**
   * Waits until {@code done} holds for the records read so far; fails with {@code what} after
   * {@code timeout}.
   */
  List<ConsumerRecord<byte[], byte[]>> await(
      Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<ConsumerRecord<byte[], byte[]>> now = records();
      if (done.test(now)) {
        return now;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after "
                + timeout
                + " waiting for "
                + what
                + " on "
                + topic
                + " ("
                + now.size()
                + " records read)");
      }
      Thread.sleep(25);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.join(10_000);
  }
}
