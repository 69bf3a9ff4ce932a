package dev.igm.jobs;

import dev.igm.core.serve.BatchingPolicy;
import dev.igm.core.serve.ServingPolicy;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the serving job's graph depends on.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param samplesTopic topic of {@code MultimodalSample} records to score
 * @param modelsTopic topic of {@code ModelSnapshot} records (read from the beginning on a fresh
 *     start)
 * @param predictionsTopic topic the {@code Prediction} records go to
 * @param deadLetterTopic topic the {@code DeadLetter} records go to
 * @param groupId consumer group of the samples source (offsets are committed on checkpoints)
 * @param samplesFrom where a fresh start reads the samples topic from
 * @param parallelism parallelism of the samples source, the scoring operator and the sinks
 * @param checkpointInterval checkpoint interval; null or zero disables checkpointing
 * @param bufferTimeout how long Flink's network buffers may wait to fill before they are sent
 *     (Flink's default is 100 ms, which adds ~50 ms median latency between the sources and the
 *     scoring operator; null keeps Flink's)
 * @param policy served models, before-first-model policy, hold capacity, quality gate, model store
 *     root
 * @param kafkaProperties Kafka client properties for the job's consumers and producers (security,
 *     tuning); the ones the job manages are refused (null = none)
 * @param batching how samples are grouped into batches scored in one pass (null = {@link
 *     BatchingPolicy#DEFAULT})
 */
public record ServingJobOptions(
    String bootstrapServers,
    String samplesTopic,
    String modelsTopic,
    String predictionsTopic,
    String deadLetterTopic,
    String groupId,
    StartFrom samplesFrom,
    int parallelism,
    Duration checkpointInterval,
    Duration bufferTimeout,
    ServingPolicy policy,
    Map<String, String> kafkaProperties,
    BatchingPolicy batching) {

  /** Where the samples source starts when there is no checkpoint. */
  public enum StartFrom {
    /** The group's committed offsets, else the beginning. */
    COMMITTED,
    EARLIEST,
    LATEST
  }

  /** Kafka client properties the serving job sets itself, with the option to use instead. */
  private static final Map<String, String> MANAGED_KAFKA_PROPERTIES =
      KafkaClientProperties.managed(
          Map.of("bootstrap.servers", "--bootstrap", "group.id", "--group-id"));

  public ServingJobOptions {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
    }
    kafkaProperties =
        KafkaClientProperties.checked(
            kafkaProperties == null ? Map.of() : kafkaProperties,
            MANAGED_KAFKA_PROPERTIES,
            "Kafka property ");
    batching = batching == null ? BatchingPolicy.DEFAULT : batching;
  }

  /** Options with the default batching. */
  public ServingJobOptions(
      String bootstrapServers,
      String samplesTopic,
      String modelsTopic,
      String predictionsTopic,
      String deadLetterTopic,
      String groupId,
      StartFrom samplesFrom,
      int parallelism,
      Duration checkpointInterval,
      Duration bufferTimeout,
      ServingPolicy policy,
      Map<String, String> kafkaProperties) {
    this(
        bootstrapServers,
        samplesTopic,
        modelsTopic,
        predictionsTopic,
        deadLetterTopic,
        groupId,
        samplesFrom,
        parallelism,
        checkpointInterval,
        bufferTimeout,
        policy,
        kafkaProperties,
        BatchingPolicy.DEFAULT);
  }
}
