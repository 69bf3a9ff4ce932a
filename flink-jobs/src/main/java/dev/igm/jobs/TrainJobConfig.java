package dev.igm.jobs;

import dev.igm.core.config.ConfigProblems;
import dev.igm.core.config.DidYouMean;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.IgmSettings;
import dev.igm.core.config.Setting;
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
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The training job's configuration: one YAML file plus {@code --set key=value} overrides, validated
 * once into this immutable object. Nested YAML maps are flattened to dotted keys ({@code kafka:
 * {bootstrap: x}} is {@code kafka.bootstrap}); an unknown key is an error, so a typo never goes
 * unnoticed. Every problem of a configuration is reported at once ({@link ConfigProblems.Failure}),
 * an unknown key with the nearest known names.
 *
 * <ul>
 *   <li>{@code flink.<key>}: any Flink configuration key, passed through verbatim (defaults below:
 *       RocksDB, incremental, retained checkpoints, fixed-delay restarts, project-local temp and
 *       RocksDB dirs).
 *   <li>{@code kafka.properties.<key>}: any Kafka client property, given to the source's consumer
 *       and every sink's producer (security, SASL, timeouts, compression, {@code linger.ms} ...);
 *       the ones this job manages itself (servers, group, transactions, isolation, serializers) are
 *       refused with the setting to use instead. {@code kafka.properties-file}: a Java properties
 *       file of them (secrets stay out of the command line); a {@code kafka.properties.<key>} wins
 *       over the file's.
 *   <li>{@code model.defaults.<knob>}: model knobs shared by every model; {@code models}: a list of
 *       {@code {id, knobs}}. Override one model's knob with {@code models.<id>.<knob>=v}.
 * </ul>
 *
 * <p>Relative paths resolve against the project root ({@code -Digm.project.root}, set by {@code
 * bin/igm}) or the working directory.
 */
public final class TrainJobConfig {
  public enum Target {
    EMBEDDED,
    REMOTE
  }

  public enum Delivery {
    EXACTLY_ONCE,
    AT_LEAST_ONCE
  }

  public enum StartingOffsets {
    COMMITTED,
    EARLIEST,
    LATEST
  }

  private static final String KAFKA_PROPERTIES = "kafka.properties.";

  /** Flink settings this job relies on unless the configuration says otherwise. */
  private static Map<String, String> flinkDefaults() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("state.backend.type", "rocksdb");
    f.put("execution.checkpointing.dir", "var/checkpoints");
    f.put("execution.checkpointing.interval", "10s");
    f.put("execution.checkpointing.incremental", "true");
    f.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
    f.put("execution.checkpointing.mode", "EXACTLY_ONCE");
    // a training step costs milliseconds per record: an aligned barrier would wait behind every
    // sample already
    // buffered in the network (all of a replay, in tests); unaligned barriers overtake them and the
    // buffered
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

  private static final Set<String> URI_KEYS =
      Set.of("execution.checkpointing.dir", "execution.state-recovery.path");
  private static final Set<String> DIR_KEYS =
      Set.of("io.tmp.dirs", "state.backend.rocksdb.localdir");

  /** The job's own keys, parsed and checked ({@link JobSettings}); absent = not set. */
  private final Map<Setting<?>, Object> values;

  private final Map<String, String> flink;
  private final Map<String, String> kafkaProperties;
  private final LinkedHashMap<String, IgmConfig> models;
  private final Path root;

  /** Kafka client properties the training job sets itself, with the setting to use instead. */
  private static final Map<String, String> MANAGED_KAFKA_PROPERTIES =
      KafkaClientProperties.managed(
          Map.of(
              "bootstrap.servers", "kafka.bootstrap",
              "group.id", "kafka.group.id",
              "transaction.timeout.ms", "kafka.transaction.timeout.ms",
              "transactional.id", "kafka.transactional.id.prefix"),
          "isolation.level");

  private TrainJobConfig(
      Map<Setting<?>, Object> values,
      Map<String, String> flink,
      Map<String, String> kafkaProperties,
      LinkedHashMap<String, IgmConfig> models,
      Path root) {
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
      } catch (ConfigProblems.Failure e) {
        throw e.in(yaml.toString());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(yaml + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * From a parsed YAML tree (nested maps allowed) and {@code key=value} overrides; every problem at
   * once.
   */
  @SuppressWarnings("unchecked")
  public static TrainJobConfig fromTree(Map<String, Object> tree, List<String> overrides) {
    ConfigProblems problems = new ConfigProblems();
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", tree, flat);
    List<Map<String, Object>> modelList = new ArrayList<>();
    Object models = flat.remove("models");
    if (models != null) {
      if (!(models instanceof List)) {
        problems.add("models must be a list of {id: ..., <model knobs>}");
      } else {
        for (Object o : (List<Object>) models) {
          if (!(o instanceof Map)) {
            problems.add("each entry of models must be a map with an id, got " + o);
            continue;
          }
          Map<String, Object> m = new LinkedHashMap<>();
          flatten("", (Map<String, Object>) o, m);
          modelList.add(m);
        }
      }
    }
    Set<String> fromOverrides = new java.util.HashSet<>();
    for (String o : overrides == null ? List.<String>of() : overrides) {
      int eq = o.indexOf('=');
      if (eq <= 0) {
        problems.add("override '" + o + "' is not key=value");
        continue;
      }
      String key = o.substring(0, eq).trim();
      // Kafka client properties are strings to Kafka: kept verbatim (a JAAS line is no YAML)
      Object value =
          key.startsWith(KAFKA_PROPERTIES)
              ? o.substring(eq + 1).trim()
              : parseValue(o.substring(eq + 1));
      if (key.startsWith("models.")) {
        String rest = key.substring("models.".length());
        int dot = rest.indexOf('.');
        String id = dot < 0 ? rest : rest.substring(0, dot);
        Map<String, Object> model =
            modelList.stream()
                .filter(m -> id.equals(String.valueOf(m.get("id"))))
                .findFirst()
                .orElse(null);
        if (model == null) {
          List<String> ids = modelList.stream().map(m -> String.valueOf(m.get("id"))).toList();
          problems.add(
              "override " + key + ": no model with id '" + id + "'" + DidYouMean.hint(id, ids));
        } else if (dot < 0) {
          problems.add("override " + key + ": name a knob, e.g. models." + id + ".batch.size=32");
        } else {
          model.put(rest.substring(dot + 1), value);
        }
      } else {
        flat.put(key, value);
        fromOverrides.add(key);
      }
    }
    return build(flat, modelList, fromOverrides, problems);
  }

  private static Object parseValue(String text) {
    // YAML scalars, so that numbers, booleans and [lists] keep their types; anything else stays a
    // string
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

  private static TrainJobConfig build(
      Map<String, Object> flat,
      List<Map<String, Object>> modelList,
      Set<String> fromOverrides,
      ConfigProblems problems) {
    Path root = projectRoot();
    Map<Setting<?>, Object> values = new LinkedHashMap<>();
    Map<String, String> flink = flinkDefaults();
    Map<String, String> kafkaProperties = new LinkedHashMap<>();
    Map<String, Object> defaults = new LinkedHashMap<>();
    boolean unknownKeys = false;
    for (Map.Entry<String, Object> e : flat.entrySet()) {
      String k = e.getKey();
      String origin = fromOverrides.contains(k) ? "--set " : "";
      if (k.startsWith("flink.")) {
        flink.put(
            k.substring("flink.".length()),
            e.getValue() == null ? null : String.valueOf(e.getValue()));
      } else if (k.startsWith(KAFKA_PROPERTIES)) {
        if (e.getValue() != null) {
          kafkaProperties.put(k.substring(KAFKA_PROPERTIES.length()), String.valueOf(e.getValue()));
        }
      } else if (k.startsWith("model.defaults.")) {
        String knob = k.substring("model.defaults.".length());
        // checked here once, not once per model; a model gets the defaults that are valid
        try {
          checkKnob(IgmSettings.named(knob), e.getValue());
          defaults.put(knob, e.getValue());
        } catch (IllegalArgumentException ex) {
          problems.add(origin + k + ": " + ex.getMessage());
        }
      } else if (JobSettings.named(k) != null) {
        Setting<?> setting = JobSettings.named(k);
        if (e.getValue() != null) {
          problems.attempt(() -> values.put(setting, check(setting, setting.parse(e.getValue()))));
        }
      } else {
        unknownKeys = true;
        problems.add(
            "unknown setting '"
                + k
                + "'"
                + DidYouMean.hint(k, candidates(k))
                + (origin.isEmpty() ? "" : " (from --set)"));
      }
    }
    if (unknownKeys) {
      problems.note(
          "known settings: those of docs/CONFIGURATION.md, flink.<any Flink key>, kafka.properties.<any"
              + " Kafka client property>, model.defaults.<knob>, models");
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
    values.put(JobSettings.MODEL_STORE, toUri(root, get(values, JobSettings.MODEL_STORE)));

    if (modelList.isEmpty() && problems.isEmpty()) {
      problems.add("no models: add a list 'models: [{id: igm, method: igm}, ...]'");
    }
    LinkedHashMap<String, IgmConfig> models = new LinkedHashMap<>();
    for (Map<String, Object> m : modelList) {
      Object id = m.get("id");
      if (id == null || !String.valueOf(id).matches("[A-Za-z0-9_\\-]+")) {
        problems.add("every model needs an id of [A-Za-z0-9_-], got " + id);
        continue;
      }
      Map<String, Object> knobs = new LinkedHashMap<>(defaults);
      m.forEach(
          (k, v) -> {
            if (!k.equals("id")) {
              knobs.put(k, v);
            }
          });
      ConfigProblems modelProblems = new ConfigProblems();
      modelProblems.attempt(
          () -> {
            if (knobs.containsKey("mla.alpha") && knobs.containsKey("mla.batches-per-epoch")) {
              throw new IllegalArgumentException(
                  "mla.alpha (a constant alpha) and mla.batches-per-epoch (alpha by the"
                      + " batch of the epoch) exclude each other: give one");
            }
            if (models.put(String.valueOf(id), IgmConfig.fromMap(knobs).build()) != null) {
              throw new IllegalArgumentException("model id '" + id + "' is used twice");
            }
          });
      modelProblems.list().forEach(p -> problems.add("model " + id + ": " + p));
    }
    // a properties file first, the kafka.properties.<key> entries over it
    Map<String, String> clientProperties = new LinkedHashMap<>();
    String file = get(values, JobSettings.KAFKA_PROPERTIES_FILE);
    if (file != null && !file.isBlank()) {
      problems.attempt(
          () -> clientProperties.putAll(KafkaClientProperties.load(root.resolve(file.trim()))));
    }
    clientProperties.putAll(kafkaProperties);
    Map<String, String> checkedKafka = new LinkedHashMap<>();
    problems.attempt(
        () ->
            checkedKafka.putAll(
                KafkaClientProperties.checked(
                    clientProperties, MANAGED_KAFKA_PROPERTIES, KAFKA_PROPERTIES)));
    TrainJobConfig c =
        new TrainJobConfig(
            values, flink, java.util.Collections.unmodifiableMap(checkedKafka), models, root);
    c.validate(problems);
    problems.throwIfAny();
    return c;
  }

  /**
   * The names an unknown key may have meant: the job's keys, and the prefixed families with the
   * key's tail.
   */
  private static List<String> candidates(String key) {
    List<String> out = new ArrayList<>();
    for (Setting<?> s : JobSettings.ALL) {
      out.add(s.key());
    }
    out.add("models");
    for (String knob : IgmSettings.keys()) {
      out.add("model.defaults." + knob);
    }
    // a mistyped prefix: kafka.propertis.linger.ms may be kafka.properties.linger.ms
    for (int dot = key.indexOf('.'); dot > 0; dot = key.indexOf('.', dot + 1)) {
      String tail = key.substring(dot + 1);
      for (String prefix : List.of("flink.", KAFKA_PROPERTIES)) {
        out.add(prefix + tail);
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static <T> void checkKnob(Setting<T> s, Object raw) {
    if (raw != null) {
      s.validate(s.parse(raw));
    }
  }

  /** The checks across settings; their problems join those already found. */
  private void validate(ConfigProblems problems) {
    if (kafkaBootstrap() == null || kafkaBootstrap().isBlank()) {
      problems.add("kafka.bootstrap is required (host:port of a Kafka broker)");
    }
    if (target() == Target.REMOTE && jobManager() == null) {
      problems.add("target remote needs jobmanager: host:port");
    }
    if (target() == Target.EMBEDDED
        && (jobManager() != null || values.containsKey(JobSettings.REMOTE_JARS))) {
      problems.add(
          (jobManager() != null ? "jobmanager" : "remote.jars")
              + " is set, but target is embedded (a MiniCluster in this process): set target: remote, or drop it");
    }
    if (target() == Target.REMOTE && embeddedMetricsPort() != null) {
      problems.add(
          "embedded.metrics-port is for the embedded target; a remote cluster serves its metrics with its"
              + " own reporters (metrics.reporter.* in its configuration)");
    }
    int parallelism;
    try {
      parallelism = parallelism();
    } catch (NumberFormatException e) {
      problems.add(
          "flink.parallelism.default must be an integer, got '"
              + flink.get("parallelism.default")
              + "'");
      parallelism = 1;
    }
    IgmConfig first = models.isEmpty() ? null : models.values().iterator().next();
    for (Map.Entry<String, IgmConfig> e : models.entrySet()) {
      IgmConfig c = e.getValue();
      // one validator serves all models: they must agree on what a valid sample is
      if (!c.modalities().equals(first.modalities()) || c.numClasses() != first.numClasses()) {
        problems.add(
            "model "
                + e.getKey()
                + " has other modalities or num.classes than model "
                + models.keySet().iterator().next()
                + "; models of one job train on one stream and must agree on them");
      }
      if (c.deterministic() && parallelism != 1) {
        problems.add(
            "model "
                + e.getKey()
                + " is deterministic: that needs parallelism 1 "
                + "(flink.parallelism.default) and a single-partition samples topic, so that samples keep their order");
      }
    }
    if (!problems.isEmpty()) {
      return;
    }
    if (!"rocksdb".equalsIgnoreCase(flink.get("state.backend.type"))) {
      // allowed (e.g. hashmap for experiments), but not what production runs
      org.slf4j.LoggerFactory.getLogger(TrainJobConfig.class)
          .warn("state.backend.type is {}, not rocksdb", flink.get("state.backend.type"));
    }
  }

  /**
   * The job jar {@code mvn package} writes: what a remote cluster gets unless {@code remote.jars}
   * says otherwise.
   */
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

  // ------------------------------------------------------------------------------------------
  // accessors

  /** {@code relative} under the project root (the folder relative settings resolve against). */
  public Path projectPath(String relative) {
    return root.resolve(relative).toAbsolutePath().normalize();
  }

  public String jobName() {
    return get(JobSettings.JOB_NAME);
  }

  public Target target() {
    return get(JobSettings.TARGET);
  }

  /**
   * Where the embedded cluster's listeners (REST, blob server) bind; loopback unless the user
   * exposes them.
   */
  public String embeddedBindAddress() {
    return EmbeddedFlink.checkBindAddress(get(JobSettings.EMBEDDED_BIND_ADDRESS));
  }

  /** The embedded cluster's Prometheus endpoint: a port or a range, or null for none. */
  public String embeddedMetricsPort() {
    String v = get(JobSettings.EMBEDDED_METRICS_PORT);
    return v == null || v.isBlank() ? null : EmbeddedFlink.checkMetricsPort(v);
  }

  public String jobManager() {
    return get(JobSettings.JOBMANAGER);
  }

  /** Jars shipped to a remote cluster (the shaded job jar by default). */
  public List<String> remoteJars() {
    List<String> jars = get(JobSettings.REMOTE_JARS);
    if (jars == null) {
      return List.of(defaultJobJar(root).toString());
    }
    List<String> out = new ArrayList<>();
    for (String j : jars) {
      out.add(root.resolve(j).toString());
    }
    return out;
  }

  public String kafkaBootstrap() {
    return get(JobSettings.KAFKA_BOOTSTRAP);
  }

  public String groupId() {
    return get(JobSettings.GROUP_ID);
  }

  public Delivery delivery() {
    return get(JobSettings.DELIVERY);
  }

  public String transactionalIdPrefix() {
    String p = get(JobSettings.TRANSACTIONAL_ID_PREFIX);
    return p == null ? groupId() : p;
  }

  public long transactionTimeoutMs() {
    return get(JobSettings.TRANSACTION_TIMEOUT_MS);
  }

  public String samplesTopic() {
    return get(JobSettings.SAMPLES_TOPIC);
  }

  public String dlqTopic() {
    return get(JobSettings.DLQ_TOPIC);
  }

  public String metricsTopic() {
    return get(JobSettings.METRICS_TOPIC);
  }

  public String predictionsTopic() {
    return get(JobSettings.PREDICTIONS_TOPIC);
  }

  public String modelsTopic() {
    return get(JobSettings.MODELS_TOPIC);
  }

  public boolean bounded() {
    return get(JobSettings.BOUNDED);
  }

  public StartingOffsets startingOffsets() {
    return get(JobSettings.STARTING_OFFSETS);
  }

  public long maxTensorBytes() {
    return get(JobSettings.MAX_TENSOR_BYTES);
  }

  public long maxRecordBytes() {
    return get(JobSettings.MAX_RECORD_BYTES);
  }

  public String modelStore() {
    return get(JobSettings.MODEL_STORE);
  }

  /**
   * How many published versions of each model the model store keeps (the newest ones whose records
   * are committed, plus those a serving job has in service); 0 keeps every version.
   */
  public int modelStoreKeep() {
    return get(JobSettings.MODEL_STORE_KEEP);
  }

  public int snapshotEveryBatches() {
    return get(JobSettings.SNAPSHOT_EVERY_BATCHES);
  }

  public int metricsEveryBatches() {
    return get(JobSettings.METRICS_EVERY_BATCHES);
  }

  /**
   * OpenBLAS/LAPACK threads of the trainers (the T refresh's eigendecomposition); 0 leaves
   * OPENBLAS_NUM_THREADS. A trainer owns one task slot, and a second BLAS thread competes with the
   * job's other threads (source, sinks, Kafka clients) for the same cores; its workers spin while
   * they wait and the refresh stalls whenever one of them is descheduled.
   */
  public int blasThreads() {
    return get(JobSettings.BLAS_THREADS);
  }

  public long failAfterBatches() {
    return get(JobSettings.FAIL_AFTER_BATCHES);
  }

  public long batchDelayMillis() {
    return get(JobSettings.BATCH_DELAY_MS);
  }

  public int parallelism() {
    return Integer.parseInt(flink.get("parallelism.default"));
  }

  /** The models by id, in configuration order. */
  public Map<String, IgmConfig> models() {
    return Collections.unmodifiableMap(models);
  }

  /**
   * Kafka client properties for the source's consumer and the sinks' producers ({@code
   * kafka.properties.*}).
   */
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

  /**
   * Creates the local directories the job writes to (temp, RocksDB, file:// checkpoint dir and
   * model store).
   */
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
    for (Setting<?> st : JobSettings.ALL) {
      b.append("  ").append(st.key()).append(" = ").append(rendered(st)).append('\n');
    }
    flink.forEach((k, v) -> b.append("  flink.").append(k).append(" = ").append(v).append('\n'));
    models.forEach(
        (id, c) ->
            b.append("  model ")
                .append(id)
                .append(": ")
                .append(c.methodName())
                .append(", batch.size ")
                .append(c.batchSize())
                .append(", deterministic ")
                .append(c.deterministic())
                .append('\n'));
    return b.toString();
  }

  private <T> Object rendered(Setting<T> s) {
    return s.render(get(s));
  }

  private <T> T get(Setting<T> s) {
    return get(values, s);
  }

  @SuppressWarnings("unchecked")
  private static <T> T get(Map<Setting<?>, Object> values, Setting<T> s) {
    return values.containsKey(s) ? (T) values.get(s) : s.defaultValue();
  }

  @SuppressWarnings("unchecked")
  private static <T> Object check(Setting<T> s, Object value) {
    return s.validate((T) value);
  }
}
