package dev.igm.replay;

import dev.igm.kafka.KafkaAccess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Before a replay: is the broker there, does the topic exist, and (on request) create it. Done with
 * an Admin client and a short timeout, so that a wrong {@code --bootstrap} fails in seconds with a
 * plain message instead of a producer metadata timeout.
 */
public final class TopicCheck {
  private TopicCheck() {}

  /**
   * @return true when the topic exists (after creating it, when {@code create} is set)
   * @throws ReplayException when the broker cannot be reached within {@code timeoutMs}
   */
  public static boolean ensure(
      String bootstrap,
      String topic,
      boolean create,
      int partitions,
      int maxMessageBytes,
      int timeoutMs) {
    return ensure(bootstrap, Map.of(), topic, create, partitions, maxMessageBytes, timeoutMs);
  }

  /**
   * As {@link #ensure(String, String, boolean, int, int, int)}, with Kafka client properties
   * (security): a refused password or an untrusted certificate fails here, with a message that
   * names it.
   */
  public static boolean ensure(
      String bootstrap,
      Map<String, String> clientProperties,
      String topic,
      boolean create,
      int partitions,
      int maxMessageBytes,
      int timeoutMs) {
    Properties p = new Properties();
    p.putAll(clientProperties);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    try (Admin admin = Admin.create(p)) {
      Set<String> topics =
          admin
              .listTopics(new ListTopicsOptions().timeoutMs(timeoutMs))
              .names()
              .get(timeoutMs, TimeUnit.MILLISECONDS);
      if (topics.contains(topic)) {
        return true;
      }
      if (!create) {
        return false;
      }
      // Records of the paper layouts (images, spectrograms) exceed the 1 MiB default: let the topic
      // take them.
      NewTopic t =
          new NewTopic(topic, partitions, (short) 1)
              .configs(
                  Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxMessageBytes)));
      try {
        admin.createTopics(List.of(t)).all().get(timeoutMs, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new ReplayException(
              "cannot create topic "
                  + topic
                  + " on "
                  + bootstrap
                  + ": "
                  + e.getCause().getMessage(),
              e.getCause());
        }
      }
      return true;
    } catch (TimeoutException | ExecutionException | KafkaException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof TimeoutException
          || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new ReplayException(
            "cannot reach Kafka at "
                + bootstrap
                + " within "
                + timeoutMs / 1000
                + " s ("
                + (cause.getMessage() != null ? cause.getMessage() : "timed out")
                + "); is the broker running, and does"
                + " security.protocol match its listener? (deploy/local/kafka.sh start, or --bootstrap / KAFKA_BOOTSTRAP)",
            e);
      }
      throw new ReplayException(
          KafkaAccess.explain(cause, bootstrap, Duration.ofMillis(timeoutMs)), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReplayException("interrupted while checking topic " + topic, e);
    }
  }
}
