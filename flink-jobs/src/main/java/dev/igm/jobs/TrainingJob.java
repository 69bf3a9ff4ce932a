package dev.igm.jobs;

import dev.igm.avro.DeadLetter;
import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.Prediction;
import dev.igm.avro.TrainingMetrics;
import dev.igm.flink.DecodeValidateFunction;
import dev.igm.flink.ModelRegistry;
import dev.igm.flink.ModelSample;
import dev.igm.flink.RawRecord;
import dev.igm.flink.TrainerOperator;
import dev.igm.flink.TrainerSettings;
import dev.igm.local.EmbeddedFlink;
import dev.igm.local.EmbeddedScratch;
import dev.igm.local.ShutdownActions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming training job:
 *
 * <pre>
 * KafkaSource(samples, raw bytes + offsets) → decode+validate ─┬─ dead letters → dlq topic
 *                                                              └─ one copy per model → keyBy(modelId) → trainer
 * trainer → predictions topic; side outputs → metrics topic, models topic (+ .safetensors files in the model store)
 * </pre>
 *
 * <p><b>Delivery.</b> Exactly-once by default: the source's offsets and the trainers are
 * checkpointed together, and all four sinks write in Kafka transactions committed when a checkpoint
 * completes, so a consumer reading with {@code isolation.level=read_committed} sees every
 * prediction, metrics record, model version and dead letter once, also across failures. The price
 * is latency: output becomes visible at checkpoint completion. {@code kafka.delivery:
 * at-least-once} trades that for immediacy; consumers then de-duplicate by (sampleId, modelId,
 * modelVersion) or (modelId, version), which are stable across replays in deterministic mode.
 */
public final class TrainingJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingJob.class);

  /** The trainer operator's name: its task thread is called {@code "train (i/n)#attempt"}. */
  public static final String TRAINER_NAME = "train";

  static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));
  static final OutputTag<TrainingMetrics> METRICS =
      new OutputTag<>("metrics", new AvroTypeInfo<>(TrainingMetrics.class));
  static final OutputTag<ModelSnapshot> MODELS =
      new OutputTag<>("models", new AvroTypeInfo<>(ModelSnapshot.class));

  private TrainingJob() {}

  /** Runs the job to completion (a bounded input) or until it is cancelled; blocks. */
  public static JobExecutionResult run(TrainJobConfig config) throws Exception {
    return run(config, client -> {});
  }

  /**
   * {@link #run(TrainJobConfig)}, handing the job's client to {@code onSubmitted} once the embedded
   * cluster runs it (a progress line reads its accumulators); not called for a remote or detached
   * submission.
   */
  public static JobExecutionResult run(TrainJobConfig config, Consumer<JobClient> onSubmitted)
      throws Exception {
    if (!embedded(config)) {
      StreamExecutionEnvironment env = environment(config);
      build(env, config);
      logStart(config);
      JobExecutionResult result = env.execute(config.jobName());
      if (result.isJobExecutionResult()) {
        LOG.info("Job {} finished in {} ms", config.jobName(), result.getNetRuntime());
      } else {
        // detached submission (flink run -d, the REST API, application mode): the job runs on,
        // without us
        LOG.info("Job {} submitted as {} (detached)", config.jobName(), result.getJobID());
      }
      return result;
    }
    JobClient client = start(config);
    onSubmitted.accept(client);
    // Ctrl-C / SIGTERM: cancel the job (its latest checkpoint is retained for --restore) before the
    // run's folders go
    try (ShutdownActions.Registration cancel =
        ShutdownActions.register("cancel " + config.jobName(), () -> cancel(client))) {
      JobExecutionResult result = client.getJobExecutionResult().get();
      LOG.info("Job {} finished in {} ms", config.jobName(), result.getNetRuntime());
      return result;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /**
   * Submits the job and returns at once (tests cancel it through the client). On the embedded
   * cluster, the run's temporary folders are deleted when the job ends (or the JVM does).
   */
  public static JobClient start(TrainJobConfig config) throws Exception {
    EmbeddedScratch scratch = EmbeddedScratch.none();
    try {
      Configuration flink = flinkConfiguration(config);
      if (embedded(config)) {
        scratch = EmbeddedScratch.apply(flink, config.projectPath("var"));
      }
      StreamExecutionEnvironment env = environment(config, flink);
      build(env, config);
      logStart(config);
      if (embedded(config)) {
        EmbeddedFlink.announce("igm train", flink);
      }
      JobClient client = env.executeAsync(config.jobName());
      LOG.info("Job {} submitted as {}", config.jobName(), client.getJobID());
      EmbeddedScratch owned = scratch;
      client.getJobExecutionResult().whenComplete((r, e) -> owned.close());
      return client;
    } catch (Exception | Error e) {
      scratch.close();
      throw e;
    }
  }

  private static void cancel(JobClient client) {
    try {
      client.cancel().get(30, TimeUnit.SECONDS);
      client.getJobExecutionResult().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
      LOG.info("Job {} cancelled", client.getJobID());
    } catch (Exception e) {
      LOG.warn("Cancelling job {} failed", client.getJobID(), e);
    }
  }

  /**
   * Whether the job runs on a MiniCluster in this JVM (not a remote one, not inside Flink's program
   * runner).
   */
  private static boolean embedded(TrainJobConfig config) {
    return config.target() == TrainJobConfig.Target.EMBEDDED && !EmbeddedFlink.insideFlinkProgram();
  }

  private static void logStart(TrainJobConfig config) {
    LOG.info(
        "Starting training job '{}' on {} ({} models: {}), reading {} from {}, {}{}",
        config.jobName(),
        config.target() == TrainJobConfig.Target.REMOTE
            ? config.jobManager()
            : "an embedded MiniCluster",
        config.models().size(),
        config.models().keySet(),
        config.samplesTopic(),
        config.kafkaBootstrap(),
        config.bounded() ? "bounded (stops at the offsets that are latest at start)" : "unbounded",
        config.restorePath() == null ? "" : ", restoring from " + config.restorePath());
    LOG.debug("Configuration:\n{}", config.describe());
  }

  /**
   * The execution environment: embedded MiniCluster (default) or a remote JobManager, with the
   * job's Flink settings.
   */
  public static StreamExecutionEnvironment environment(TrainJobConfig config) throws Exception {
    return environment(config, flinkConfiguration(config));
  }

  /**
   * The job's Flink settings; for the embedded cluster, listeners on the configured bind address
   * (loopback).
   */
  public static Configuration flinkConfiguration(TrainJobConfig config) throws IOException {
    config.createLocalDirectories();
    Configuration flink = Configuration.fromMap(config.flinkConfiguration());
    if (config.target() == TrainJobConfig.Target.REMOTE) {
      return flink;
    }
    EmbeddedFlink.bind(flink, config.embeddedBindAddress());
    if (config.embeddedMetricsPort() != null) {
      EmbeddedFlink.prometheus(flink, config.embeddedMetricsPort());
    }
    return flink;
  }

  private static StreamExecutionEnvironment environment(
      TrainJobConfig config, Configuration flink) {
    if (config.target() == TrainJobConfig.Target.REMOTE) {
      String[] hp = config.jobManager().split(":");
      if (hp.length != 2) {
        throw new IllegalArgumentException(
            "jobmanager must be host:port, got " + config.jobManager());
      }
      return StreamExecutionEnvironment.createRemoteEnvironment(
          hp[0], Integer.parseInt(hp[1]), flink, config.remoteJars().toArray(String[]::new));
    }
    return StreamExecutionEnvironment.getExecutionEnvironment(flink);
  }

  /** Adds the job graph to {@code env}. */
  public static void build(StreamExecutionEnvironment env, TrainJobConfig config) {
    ModelRegistry models = new ModelRegistry(config.models());
    TrainerSettings settings =
        new TrainerSettings(
            config.snapshotEveryBatches(),
            config.metricsEveryBatches(),
            config.modelStore(),
            config.modelStoreKeep(),
            config.failAfterBatches(),
            config.batchDelayMillis(),
            config.blasThreads());

    DataStream<RawRecord> raw =
        env.fromSource(
                new RestoredBoundedKafkaSource<>(source(config)),
                WatermarkStrategy.noWatermarks(),
                "kafka: " + config.samplesTopic())
            .uid("samples-source");

    SingleOutputStreamOperator<ModelSample> valid =
        raw.process(
                new DecodeValidateFunction(
                    models, config.maxTensorBytes(), config.maxRecordBytes(), DEAD_LETTERS),
                TypeInformation.of(ModelSample.class))
            .name("decode+validate")
            .uid("decode-validate");
    valid
        .getSideOutput(DEAD_LETTERS)
        .sinkTo(sink(config, "dlq", config.dlqTopic(), DeadLetter.class, d -> bytes(d.getRawKey())))
        .name("kafka: " + config.dlqTopic())
        .uid("dlq-sink");

    SingleOutputStreamOperator<Prediction> predictions =
        valid
            .keyBy((KeySelector<ModelSample, String>) s -> s.modelId, Types.STRING)
            .transform(
                TRAINER_NAME,
                new AvroTypeInfo<>(Prediction.class),
                new TrainerOperator(models, settings, METRICS, MODELS))
            .uid("trainer");
    // The trainer's sinks run in tasks of their own, not chained to the trainer: an exactly-once
    // Kafka writer blocks
    // its thread at every checkpoint (flush, then initTransactions for the next transaction: broker
    // round trips) and
    // its committer blocks on commitTransaction; chained, three of them stalled training at each
    // checkpoint.
    predictions
        .sinkTo(
            sink(
                config,
                "predictions",
                config.predictionsTopic(),
                Prediction.class,
                p -> utf8(p.getSampleId())))
        .name("kafka: " + config.predictionsTopic())
        .uid("predictions-sink")
        .disableChaining();
    predictions
        .getSideOutput(METRICS)
        .sinkTo(
            sink(
                config,
                "metrics",
                config.metricsTopic(),
                TrainingMetrics.class,
                m -> utf8(m.getModelId())))
        .name("kafka: " + config.metricsTopic())
        .uid("metrics-sink")
        .disableChaining();
    predictions
        .getSideOutput(MODELS)
        .sinkTo(
            sink(
                config,
                "models",
                config.modelsTopic(),
                ModelSnapshot.class,
                m -> utf8(m.getModelId())))
        .name("kafka: " + config.modelsTopic())
        .uid("models-sink")
        .disableChaining();
  }

  static KafkaSource<RawRecord> source(TrainJobConfig config) {
    KafkaSourceBuilder<RawRecord> b =
        KafkaSource.<RawRecord>builder()
            .setBootstrapServers(config.kafkaBootstrap())
            .setTopics(config.samplesTopic())
            .setGroupId(config.groupId())
            .setDeserializer(new RawRecordDeserializer())
            // only committed replays: a transactional producer's aborted records must never be
            // trained on
            .setProperty("isolation.level", "read_committed");
    switch (config.startingOffsets()) {
      case EARLIEST:
        b.setStartingOffsets(OffsetsInitializer.earliest());
        break;
      case LATEST:
        b.setStartingOffsets(OffsetsInitializer.latest());
        break;
      default:
        b.setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
    }
    if (config.bounded()) {
      b.setBounded(OffsetsInitializer.latest());
    }
    config
        .kafkaProperties()
        .forEach(b::setProperty); // the managed ones are refused by TrainJobConfig
    return b.build();
  }

  static <T extends SpecificRecord> KafkaSink<T> sink(
      TrainJobConfig config,
      String name,
      String topic,
      Class<T> type,
      org.apache.flink.util.function.SerializableFunction<T, byte[]> key) {
    boolean exactlyOnce = config.delivery() == TrainJobConfig.Delivery.EXACTLY_ONCE;
    KafkaSinkBuilder<T> b =
        KafkaSink.<T>builder()
            .setBootstrapServers(config.kafkaBootstrap())
            .setRecordSerializer(new AvroRecordSerializer<>(topic, type, key))
            .setDeliveryGuarantee(
                exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
            // one prefix per sink: transactional ids must not collide between the four sinks of
            // this job
            .setTransactionalIdPrefix(config.transactionalIdPrefix() + "-" + name)
            .setProperty("transaction.timeout.ms", Long.toString(config.transactionTimeoutMs()))
            .setProperty("max.request.size", Integer.toString(16 << 20));
    config
        .kafkaProperties()
        .forEach(b::setProperty); // the managed ones are refused by TrainJobConfig
    return b.build();
  }

  private static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static byte[] bytes(ByteBuffer b) {
    if (b == null) {
      return null;
    }
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  /**
   * The accumulators the trainer reports (restores, checkpoint counts, capture time, state bytes).
   */
  public static Map<String, Object> accumulators(JobExecutionResult result) {
    return result.getAllAccumulatorResults();
  }
}
