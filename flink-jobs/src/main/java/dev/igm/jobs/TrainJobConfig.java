package dev.igm.jobs;

import dev.igm.core.config.IgmConfig;
import dev.igm.local.EmbeddedFlink;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The training job's configuration: one YAML file plus {@code --set key=value} overrides, validated once into this
 * immutable object. Nested YAML maps are flattened to dotted keys ({@code kafka: {bootstrap: x}} is
 * {@code kafka.bootstrap}); an unknown key is an error, so a typo never goes unnoticed.
 *
 * <ul>
 *   <li>{@code flink.<key>}: any Flink configuration key, passed through verbatim (defaults below: RocksDB,
 *       incremental, retained checkpoints, fixed-delay restarts, project-local temp and RocksDB dirs).
 *   <li>{@code kafka.properties.<key>}: any Kafka client property, given to the source's consumer and every sink's
 *       producer (security, SASL, timeouts, compression, {@code linger.ms} ...); the ones this job manages itself
 *       (servers, group, transactions, isolation, serializers) are refused with the setting to use instead.
 *       {@code kafka.properties-file}: a Java properties file of them (secrets stay out of the command line); a
 *       {@code kafka.properties.<key>} wins over the file's.
 *   <li>{@code model.defaults.<knob>}: model knobs shared by every model; {@code models}: a list of {@code {id, knobs}}.
 *       Override one model's knob with {@code models.<id>.<knob>=v}.
 * </ul>
 *
 * <p>Relative paths resolve against the project root ({@code -Digm.project.root}, set by {@code bin/igm}) or the
 * working directory.
 */
public final class TrainJobConfig {
  public enum Target { EMBEDDED, REMOTE }

  public enum Delivery { EXACTLY_ONCE, AT_LEAST_ONCE }

  public enum StartingOffsets { COMMITTED, EARLIEST, LATEST }

  private static final String KAFKA_PROPERTIES = "kafka.properties.";

  /** Our own keys with their defaults ({@code null} = required or optional without default). */
  private static final Map<String, Object> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("job.name", "igm-train");
    DEFAULTS.put("target", "embedded");
    DEFAULTS.put("jobmanager", null);
    DEFAULTS.put("embedded.bind-address", EmbeddedFlink.LOOPBACK);
    DEFAULTS.put("embedded.metrics-port", null);
    DEFAULTS.put("remote.jars", null);
    DEFAULTS.put("kafka.bootstrap", null);
    DEFAULTS.put("kafka.group.id", "igm-train");
    DEFAULTS.put("kafka.delivery", "exactly-once");
    DEFAULTS.put("kafka.transactional.id.prefix", null);
    DEFAULTS.put("kafka.transaction.timeout.ms", 600_000);
    DEFAULTS.put("kafka.properties-file", null);
    DEFAULTS.put("topics.samples", "igm.samples");
    DEFAULTS.put("topics.dlq", "igm.samples.dlq");
    DEFAULTS.put("topics.metrics", "igm.metrics");
    DEFAULTS.put("topics.predictions", "igm.predictions");
    DEFAULTS.put("topics.models", "igm.models");
    DEFAULTS.put("input.bounded", false);
    DEFAULTS.put("input.starting.offsets", "committed");
    DEFAULTS.put("input.max.tensor.bytes", 64L << 20);
    DEFAULTS.put("input.max.record.bytes", (64L << 20) + (1L << 20));
    DEFAULTS.put("model.store", "var/models");
    DEFAULTS.put("model.store.keep", 10);
    DEFAULTS.put("snapshot.every.batches", 1000);
    DEFAULTS.put("metrics.every.batches", 10);
    DEFAULTS.put("blas.threads", 0);
    DEFAULTS.put("debug.fail.after.batches", 0);
    DEFAULTS.put("debug.batch.delay.ms", 0);
  }

  /** Flink settings this job relies on unless the configuration says otherwise (DESIGN §3 keys). */
  private static Map<String, String> flinkDefaults() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("state.backend.type", "rocksdb");
    f.put("execution.checkpointing.dir", "var/checkpoints");
    f.put("execution.checkpointing.interval", "10s");
    f.put("execution.checkpointing.incremental", "true");
    f.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
    f.put("execution.checkpointing.mode", "EXACTLY_ONCE");
    // a training step costs milliseconds per record: an aligned barrier would wait behind every sample already
    // buffered in the network (all of a replay, in tests); unaligned barriers overtake them and the buffered
    // samples become part of the checkpoint, replayed in order on restore
    f.put("execution.checkpointing.unaligned.enabled", "true");
    f.put("restart-strategy.type", "fixed-delay");
    f.put("restart-strategy.fixed-delay.attempts", "3");
    f.put("restart-strategy.fixed-delay.delay", "1s");
    f.put("io.tmp.dirs", "var/tmp");
    f.put("state.backend.rocksdb.localdir", "var/rocksdb");
    f.put("parallelism.default", "1");
    // our operators never mutate a record after emitting it, so chained operators need not copy
    f.put("pipeline.object-reuse", "true");
    return f;
  }

  private static final Set<String> URI_KEYS = Set.of("execution.checkpointing.dir", "execution.state-recovery.path");
  private static final Set<String> DIR_KEYS = Set.of("io.tmp.dirs", "state.backend.rocksdb.localdir");

  private final Map<String, Object> values;
  private final Map<String, String> flink;
  private final Map<String, String> kafkaProperties;
  private final LinkedHashMap<String, IgmConfig> models;
  private final Path root;

  /** Kafka client properties the training job sets itself, with the setting to use instead. */
  private static final Map<String, String> MANAGED_KAFKA_PROPERTIES = KafkaClientProperties.managed(Map.of(
      "bootstrap.servers", "kafka.bootstrap",
      "group.id", "kafka.group.id",
      "transaction.timeout.ms", "kafka.transaction.timeout.ms",
      "transactional.id", "kafka.transactional.id.prefix"), "isolation.level");

  private TrainJobConfig(Map<String, Object> values, Map<String, String> flink, Map<String, String> kafkaProperties,
      LinkedHashMap<String, IgmConfig> models, Path root) {
    this.values = Collections.unmodifiableMap(values);
    this.flink = Collections.unmodifiableMap(flink);
    this.kafkaProperties = kafkaProperties;
    this.models = models;
    this.root = root;
  }

  /** Reads a YAML file and applies {@code key=value} overrides. */
  public static TrainJobConfig load(Path yaml, List<String> overrides) throws IOException {
    try (InputStream in = Files.newInputStream(yaml)) {
      Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      if (tree != null && !(tree instanceof Map)) {
        throw new IllegalArgumentException(yaml + ": the top level must be a map of settings");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = tree == null ? Map.of() : (Map<String, Object>) tree;
      try {
        return fromTree(map, overrides);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(yaml + ": " + e.getMessage(), e);
      }
    }
  }

  /** From a parsed YAML tree (nested maps allowed) and {@code key=value} overrides. */
  @SuppressWarnings("unchecked")
  public static TrainJobConfig fromTree(Map<String, Object> tree, List<String> overrides) {
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", tree, flat);
    List<Map<String, Object>> modelList = new ArrayList<>();
    Object models = flat.remove("models");
    if (models != null) {
      if (!(models instanceof List)) {
        throw new IllegalArgumentException("models must be a list of {id: ..., <model knobs>}");
      }
      for (Object o : (List<Object>) models) {
        if (!(o instanceof Map)) {
          throw new IllegalArgumentException("each entry of models must be a map with an id, got " + o);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        flatten("", (Map<String, Object>) o, m);
        modelList.add(m);
      }
    }
    for (String o : overrides == null ? List.<String>of() : overrides) {
      int eq = o.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("override '" + o + "' is not key=value");
      }
      String key = o.substring(0, eq).trim();
      // Kafka client properties are strings to Kafka: kept verbatim (a JAAS line is no YAML)
      Object value = key.startsWith(KAFKA_PROPERTIES) ? o.substring(eq + 1).trim() : parseValue(o.substring(eq + 1));
      if (key.startsWith("models.")) {
        String rest = key.substring("models.".length());
        int dot = rest.indexOf('.');
        String id = dot < 0 ? rest : rest.substring(0, dot);
        Map<String, Object> model = modelList.stream().filter(m -> id.equals(String.valueOf(m.get("id")))).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("override " + key + ": no model with id '" + id + "'"));
        if (dot < 0) {
          throw new IllegalArgumentException("override " + key + ": name a knob, e.g. models." + id + ".batch.size=32");
        }
        model.put(rest.substring(dot + 1), value);
      } else {
        flat.put(key, value);
      }
    }
    return build(flat, modelList);
  }

  private static Object parseValue(String text) {
    // YAML scalars, so that numbers, booleans and [lists] keep their types; anything else stays a string
    try {
      Object v = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
      return v == null ? null : v;
    } catch (RuntimeException e) {
      return text.trim();
    }
  }

  @SuppressWarnings("unchecked")
  private static void flatten(String prefix, Map<String, Object> in, Map<String, Object> out) {
    for (Map.Entry<String, Object> e : in.entrySet()) {
      String key = prefix + e.getKey();
      if (e.getValue() instanceof Map && !key.equals("models")) {
        flatten(key + ".", (Map<String, Object>) e.getValue(), out);
      } else {
        out.put(key, e.getValue());
      }
    }
  }

  private static TrainJobConfig build(Map<String, Object> flat, List<Map<String, Object>> modelList) {
    Path root = projectRoot();
    Map<String, Object> values = new LinkedHashMap<>(DEFAULTS);
    Map<String, String> flink = flinkDefaults();
    Map<String, String> kafkaProperties = new LinkedHashMap<>();
    Map<String, Object> defaults = new LinkedHashMap<>();
    Set<String> unknown = new TreeSet<>();
    for (Map.Entry<String, Object> e : flat.entrySet()) {
      String k = e.getKey();
      if (k.startsWith("flink.")) {
        flink.put(k.substring("flink.".length()), e.getValue() == null ? null : String.valueOf(e.getValue()));
      } else if (k.startsWith(KAFKA_PROPERTIES)) {
        if (e.getValue() != null) {
          kafkaProperties.put(k.substring(KAFKA_PROPERTIES.length()), String.valueOf(e.getValue()));
        }
      } else if (k.startsWith("model.defaults.")) {
        defaults.put(k.substring("model.defaults.".length()), e.getValue());
      } else if (DEFAULTS.containsKey(k)) {
        values.put(k, e.getValue());
      } else {
        unknown.add(k);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown setting(s) " + unknown + "; known: " + DEFAULTS.keySet()
          + ", flink.<any Flink key>, kafka.properties.<any Kafka client property>, model.defaults.<knob>, models");
    }
    flink.values().removeIf(v -> v == null);
    // paths: absolute, under the project root when relative
    for (String k : URI_KEYS) {
      if (flink.containsKey(k)) {
        flink.put(k, toUri(root, flink.get(k)));
      }
    }
    for (String k : DIR_KEYS) {
      if (flink.containsKey(k)) {
        flink.put(k, root.resolve(flink.get(k)).toAbsolutePath().normalize().toString());
      }
    }
    values.put("model.store", toUri(root, String.valueOf(values.get("model.store"))));

    if (modelList.isEmpty()) {
      throw new IllegalArgumentException("no models: add a list 'models: [{id: igm, method: igm}, ...]'");
    }
    LinkedHashMap<String, IgmConfig> models = new LinkedHashMap<>();
    for (Map<String, Object> m : modelList) {
      Object id = m.get("id");
      if (id == null || !String.valueOf(id).matches("[A-Za-z0-9_\\-]+")) {
        throw new IllegalArgumentException("every model needs an id of [A-Za-z0-9_-], got " + id);
      }
      Map<String, Object> knobs = new LinkedHashMap<>(defaults);
      m.forEach((k, v) -> {
        if (!k.equals("id")) {
          knobs.put(k, v);
        }
      });
      try {
        if (models.put(String.valueOf(id), IgmConfig.fromMap(knobs).build()) != null) {
          throw new IllegalArgumentException("model id '" + id + "' is used twice");
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("model " + id + ": " + e.getMessage(), e);
      }
    }
    Object file = values.get("kafka.properties-file");
    if (file != null && !String.valueOf(file).isBlank()) {
      Map<String, String> fromFile = KafkaClientProperties.load(root.resolve(String.valueOf(file).trim()));
      fromFile.putAll(kafkaProperties);
      kafkaProperties = fromFile;
    }
    TrainJobConfig c = new TrainJobConfig(values, flink,
        KafkaClientProperties.checked(kafkaProperties, MANAGED_KAFKA_PROPERTIES, KAFKA_PROPERTIES), models, root);
    c.validate();
    return c;
  }

  private void validate() {
    if (kafkaBootstrap() == null || kafkaBootstrap().isBlank()) {
      throw new IllegalArgumentException("kafka.bootstrap is required (host:port of a Kafka broker)");
    }
    target();
    embeddedBindAddress();
    embeddedMetricsPort();
    if (modelStoreKeep() < 0) {
      throw new IllegalArgumentException("model.store.keep must be >= 0 (0 keeps every version), got " + modelStoreKeep());
    }
    delivery();
    startingOffsets();
    if (target() == Target.REMOTE && jobManager() == null) {
      throw new IllegalArgumentException("target remote needs jobmanager: host:port");
    }
    if (target() == Target.REMOTE && embeddedMetricsPort() != null) {
      throw new IllegalArgumentException("embedded.metrics-port is for the embedded target; a remote cluster serves its"
          + " metrics with its own reporters (metrics.reporter.* in its configuration)");
    }
    if (snapshotEveryBatches() < 1 || metricsEveryBatches() < 1) {
      throw new IllegalArgumentException("snapshot.every.batches and metrics.every.batches must be >= 1");
    }
    if (blasThreads() < 0) {
      throw new IllegalArgumentException("blas.threads must be >= 0 (0: as OPENBLAS_NUM_THREADS says), got " + blasThreads());
    }
    if (maxTensorBytes() <= 0 || maxRecordBytes() <= 0) {
      throw new IllegalArgumentException("input.max.tensor.bytes and input.max.record.bytes must be positive");
    }
    IgmConfig first = models.values().iterator().next();
    for (Map.Entry<String, IgmConfig> e : models.entrySet()) {
      IgmConfig c = e.getValue();
      // one validator serves all models: they must agree on what a valid sample is
      if (!c.modalities().equals(first.modalities()) || c.numClasses() != first.numClasses()) {
        throw new IllegalArgumentException("model " + e.getKey() + " has other modalities or num.classes than model "
            + models.keySet().iterator().next() + "; models of one job train on one stream and must agree on them");
      }
      if (c.deterministic() && parallelism() != 1) {
        throw new IllegalArgumentException("model " + e.getKey() + " is deterministic: that needs parallelism 1 "
            + "(flink.parallelism.default) and a single-partition samples topic, so that samples keep their order");
      }
    }
    if (!"rocksdb".equalsIgnoreCase(flink.get("state.backend.type"))) {
      // allowed (e.g. hashmap for experiments), but not what production runs
      org.slf4j.LoggerFactory.getLogger(TrainJobConfig.class).warn("state.backend.type is {}, not rocksdb", flink.get("state.backend.type"));
    }
  }

  /** The job jar {@code mvn package} writes: what a remote cluster gets unless {@code remote.jars} says otherwise. */
  public static Path defaultJobJar(Path projectRoot) {
    return projectRoot.resolve("flink-jobs/target/igm-flink-jobs-job.jar");
  }

  /** {@code -Digm.project.root} (set by bin/igm), else the working directory. */
  public static Path projectRoot() {
    String p = System.getProperty("igm.project.root");
    return (p == null || p.isBlank() ? Paths.get("") : Paths.get(p)).toAbsolutePath().normalize();
  }

  private static String toUri(Path root, String value) {
    if (value.matches("^[A-Za-z][A-Za-z0-9+.-]*:/.*")) {
      return value; // has a scheme: file:/, s3://, hdfs://
    }
    return root.resolve(value).toAbsolutePath().normalize().toUri().toString();
  }

  // ------------------------------------------------------------------------------------------ accessors

  public String jobName() {
    return str("job.name");
  }

  public Target target() {
    return enumOf(Target.class, "target");
  }

  /** Where the embedded cluster's listeners (REST, blob server) bind; loopback unless the user exposes them. */
  public String embeddedBindAddress() {
    return EmbeddedFlink.checkBindAddress(String.valueOf(values.get("embedded.bind-address")));
  }

  /** The embedded cluster's Prometheus endpoint: a port or a range, or null for none. */
  public String embeddedMetricsPort() {
    Object v = values.get("embedded.metrics-port");
    return v == null || String.valueOf(v).isBlank() ? null : EmbeddedFlink.checkMetricsPort(String.valueOf(v));
  }

  public String jobManager() {
    return str("jobmanager");
  }

  /** Jars shipped to a remote cluster (the shaded job jar by default). */
  public List<String> remoteJars() {
    Object v = values.get("remote.jars");
    if (v == null) {
      return List.of(defaultJobJar(root).toString());
    }
    List<String> out = new ArrayList<>();
    for (Object o : v instanceof List ? (List<?>) v : List.of(String.valueOf(v).split(","))) {
      out.add(root.resolve(String.valueOf(o).trim()).toString());
    }
    return out;
  }

  public String kafkaBootstrap() {
    return str("kafka.bootstrap");
  }

  public String groupId() {
    return str("kafka.group.id");
  }

  public Delivery delivery() {
    return enumOf(Delivery.class, "kafka.delivery");
  }

  public String transactionalIdPrefix() {
    String p = str("kafka.transactional.id.prefix");
    return p == null ? groupId() : p;
  }

  public long transactionTimeoutMs() {
    return lng("kafka.transaction.timeout.ms");
  }

  public String samplesTopic() {
    return str("topics.samples");
  }

  public String dlqTopic() {
    return str("topics.dlq");
  }

  public String metricsTopic() {
    return str("topics.metrics");
  }

  public String predictionsTopic() {
    return str("topics.predictions");
  }

  public String modelsTopic() {
    return str("topics.models");
  }

  public boolean bounded() {
    return bool("input.bounded");
  }

  public StartingOffsets startingOffsets() {
    return enumOf(StartingOffsets.class, "input.starting.offsets");
  }

  public long maxTensorBytes() {
    return lng("input.max.tensor.bytes");
  }

  public long maxRecordBytes() {
    return lng("input.max.record.bytes");
  }

  public String modelStore() {
    return str("model.store");
  }

  /**
   * How many published versions of each model the model store keeps (the newest ones whose records are committed,
   * plus those a serving job has in service); 0 keeps every version.
   */
  public int modelStoreKeep() {
    return (int) lng("model.store.keep");
  }

  public int snapshotEveryBatches() {
    return (int) lng("snapshot.every.batches");
  }

  public int metricsEveryBatches() {
    return (int) lng("metrics.every.batches");
  }

  /**
   * OpenBLAS/LAPACK threads of the trainers (the T refresh's eigendecomposition). One by default: a trainer owns one
   * task slot, and a second BLAS thread competes with the job's other threads (source, sinks, Kafka clients) for the
   * same cores; its workers spin while they wait and the refresh stalls whenever one of them is descheduled.
   */
  public int blasThreads() {
    return (int) lng("blas.threads");
  }

  public long failAfterBatches() {
    return lng("debug.fail.after.batches");
  }

  public long batchDelayMillis() {
    return lng("debug.batch.delay.ms");
  }

  public int parallelism() {
    return Integer.parseInt(flink.get("parallelism.default"));
  }

  /** The models by id, in configuration order. */
  public Map<String, IgmConfig> models() {
    return Collections.unmodifiableMap(models);
  }

  /** Kafka client properties for the source's consumer and the sinks' producers ({@code kafka.properties.*}). */
  public Map<String, String> kafkaProperties() {
    return kafkaProperties;
  }

  /** The Flink configuration (defaults + {@code flink.*}), with paths made absolute. */
  public Map<String, String> flinkConfiguration() {
    return flink;
  }

  public String checkpointDir() {
    return flink.get("execution.checkpointing.dir");
  }

  public String restorePath() {
    return flink.get("execution.state-recovery.path");
  }

  /** Creates the local directories the job writes to (temp, RocksDB, file:// checkpoint dir and model store). */
  public void createLocalDirectories() throws IOException {
    for (String k : DIR_KEYS) {
      for (String d : flink.get(k).split("[,:]")) {
        if (!d.isBlank()) {
          Files.createDirectories(Paths.get(d));
        }
      }
    }
    for (String uri : List.of(checkpointDir(), modelStore())) {
      if (uri.startsWith("file:")) {
        Files.createDirectories(Paths.get(URI.create(uri)));
      }
    }
  }

  /** One line per setting, for the log. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    values.forEach((k, v) -> b.append("  ").append(k).append(" = ").append(v).append('\n'));
    flink.forEach((k, v) -> b.append("  flink.").append(k).append(" = ").append(v).append('\n'));
    models.forEach((id, c) -> b.append("  model ").append(id).append(": ").append(c.methodName())
        .append(", batch.size ").append(c.batchSize()).append(", deterministic ").append(c.deterministic()).append('\n'));
    return b.toString();
  }

  private String str(String key) {
    Object v = values.get(key);
    return v == null ? null : String.valueOf(v).trim();
  }

  private long lng(String key) {
    Object v = values.get(key);
    try {
      return v instanceof Number ? ((Number) v).longValue() : Long.parseLong(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'");
    }
  }

  private boolean bool(String key) {
    Object v = values.get(key);
    if (v instanceof Boolean) {
      return (Boolean) v;
    }
    String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
    if (!s.equals("true") && !s.equals("false")) {
      throw new IllegalArgumentException(key + " must be true or false, got '" + v + "'");
    }
    return Boolean.parseBoolean(s);
  }

  private <E extends Enum<E>> E enumOf(Class<E> type, String key) {
    String v = str(key);
    try {
      return Enum.valueOf(type, v.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(key + ": unknown value '" + v + "' (one of "
          + java.util.Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList() + ")");
    }
  }
}
