package dev.igm.cli;

import dev.igm.core.serve.BatchingPolicy;
import dev.igm.core.serve.ModelStoreRoot;
import dev.igm.core.serve.QualityGate;
import dev.igm.core.serve.ServingPolicy;
import dev.igm.jobs.ServingJob;
import dev.igm.jobs.ServingJobOptions;
import dev.igm.jobs.TrainJobConfig;
import dev.igm.kafka.KafkaPreflight;
import dev.igm.local.EmbeddedFlink;
import dev.igm.local.RunScratch;
import dev.igm.local.ShutdownActions;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code igm serve}: the model-serving job. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Scores a stream of samples with the newest published version of each served model.",
      "",
      "Scores a stream of MultimodalSample records with the newest published version of each served model and "
          + "writes Prediction records tagged with the model id and version.",
      "",
      "Model versions arrive as ModelSnapshot records on the models topic (read from its beginning). Every parallel "
          + "instance fetches the snapshot file named by the record's URI through Flink's file systems (file://, "
          + "s3://, ...), checks its SHA-256 and swaps it in without a restart. A version is ignored unless it is "
          + "newer than the one in service. A missing or corrupt file, or a version the quality gate refuses, keeps "
          + "the current version in service and is reported on the dead-letter topic (with the reason), in the log "
          + "and in the Flink metrics (group igm_serving).",
      "",
      "Samples that arrive before a model's first version are held (bounded) and scored when it arrives, or "
          + "rejected to the dead-letter topic (--before-first-model). Runs until cancelled (Ctrl-C for the "
          + "embedded target).",
      "",
      "Samples are scored in micro-batches: a batch is scored when it holds --batch-size samples, as soon as no more "
          + "samples are waiting in the input (a lone sample is scored at once), when its oldest sample has waited "
          + "--batch-delay, and before a new model version, a checkpoint or a watermark is processed; every sample "
          + "is scored by the version in service when it arrived. A sample that cannot be scored goes to the "
          + "dead-letter topic without affecting the others in its batch.",
      "",
      "Only snapshot files under --model-store-root are loaded: a version whose URI points elsewhere (another "
          + "directory, another file system, a '..' segment, a symbolic link out of the store) is refused to the "
          + "dead-letter topic and the current version stays in service.",
      ""
    })
public final class ServeCommand implements Callable<Integer> {
  enum Target {
    EMBEDDED,
    REMOTE
  }

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      defaultValue = "${env:KAFKA_BOOTSTRAP:-127.0.0.1:9092}",
      description =
          "Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP, else 127.0.0.1:9092, the local broker of deploy/local/kafka.sh; now ${DEFAULT-VALUE}).")
  String bootstrap;

  @Option(
      names = "--samples-topic",
      defaultValue = "igm.samples",
      description = "Topic of the samples to score. Default: ${DEFAULT-VALUE}.")
  String samplesTopic;

  @Option(
      names = "--models-topic",
      defaultValue = "igm.models",
      description = "Topic of the published model versions. Default: ${DEFAULT-VALUE}.")
  String modelsTopic;

  @Option(
      names = "--predictions-topic",
      defaultValue = "igm.predictions",
      description = "Topic the predictions go to. Default: ${DEFAULT-VALUE}.")
  String predictionsTopic;

  @Option(
      names = "--dlq-topic",
      defaultValue = "igm.serve.dlq",
      description =
          "Dead-letter topic (unusable samples, refused versions). Default: ${DEFAULT-VALUE}.")
  String dlqTopic;

  @Option(
      names = {"-m", "--model"},
      required = true,
      split = ",",
      paramLabel = "ID",
      description =
          "Model id(s) to serve (repeat or comma-separate); each sample gets one prediction per model.")
  List<String> models;

  @Option(
      names = {"-p", "--parallelism"},
      defaultValue = "1",
      description =
          "Parallel scoring instances (each loads every served model once). Default: ${DEFAULT-VALUE}.")
  int parallelism;

  @Option(
      names = "--before-first-model",
      defaultValue = "hold",
      paramLabel = "hold|reject",
      description =
          "Samples that arrive before a model's first version: hold (and score when it arrives) or reject to the dead-letter topic. Default: ${DEFAULT-VALUE}.")
  ServingPolicy.BeforeFirstModel beforeFirstModel;

  @Option(
      names = "--hold-capacity",
      defaultValue = "10000",
      description =
          "Samples held at most per parallel instance; beyond it they are dead-lettered. Default: ${DEFAULT-VALUE}.")
  int holdCapacity;

  @Option(
      names = "--gate-metric",
      paramLabel = "KEY",
      description =
          "Enables the quality gate on this ModelSnapshot.metrics key (higher is better), e.g. valid.fused.acc: a new version is refused if it is worse than the current one by more than --gate-margin.")
  String gateMetric;

  @Option(
      names = "--gate-margin",
      defaultValue = "0",
      description =
          "How much worse (absolute) a new version's metric may be and still replace the current one. Default: ${DEFAULT-VALUE}.")
  double gateMargin;

  @Option(
      names = "--model-store-root",
      defaultValue = "var/models",
      paramLabel = "URI|PATH",
      description =
          "The model store the snapshot files must lie under: a URI (file:/srv/models, s3://bucket/models) or a "
              + "local path, relative to the project root like the training job's model.store. Use the training job's "
              + "model.store. Default: ${DEFAULT-VALUE} (the training job's default).")
  String modelStoreRoot;

  @Option(
      names = "--batch-size",
      defaultValue = "256",
      paramLabel = "N",
      description =
          "Most samples scored in one pass; 1 scores every sample on its own. Models with a resnet18 encoder "
              + "need native memory for a batch's activations: use 16-32 for them. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(
      names = "--batch-delay",
      defaultValue = "10ms",
      paramLabel = "DURATION",
      description =
          "Longest a sample waits for its batch to fill while more samples keep arriving (a batch is scored "
              + "at once when the input has no more waiting). Default: ${DEFAULT-VALUE}.")
  String batchDelay;

  @Option(
      names = "--group-id",
      defaultValue = "igm-serve",
      description = "Consumer group of the samples source. Default: ${DEFAULT-VALUE}.")
  String groupId;

  /**
   * Kafka client properties for the job's consumers and producers; the ones the job sets itself are
   * refused.
   */
  @Mixin KafkaClientOptions kafka = new KafkaClientOptions();

  @Option(
      names = "--no-kafka-check",
      description =
          "Do not connect to Kafka before deploying the job (for a client that"
              + " cannot reach the brokers the cluster reaches); a refused password or certificate then shows in the job.")
  boolean noKafkaCheck;

  @Option(
      names = "--samples-from",
      defaultValue = "committed",
      paramLabel = "committed|earliest|latest",
      description =
          "Where a start without a checkpoint reads the samples topic from (committed: the group's offsets, else the beginning). Default: ${DEFAULT-VALUE}.")
  ServingJobOptions.StartFrom samplesFrom;

  @Option(
      names = "--checkpoint-interval",
      defaultValue = "10s",
      paramLabel = "DURATION",
      description =
          "Checkpoint interval (e.g. 10s, 500ms, 0 to disable); checkpoints commit the samples offsets and keep the held samples and the versions in service. Default: ${DEFAULT-VALUE}.")
  String checkpointInterval;

  @Option(
      names = "--buffer-timeout",
      defaultValue = "5ms",
      paramLabel = "DURATION",
      description =
          "Longest wait of a network buffer before it is sent (Flink's default, 100ms, adds ~50 ms median latency; 0 sends every record at once). Default: ${DEFAULT-VALUE}.")
  String bufferTimeout;

  @Option(
      names = "--target",
      defaultValue = "embedded",
      paramLabel = "embedded|remote",
      description =
          "embedded: a Flink mini cluster in this process; remote: submit to the cluster at --jobmanager. Default: ${DEFAULT-VALUE}.")
  Target target;

  @Option(
      names = "--jobmanager",
      paramLabel = "HOST:PORT",
      description = "REST address of the Flink cluster (remote target), e.g. localhost:8081.")
  String jobmanager;

  @Option(
      names = "--job-jar",
      paramLabel = "JAR",
      split = ",",
      description =
          "Jar(s) shipped to a remote cluster (remote target): this product's classes and the dependencies the cluster lacks. Default: flink-jobs/target/igm-flink-jobs-job.jar (written by mvn package).")
  List<File> jobJars;

  @Mixin EmbeddedClusterOptions cluster = new EmbeddedClusterOptions();

  @Option(
      names = "--tmp-dir",
      defaultValue = "var/tmp/flink",
      description = "Flink's io.tmp.dirs for the embedded target. Default: ${DEFAULT-VALUE}.")
  Path tmpDir;

  @Option(
      names = "--wait-for-topics",
      defaultValue = "10m",
      paramLabel = "DURATION",
      description =
          "How long to wait for the samples and models topics to exist (the training job creates the models"
              + " topic with its first version) before giving up; 0 = do not wait. Default: ${DEFAULT-VALUE}.")
  String waitForTopics;

  @Override
  public Integer call() throws Exception {
    checkOptions();
    ServingJobOptions options = options();
    // the broker answers, accepts the credentials and certificates, and has the topics: else one
    // line, and nothing
    // is deployed
    if (!noKafkaCheck && !topicsReady(options.kafkaProperties())) {
      return 1;
    }
    System.err.printf(
        "igm serve: %s -> %s (models %s from %s, store %s, parallelism %d, batches of up to %d / %s,"
            + " target %s)%n",
        samplesTopic,
        predictionsTopic,
        models,
        modelsTopic,
        options.policy().store(),
        parallelism,
        options.batching().maxRecords(),
        options.batching().maxDelay().toMillis() + " ms",
        target.name().toLowerCase());
    if (target != Target.EMBEDDED) {
      StreamExecutionEnvironment env = remoteEnvironment();
      ServingJob.build(env, options);
      env.execute(ServingJob.jobName(groupId));
      return 0;
    }
    try (RunScratch scratch = RunScratch.under(TrainJobConfig.projectRoot().resolve(tmpDir))) {
      StreamExecutionEnvironment env =
          embeddedEnvironment(
              parallelism,
              scratch.dir(),
              cluster.bindAddress,
              cluster.webPort,
              cluster.metricsPort);
      ServingJob.build(env, options);
      JobClient job = env.executeAsync(ServingJob.jobName(groupId));
      try (ShutdownActions.Registration cancel =
          ShutdownActions.register("cancel the serving job", () -> cancel(job))) {
        job.getJobExecutionResult().get();
      }
    }
    return 0;
  }

  /**
   * The broker answers and the topics exist: one line saying what is missing instead of a job that
   * restarts forever (a source on a missing topic fails, and every restart logs the Kafka client's
   * errors).
   */
  private boolean topicsReady(java.util.Map<String, String> kafkaProperties)
      throws InterruptedException {
    Duration patience = parseDuration(waitForTopics);
    KafkaPreflight.topics(
        bootstrap, kafkaProperties, Duration.ofSeconds(15)); // unreachable: one line, exit 1
    Set<String> missing =
        KafkaPreflight.awaitTopics(
            bootstrap,
            kafkaProperties,
            List.of(samplesTopic, modelsTopic),
            patience,
            Duration.ofSeconds(5),
            line -> System.err.println("igm serve: " + line));
    if (!missing.isEmpty()) {
      System.err.println(
          "igm serve: topic"
              + (missing.size() > 1 ? "s " : " ")
              + String.join(", ", missing)
              + " still missing on "
              + bootstrap
              + " after "
              + waitForTopics
              + "; start the training job (it creates "
              + modelsTopic
              + ") and the replay, or name the topics with --samples-topic / --models-topic");
      return false;
    }
    return true;
  }

  private static void cancel(JobClient job) {
    try {
      job.cancel().get(30, TimeUnit.SECONDS);
      job.getJobExecutionResult().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the JVM is going down; nothing more to do
    }
  }

  /** Refuses options that would not take effect with the others given. */
  void checkOptions() {
    if (matched("--gate-margin") && (gateMetric == null || gateMetric.isBlank())) {
      throw new IllegalArgumentException(
          "--gate-margin belongs to the quality gate: add --gate-metric KEY, or drop it");
    }
    if (matched("--hold-capacity") && beforeFirstModel == ServingPolicy.BeforeFirstModel.REJECT) {
      throw new IllegalArgumentException(
          "--hold-capacity sizes the hold of --before-first-model hold; with reject"
              + " nothing is held");
    }
    if (target == Target.EMBEDDED) {
      for (String option : List.of("--jobmanager", "--job-jar")) {
        if (matched(option)) {
          throw new IllegalArgumentException(
              option + " is for --target remote; the embedded target runs here");
        }
      }
    } else if (matched("--tmp-dir")) {
      throw new IllegalArgumentException(
          "--tmp-dir is the embedded target's temp folder; a remote cluster has its own");
    } else if (cluster.anyGiven()) {
      throw new IllegalArgumentException(
          "--bind-address, --web-port and --metrics-port are for the embedded target;"
              + " a remote cluster has its own listeners, web UI and metrics reporters");
    }
  }

  private boolean matched(String option) {
    return spec != null
        && spec.commandLine().getParseResult() != null
        && spec.commandLine().getParseResult().hasMatchedOption(option);
  }

  ServingJobOptions options() {
    QualityGate gate =
        gateMetric == null || gateMetric.isBlank()
            ? QualityGate.OFF
            : new QualityGate(gateMetric, gateMargin);
    ModelStoreRoot store = ModelStoreRoot.of(modelStoreRoot, TrainJobConfig.projectRoot());
    ServingPolicy policy = new ServingPolicy(models, beforeFirstModel, holdCapacity, gate, store);
    BatchingPolicy batching = new BatchingPolicy(batchSize, parseDuration(batchDelay));
    return new ServingJobOptions(
        bootstrap,
        samplesTopic,
        modelsTopic,
        predictionsTopic,
        dlqTopic,
        groupId,
        samplesFrom,
        parallelism,
        parseDuration(checkpointInterval),
        parseDuration(bufferTimeout),
        policy,
        kafka.resolve(),
        batching);
  }

  private StreamExecutionEnvironment remoteEnvironment() throws Exception {
    Configuration conf = new Configuration();
    if (jobmanager == null || !jobmanager.matches("[^:]+:\\d+")) {
      throw new IllegalArgumentException(
          "--target remote needs --jobmanager HOST:PORT (the cluster's REST address)");
    }
    List<File> shipped =
        jobJars == null || jobJars.isEmpty()
            ? List.of(TrainJobConfig.defaultJobJar(TrainJobConfig.projectRoot()).toFile())
            : jobJars;
    for (File jar : shipped) {
      if (!jar.isFile()) {
        throw new IllegalArgumentException(
            "job jar " + jar + " not found (mvn package writes it; or pass --job-jar)");
      }
    }
    String[] hostPort = jobmanager.split(":");
    String[] jars = shipped.stream().map(File::getAbsolutePath).toArray(String[]::new);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createRemoteEnvironment(
            hostPort[0], Integer.parseInt(hostPort[1]), conf, jars);
    env.setParallelism(parallelism);
    return env;
  }

  /**
   * The serving job's embedded MiniCluster: {@code parallelism} slots, Flink's temporary files
   * under {@code tmpDir}, listeners on {@code bindAddress} (null: loopback).
   */
  public static StreamExecutionEnvironment embeddedEnvironment(
      int parallelism, Path tmpDir, String bindAddress) throws IOException {
    return embeddedEnvironment(parallelism, tmpDir, bindAddress, null, null);
  }

  /**
   * As {@link #embeddedEnvironment(int, Path, String)}, with the web UI on {@code webPort} (null: a
   * free port) and a Prometheus endpoint on {@code metricsPort} (null: none); prints both URLs.
   */
  public static StreamExecutionEnvironment embeddedEnvironment(
      int parallelism, Path tmpDir, String bindAddress, Integer webPort, String metricsPort)
      throws IOException {
    Configuration conf = new Configuration();
    Files.createDirectories(tmpDir);
    conf.set(CoreOptions.TMP_DIRS, tmpDir.toAbsolutePath().toString());
    if (webPort != null) {
      conf.setString("rest.bind-port", Integer.toString(webPort));
      conf.setString("rest.port", Integer.toString(webPort));
    }
    EmbeddedFlink.bind(conf, EmbeddedFlink.checkBindAddress(bindAddress));
    if (metricsPort != null) {
      EmbeddedFlink.prometheus(conf, metricsPort);
    }
    EmbeddedFlink.announce("igm serve", conf);
    return StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
  }

  /** {@code 10s}, {@code 500ms}, {@code 2m}, {@code 0}. */
  static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase();
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    var m = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m|h)").matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a duration: '" + text + "' (e.g. 10s, 500ms, 2m, 0)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
