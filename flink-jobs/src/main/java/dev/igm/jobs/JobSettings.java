package dev.igm.jobs;

import dev.igm.core.config.Setting;
import dev.igm.jobs.TrainJobConfig.Delivery;
import dev.igm.jobs.TrainJobConfig.StartingOffsets;
import dev.igm.jobs.TrainJobConfig.Target;
import dev.igm.local.EmbeddedFlink;
import java.util.List;

/**
 * The training job's own keys, each described once (type, default, check, help); {@link
 * TrainJobConfig} reads them through these descriptions and docs/CONFIGURATION.md is generated from
 * them. Besides these: {@code flink.<key>}, {@code kafka.properties.<key>}, {@code
 * model.defaults.<knob>} and {@code models} ({@link #PREFIXES}).
 */
public final class JobSettings {
  private JobSettings() {}

  public static final Setting<String> JOB_NAME =
      Setting.key("job.name").text().defaultValue("igm-train").help("The Flink job's name.");

  public static final Setting<Target> TARGET =
      Setting.key("target")
          .oneOf(Target.class)
          .defaultValue(Target.EMBEDDED)
          .help(
              "embedded: a MiniCluster in this process; remote: submit to the JobManager at jobmanager.");

  public static final Setting<String> JOBMANAGER =
      Setting.key("jobmanager")
          .text()
          .defaultText("(none; required for target remote)")
          .help("host:port of the remote cluster's JobManager (REST).");

  public static final Setting<String> EMBEDDED_BIND_ADDRESS =
      Setting.key("embedded.bind-address")
          .text()
          .defaultValue(EmbeddedFlink.LOOPBACK)
          .check(JobSettings::resolvable, "an address or a resolvable host name")
          .help(
              "Interface the embedded cluster's listeners (REST, blob server, RPC) bind to; loopback by default. "
                  + "0.0.0.0 exposes them to every network the machine is on: Flink's REST API accepts job submissions "
                  + "without authentication.");

  public static final Setting<String> EMBEDDED_METRICS_PORT =
      Setting.key("embedded.metrics-port")
          .text()
          .defaultText("(none)")
          .check(JobSettings::metricsPort, "a port or a range PORT-PORT")
          .help(
              "Serve the embedded cluster's metrics for Prometheus at http://<embedded.bind-address>:PORT/metrics (a "
                  + "range takes the first free port). Embedded target only; a remote cluster has its own reporters.");

  public static final Setting<List<String>> REMOTE_JARS =
      Setting.key("remote.jars")
          .type(
              new Setting.Type<List<String>>(
                  "list of paths",
                  r ->
                      r.value() instanceof List<?> l
                          ? l.stream().map(o -> String.valueOf(o).trim()).toList()
                          : List.of(r.text().split(",")).stream().map(String::trim).toList(),
                  v -> v))
          .defaultText("flink-jobs/target/igm-flink-jobs-job.jar")
          .help(
              "Jars shipped to a remote cluster (list, or comma-separated); relative paths are under the project.");

  public static final Setting<String> KAFKA_BOOTSTRAP =
      Setting.key("kafka.bootstrap").text().help("host:port of the Kafka brokers. Required.");

  public static final Setting<String> KAFKA_PROPERTIES_FILE =
      Setting.key("kafka.properties-file")
          .text()
          .defaultText("(none)")
          .help(
              "A Java properties file of Kafka client properties (security.protocol, "
                  + "sasl.jaas.config, ssl.truststore.location, ...) for every consumer and producer of the job; "
                  + "kafka.properties.<key> entries override it. A relative path is under the project.");

  public static final Setting<String> GROUP_ID =
      Setting.key("kafka.group.id")
          .text()
          .defaultValue("igm-train")
          .help(
              "Consumer group of the samples source (its committed offsets are where a new job starts).");

  public static final Setting<Delivery> DELIVERY =
      Setting.key("kafka.delivery")
          .oneOf(Delivery.class)
          .defaultValue(Delivery.EXACTLY_ONCE)
          .help(
              "exactly-once: outputs in Kafka transactions committed with each checkpoint; at-least-once: plain writes.");

  public static final Setting<String> TRANSACTIONAL_ID_PREFIX =
      Setting.key("kafka.transactional.id.prefix")
          .text()
          .defaultText("kafka.group.id")
          .help("Prefix of the sinks' transactional ids (exactly-once).");

  public static final Setting<Long> TRANSACTION_TIMEOUT_MS =
      Setting.key("kafka.transaction.timeout.ms")
          .longInteger()
          .defaultValue(600_000L)
          .check(v -> v > 0, "> 0")
          .help("Kafka transaction timeout of the sinks; must exceed the checkpoint interval.");

  public static final Setting<String> SAMPLES_TOPIC =
      Setting.key("topics.samples")
          .text()
          .defaultValue("igm.samples")
          .help("Input: MultimodalSample records.");

  public static final Setting<String> DLQ_TOPIC =
      Setting.key("topics.dlq")
          .text()
          .defaultValue("igm.samples.dlq")
          .help("Dead letters: records that cannot be used, with the reason.");

  public static final Setting<String> METRICS_TOPIC =
      Setting.key("topics.metrics")
          .text()
          .defaultValue("igm.metrics")
          .help("TrainingMetrics records.");

  public static final Setting<String> PREDICTIONS_TOPIC =
      Setting.key("topics.predictions")
          .text()
          .defaultValue("igm.predictions")
          .help("Prediction records (prequential scores of TRAIN, scores of VALID/TEST).");

  public static final Setting<String> MODELS_TOPIC =
      Setting.key("topics.models")
          .text()
          .defaultValue("igm.models")
          .help("ModelSnapshot records announcing each published model version.");

  public static final Setting<Boolean> BOUNDED =
      Setting.key("input.bounded")
          .bool()
          .defaultValue(false)
          .help(
              "true: stop at the offsets that are latest when the job starts, then publish every model.");

  public static final Setting<StartingOffsets> STARTING_OFFSETS =
      Setting.key("input.starting.offsets")
          .oneOf(StartingOffsets.class)
          .defaultValue(StartingOffsets.COMMITTED)
          .help("committed (earliest when the group has none), earliest or latest.");

  public static final Setting<Long> MAX_TENSOR_BYTES =
      Setting.key("input.max.tensor.bytes")
          .longInteger()
          .defaultValue(64L << 20)
          .check(v -> v > 0, "positive")
          .help("Larger tensors are dead-lettered.");

  public static final Setting<Long> MAX_RECORD_BYTES =
      Setting.key("input.max.record.bytes")
          .longInteger()
          .defaultValue((64L << 20) + (1L << 20))
          .check(v -> v > 0, "positive")
          .help("Larger records are dead-lettered.");

  public static final Setting<String> MODEL_STORE =
      Setting.key("model.store")
          .text()
          .defaultValue("var/models")
          .help(
              "Where snapshot files go: any Flink file-system URI; a relative path is under the project.");

  public static final Setting<Integer> MODEL_STORE_KEEP =
      Setting.key("model.store.keep")
          .integer()
          .defaultValue(10)
          .check(v -> v >= 0, ">= 0 (0 keeps every version)")
          .help(
              "Versions of each model kept in the model store: the newest ones whose records are committed, plus any "
                  + "version a serving job has in service; older files are deleted. 0 keeps every version.");

  public static final Setting<Integer> SNAPSHOT_EVERY_BATCHES =
      Setting.key("snapshot.every.batches")
          .integer()
          .defaultValue(1000)
          .check(v -> v >= 1, ">= 1")
          .help(
              "Publish a model version every this many batches (and at the end of a bounded input).");

  public static final Setting<Integer> METRICS_EVERY_BATCHES =
      Setting.key("metrics.every.batches")
          .integer()
          .defaultValue(10)
          .check(v -> v >= 1, ">= 1")
          .help("Emit a TrainingMetrics record every this many batches.");

  public static final Setting<Integer> BLAS_THREADS =
      Setting.key("blas.threads")
          .integer()
          .defaultValue(0)
          .check(v -> v >= 0, ">= 0 (0: as OPENBLAS_NUM_THREADS says)")
          .help(
              "OpenBLAS threads of the trainers' T refresh; 0 leaves OPENBLAS_NUM_THREADS (keep 0 where runs must "
                  + "match bit for bit).");

  public static final Setting<Long> FAIL_AFTER_BATCHES =
      Setting.key("debug.fail.after.batches")
          .longInteger()
          .defaultValue(0L)
          .check(v -> v >= 0, ">= 0")
          .help(
              "Debug: fail once when a model reaches this many batches after a checkpoint with trained state; 0 = never.");

  public static final Setting<Long> BATCH_DELAY_MS =
      Setting.key("debug.batch.delay.ms")
          .longInteger()
          .defaultValue(0L)
          .check(v -> v >= 0, ">= 0")
          .help("Debug: sleep this long after each trained batch.");

  /** Every key of the job itself, in the order of the reference page. */
  public static final List<Setting<?>> ALL =
      List.of(
          JOB_NAME,
          TARGET,
          JOBMANAGER,
          EMBEDDED_BIND_ADDRESS,
          EMBEDDED_METRICS_PORT,
          REMOTE_JARS,
          KAFKA_BOOTSTRAP,
          KAFKA_PROPERTIES_FILE,
          GROUP_ID,
          DELIVERY,
          TRANSACTIONAL_ID_PREFIX,
          TRANSACTION_TIMEOUT_MS,
          SAMPLES_TOPIC,
          DLQ_TOPIC,
          METRICS_TOPIC,
          PREDICTIONS_TOPIC,
          MODELS_TOPIC,
          BOUNDED,
          STARTING_OFFSETS,
          MAX_TENSOR_BYTES,
          MAX_RECORD_BYTES,
          MODEL_STORE,
          MODEL_STORE_KEEP,
          SNAPSHOT_EVERY_BATCHES,
          METRICS_EVERY_BATCHES,
          BLAS_THREADS,
          FAIL_AFTER_BATCHES,
          BATCH_DELAY_MS);

  /** A prefix or list key passed through or expanded, with what it holds. */
  public record Prefix(String key, String help) {}

  public static final List<Prefix> PREFIXES =
      List.of(
          new Prefix(
              "flink.<key>",
              "Any Flink configuration key, passed through (defaults: RocksDB state backend, "
                  + "incremental retained checkpoints every 10 s, unaligned barriers, fixed-delay restarts, project-local "
                  + "temp and RocksDB directories, parallelism 1)."),
          new Prefix(
              "kafka.properties.<key>",
              "Any Kafka client property, for the source's consumer and every sink's "
                  + "producer; the ones the job manages itself are refused with the setting to use instead."),
          new Prefix("model.defaults.<knob>", "A model knob (below) shared by every model."),
          new Prefix(
              "models",
              "The models, a list of {id, <knob>: value, ...}; override one with models.<id>.<knob>=v."));

  private static boolean resolvable(String address) {
    try {
      EmbeddedFlink.checkBindAddress(address);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean metricsPort(String port) {
    try {
      EmbeddedFlink.checkMetricsPort(port);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The job key named {@code key}, or null. */
  static Setting<?> named(String key) {
    for (Setting<?> s : ALL) {
      if (s.key().equals(key)) {
        return s;
      }
    }
    return null;
  }
}
