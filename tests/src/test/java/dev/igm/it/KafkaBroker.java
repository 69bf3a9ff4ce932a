package dev.igm.it;

import dev.igm.kafka.LocalKafkaBroker;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit 5 extension giving tests a real Kafka broker: one {@link LocalKafkaBroker} per test run
 * (kept in the root store, so it is stopped when the whole run ends), or the broker named by the
 * environment variable {@code KAFKA_BOOTSTRAP} when that is set (then nothing is started).
 *
 * <pre>{@code
 * @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();
 * ... KAFKA.bootstrapServers() ... KAFKA.uniqueTopic("samples") ...
 * }</pre>
 */
public final class KafkaBroker implements BeforeAllCallback {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
  private static final String STORE_KEY = KafkaBroker.class.getName() + ".broker";
  private static final AtomicInteger TOPIC_COUNTER = new AtomicInteger();

  private volatile String bootstrapServers;

  @Override
  public void beforeAll(ExtensionContext context) {
    String external = System.getenv("KAFKA_BOOTSTRAP");
    if (external != null && !external.isBlank()) {
      bootstrapServers = external.trim();
      return;
    }
    ExtensionContext.Store root = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL);
    RunningBroker running =
        root.getOrComputeIfAbsent(STORE_KEY, k -> RunningBroker.start(), RunningBroker.class);
    bootstrapServers = running.broker.bootstrapServers();
  }

  /** {@code host:port} of the broker; valid from {@code @BeforeAll} on. */
  public String bootstrapServers() {
    if (bootstrapServers == null) {
      throw new IllegalStateException(
          "KafkaBroker not initialised: register it with @RegisterExtension on a static field");
    }
    return bootstrapServers;
  }

  /**
   * Creates a topic with a unique name starting with {@code prefix} (one partition) and returns its
   * name.
   */
  public String uniqueTopic(String prefix) {
    return uniqueTopic(prefix, 1);
  }

  public String uniqueTopic(String prefix, int partitions) {
    String name =
        prefix
            + "-"
            + TOPIC_COUNTER.incrementAndGet()
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    LocalKafkaBroker.createTopics(bootstrapServers(), partitions, name);
    return name;
  }

  /** The broker in the root store; JUnit closes it after the last test of the run. */
  @SuppressWarnings(
      "deprecation") // CloseableResource for older JUnit 5, AutoCloseable for 5.13+; closed once
  static final class RunningBroker
      implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    final LocalKafkaBroker broker;

    private RunningBroker(LocalKafkaBroker broker) {
      this.broker = broker;
    }

    static RunningBroker start() {
      long t0 = System.nanoTime();
      try {
        LocalKafkaBroker broker = LocalKafkaBroker.builder().port(0).build().start();
        LOG.info(
            "Test Kafka broker {} started in {} ms",
            broker.bootstrapServers(),
            (System.nanoTime() - t0) / 1_000_000);
        return new RunningBroker(broker);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      long t0 = System.nanoTime();
      broker.close();
      LOG.info("Test Kafka broker stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }
  }
}
