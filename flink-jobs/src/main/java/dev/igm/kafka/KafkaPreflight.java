package dev.igm.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;

/**
 * Checks a job makes before it starts reading Kafka: is the broker there, do the topics exist. A
 * job started against a missing broker or topic does not fail: Flink restarts it, and every restart
 * logs the Kafka client's complaints (hundreds of lines a minute) without ever saying what is
 * wrong. Asking first, with an Admin client and a short timeout, gives one sentence instead.
 */
public final class KafkaPreflight {
  private KafkaPreflight() {}

  /**
   * The topics on the cluster at {@code bootstrap}, asked with {@code clientProperties} (security
   * settings).
   */
  public static Set<String> topics(
      String bootstrap, Map<String, String> clientProperties, Duration timeout) {
    Properties p = new Properties();
    p.putAll(clientProperties);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    int ms = Math.toIntExact(timeout.toMillis());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
    try (Admin admin = Admin.create(p)) {
      return admin
          .listTopics(new ListTopicsOptions().timeoutMs(ms))
          .names()
          .get(ms + 1000L, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException | org.apache.kafka.common.KafkaException e) {
      throw new KafkaAccess.Refused(KafkaAccess.explain(e, bootstrap, timeout), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaAccess.Refused("interrupted while asking " + bootstrap + " for its topics", e);
    }
  }

  private static String human(Duration d) {
    return d.toSeconds() < 120 ? d.toSeconds() + " s" : d.toMinutes() + " min";
  }

  /**
   * Waits until every one of {@code wanted} exists, asking every {@code every}; {@code status}
   * hears one line when some are missing (and nothing more while the same ones stay missing).
   *
   * @return the topics still missing when {@code patience} ran out (empty: all there)
   */
  public static Set<String> awaitTopics(
      String bootstrap,
      Map<String, String> clientProperties,
      Collection<String> wanted,
      Duration patience,
      Duration every,
      Consumer<String> status)
      throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    Set<String> reported = null;
    while (true) {
      Set<String> missing = new TreeSet<>(wanted);
      missing.removeAll(topics(bootstrap, clientProperties, Duration.ofSeconds(15)));
      if (missing.isEmpty() || System.nanoTime() >= deadline) {
        return missing;
      }
      if (!missing.equals(reported)) {
        status.accept(
            "waiting for topic"
                + (missing.size() > 1 ? "s " : " ")
                + String.join(", ", missing)
                + " on "
                + bootstrap
                + " (checking every "
                + every.toSeconds()
                + " s for up to "
                + human(patience)
                + ")");
        reported = missing;
      }
      Thread.sleep(every.toMillis());
    }
  }
}
