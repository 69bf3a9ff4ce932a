package dev.igm.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * Can this client reach the Kafka cluster with these settings? Asked once, with an Admin client and
 * a short timeout, before a command writes anything or deploys a job: a wrong password or an
 * untrusted certificate then ends the command within seconds with one line that names the cause,
 * instead of a job that restarts until its attempts run out, a stack trace, or a minute-long
 * metadata timeout. {@link #explain} words the failures of Kafka clients.
 */
public final class KafkaAccess {
  /**
   * Long enough for a TLS and SASL handshake on a loaded machine, short enough to answer a typo
   * quickly.
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

  private KafkaAccess() {}

  /** Why a Kafka cluster could not be used: one line for the user. */
  public static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Connects and authenticates ({@code DescribeCluster}).
   *
   * @throws Refused with the cause in words
   */
  public static void check(
      String bootstrap, Map<String, String> clientProperties, Duration timeout) {
    Properties p = new Properties();
    p.putAll(clientProperties);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    p.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "igm-preflight");
    try (Admin admin = Admin.create(p)) {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
          .clusterId()
          .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Refused("interrupted while connecting to Kafka at " + bootstrap, e);
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      throw new Refused(explain(e, bootstrap, timeout), e);
    }
  }

  /** One line naming why a Kafka client failed, from the exception it threw (wrapped or not). */
  public static String explain(Throwable failure, String bootstrap, Duration timeout) {
    Throwable sasl = find(failure, SaslAuthenticationException.class);
    if (sasl != null) {
      return "Kafka at "
          + bootstrap
          + " refused the credentials (SASL authentication failed: "
          + sasl.getMessage()
          + "); check the user and password in sasl.jaas.config and sasl.mechanism";
    }
    Throwable ssl = find(failure, SslAuthenticationException.class);
    if (ssl != null) {
      String root = rootMessage(ssl);
      if (root.contains("PKIX path")
          || root.contains("unable to find valid certification path")
          || root.contains("certificate_unknown")
          || find(ssl, java.security.cert.CertPathValidatorException.class) != null) {
        return "the TLS handshake with Kafka at "
            + bootstrap
            + " failed: the broker's certificate is not trusted ("
            + root
            + "); ssl.truststore.location must hold the certificate of the CA that signed it";
      }
      if (root.contains("No subject alternative") || root.contains("No name matching")) {
        return "the TLS handshake with Kafka at "
            + bootstrap
            + " failed: the broker's certificate is not for this"
            + " host name ("
            + root
            + "); connect by a name the certificate lists, or see"
            + " ssl.endpoint.identification.algorithm";
      }
      return "the TLS handshake with Kafka at " + bootstrap + " failed: " + root;
    }
    Throwable auth = find(failure, AuthenticationException.class);
    if (auth != null) {
      return "Kafka at " + bootstrap + " refused to authenticate this client: " + rootMessage(auth);
    }
    Throwable denied = find(failure, AuthorizationException.class);
    if (denied != null) {
      return "Kafka at " + bootstrap + " denied access: " + denied.getMessage();
    }
    if (find(failure, TimeoutException.class) != null
        || find(failure, org.apache.kafka.common.errors.TimeoutException.class) != null) {
      return "no answer from Kafka at "
          + bootstrap
          + " within "
          + timeout.toSeconds()
          + " s: is the broker running,"
          + " and does security.protocol match its listener? (a TLS or SASL listener does not answer a PLAINTEXT"
          + " client, and the other way round)";
    }
    if (failure instanceof KafkaException
        && failure.getMessage() != null
        && failure.getMessage().startsWith("Failed to construct")) {
      return "cannot create a Kafka client for " + bootstrap + ": " + rootMessage(failure);
    }
    return "Kafka at " + bootstrap + ": " + rootMessage(failure);
  }

  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return null;
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return m == null ? root.getClass().getSimpleName() : m;
  }
}
