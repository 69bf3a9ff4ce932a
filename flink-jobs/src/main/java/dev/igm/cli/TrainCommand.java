package dev.igm.cli;

import dev.igm.jobs.TrainJobConfig;
import dev.igm.jobs.TrainingJob;
import dev.igm.kafka.KafkaAccess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code igm train}: the streaming training job. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Trains one or more models continuously from the samples topic on Flink.",
      "",
      "Reads Avro MultimodalSample records from Kafka, validates them (bad records go to the dead-letter topic",
      "with a reason), trains each configured model side by side (one key per model), and writes predictions",
      "(VALID/TEST scored, TRAIN scored before training: prequential), TrainingMetrics, and ModelSnapshot",
      "records (the .safetensors file goes to the model store, the record carries its URI and sha256).",
      "",
      "State: each model's full trainer state is checkpointed to keyed state (RocksDB, incremental, retained on",
      "cancellation); outputs are Kafka transactions committed with the checkpoint (exactly-once; read them with",
      "isolation.level=read_committed). Restore with --restore <checkpoint or savepoint directory>.",
      "",
      "Configuration: one YAML file (see config/train-segment.yaml); nested keys flatten to dotted names.",
      "  kafka.bootstrap, kafka.group.id, kafka.delivery (exactly-once | at-least-once)",
      "  kafka.properties.<key>: any Kafka client property for the consumer and the producers,",
      "    e.g. kafka.properties.security.protocol: SASL_SSL (the ones the job manages are refused);",
      "    kafka.properties-file: a Java properties file of them (passwords stay off the command line)",
      "  topics.samples|dlq|metrics|predictions|models",
      "  input.bounded (stop at the latest offsets at start), input.starting.offsets (committed|earliest|latest)",
      "  model.store (any Flink file-system URI; relative = under the project), snapshot.every.batches,",
      "  model.store.keep (newest committed versions kept per model, plus those a serving job has in service;",
      "    default 10, 0 keeps all),",
      "  metrics.every.batches, blas.threads (OpenBLAS threads of the trainers; default 0 = OPENBLAS_NUM_THREADS),",
      "  target (embedded | remote), jobmanager (host:port), remote.jars,",
      "  embedded.bind-address (where the embedded cluster listens; default 127.0.0.1),",
      "  embedded.metrics-port (Prometheus endpoint of the embedded cluster; default none)",
      "  flink.<key>: any Flink setting, e.g. flink.execution.checkpointing.interval: 10s,",
      "    flink.execution.checkpointing.dir, flink.state.backend.type: rocksdb, flink.parallelism.default",
      "  model.defaults.<knob> and models: [{id: igm, method: igm, <knob>: ...}] (knobs as in igm fit)",
      "  A stream has no epochs: an MLA model uses the constant mla.alpha unless it sets mla.batches-per-epoch",
      "  (igm replay prints the TRAIN records per epoch), then alpha = 0.1^(1 + b/nb) with b the batch within it.",
      "  A restore continues each model with the settings it was checkpointed with: a model whose knobs differ",
      "  in the configuration is refused (use a new model id to train other settings).",
      "",
      "Examples:",
      "  igm train --config config/train-segment.yaml",
      "  igm train --config config/train-segment.yaml --set kafka.bootstrap=broker:9092 --set models.igm.batch.size=32",
      "  igm train --config job.yaml --restore var/checkpoints/<job-id>/chk-12",
      "  igm train --config job.yaml --target remote --jobmanager flink-jm:8081   (ships the shaded job jar)",
    })
public final class TrainCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "The job configuration (YAML).")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Overrides a setting (repeatable), e.g. --set input.bounded=true --set models.igm.lr=0.05.")
  List<String> overrides = new ArrayList<>();

  @Option(
      names = "--bounded",
      description = "Stop at the offsets that are latest when the job starts (input.bounded=true).")
  boolean bounded;

  @Option(
      names = "--restore",
      paramLabel = "PATH",
      description =
          "Restore from a retained checkpoint or savepoint (flink.execution.state-recovery.path).")
  String restore;

  @Option(
      names = "--target",
      paramLabel = "embedded|remote",
      description = "Where the job runs (default: embedded MiniCluster).")
  String target;

  @Option(
      names = "--jobmanager",
      paramLabel = "HOST:PORT",
      description = "The JobManager's REST address for --target remote.")
  String jobManager;

  @Option(
      names = "--no-progress",
      description =
          "No progress line (records read, percentage and ETA when bounded,"
              + " rate and lag otherwise).")
  boolean noProgress;

  @Mixin EmbeddedClusterOptions cluster = new EmbeddedClusterOptions();

  /**
   * Kafka client properties: {@code --kafka-property K=V} is {@code --set kafka.properties.K=V}.
   */
  @Mixin KafkaClientOptions kafka = new KafkaClientOptions();

  @Option(
      names = "--no-kafka-check",
      description =
          "Do not connect to Kafka before deploying the job (for a client that"
              + " cannot reach the brokers the cluster reaches); a refused password or certificate then shows in the job.")
  boolean noKafkaCheck;

  @Option(names = "--print-config", description = "Print the effective configuration and exit.")
  boolean printConfig;

  @Override
  public Integer call() throws Exception {
    TrainJobConfig job;
    try {
      job = TrainJobConfig.load(config, settings());
    } catch (IllegalArgumentException e) {
      System.err.println("igm train: " + e.getMessage());
      return 2;
    }
    if (cluster.webPort != null && job.target() == TrainJobConfig.Target.REMOTE) {
      System.err.println(
          "igm train: --web-port is for the embedded target; a remote cluster has its own web UI");
      return 2;
    }
    if (printConfig) {
      System.out.print(job.describe());
      return 0;
    }
    // credentials and certificates are checked before anything is deployed or written: a refusal
    // ends here
    if (!noKafkaCheck) {
      KafkaAccess.check(job.kafkaBootstrap(), job.kafkaProperties(), KafkaAccess.DEFAULT_TIMEOUT);
    }
    TrainingProgress[] progress = new TrainingProgress[1];
    try {
      TrainingJob.run(
          job, client -> progress[0] = noProgress ? null : TrainingProgress.start(job, client));
    } finally {
      if (progress[0] != null) {
        progress[0].close();
      }
    }
    return 0;
  }

  /**
   * The {@code --set} overrides plus those the other options stand for, in the job configuration's
   * keys.
   */
  List<String> settings() {
    List<String> all = new ArrayList<>(overrides);
    if (bounded) {
      add(all, "--bounded", "input.bounded", "true");
    }
    if (restore != null) {
      add(all, "--restore", "flink.execution.state-recovery.path", restore);
    }
    if (target != null) {
      add(all, "--target", "target", target);
    }
    if (jobManager != null) {
      add(all, "--jobmanager", "jobmanager", jobManager);
    }
    for (EmbeddedClusterOptions.JobSetting s : cluster.jobSettings()) {
      add(all, s.option(), s.key(), s.value());
    }
    if (kafka.file != null) {
      add(
          all,
          "--kafka-properties-file",
          "kafka.properties-file",
          kafka.file.toAbsolutePath().toString());
    }
    kafka.properties.forEach((k, v) -> add(all, "--kafka-property", "kafka.properties." + k, v));
    return all;
  }

  /**
   * Adds the setting an option stands for; the same setting also given with --set is a conflict,
   * not an override.
   */
  private void add(List<String> all, String option, String key, String value) {
    for (String o : overrides) {
      if (o.startsWith(key + "=")) {
        throw new IllegalArgumentException(
            option + " and --set " + o + " both set " + key + "; give it once");
      }
    }
    all.add(key + "=" + value);
  }
}
