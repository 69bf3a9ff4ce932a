package dev.igm.jobs;

import dev.igm.avro.DeadLetter;
import dev.igm.avro.Prediction;
import dev.igm.flink.RawRecord;
import dev.igm.flink.serve.ModelServingOperator;
import java.util.UUID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The serving job: samples from Kafka, scored by the newest accepted version of each served model,
 * which arrives on the models topic and is spread to every scoring instance as broadcast state.
 *
 * <pre>
 *  samples topic ─▶ KafkaSource (p) ───────────────┐
 *                                                   ├─▶ ModelServingOperator (p) ─▶ predictions topic
 *  models topic ─▶ KafkaSource (1) ─▶ broadcast ───┘            └─ side output ─▶ dead-letter topic
 * </pre>
 *
 * <p>The scoring operator scores samples in micro-batches ({@link ServingJobOptions#batching()});
 * the models stream reaches every instance through a broadcast partitioner, and the operator keeps
 * the version in service per model in broadcast state.
 */
public final class ServingJob {
  public static final String NAME = "igm-serve";

  /** Dead letters of the scoring operator (Avro-typed, so no Kryo). */
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("igm-serving-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

  private ServingJob() {}

  /**
   * The job's name for consumer group {@code groupId}: the serving jobs of one Kafka cluster differ
   * by group, and the name is what identifies a serving job's instances in the model store's
   * in-service markers.
   */
  public static String jobName(String groupId) {
    return NAME + "_" + groupId;
  }

  /** Adds the job's sources, operator and sinks to {@code env}. */
  public static void build(StreamExecutionEnvironment env, ServingJobOptions o) {
    configure(env, o);
    DataStream<RawRecord> samples =
        env.fromSource(
                samplesSource(o), WatermarkStrategy.noWatermarks(), "samples: " + o.samplesTopic())
            .uid("igm-serve-samples-source")
            .setParallelism(o.parallelism());
    DataStream<RawRecord> models =
        env.fromSource(
                modelsSource(o), WatermarkStrategy.noWatermarks(), "models: " + o.modelsTopic())
            .uid("igm-serve-models-source")
            .setParallelism(1);

    SingleOutputStreamOperator<Prediction> predictions =
        samples
            .connect(models.broadcast())
            .transform(
                "score with the model in service",
                new AvroTypeInfo<>(Prediction.class),
                new ModelServingOperator(o.policy(), o.batching(), DEAD_LETTERS))
            .uid("igm-serve-score")
            .setParallelism(o.parallelism());

    predictions
        .sinkTo(
            sink(
                o,
                new AvroKafkaSerializer<>(
                    o.predictionsTopic(), Prediction.class, Prediction::getSampleId)))
        .uid("igm-serve-predictions-sink")
        .name("predictions: " + o.predictionsTopic())
        .setParallelism(o.parallelism());
    predictions
        .getSideOutput(DEAD_LETTERS)
        .sinkTo(sink(o, new AvroKafkaSerializer<>(o.deadLetterTopic(), DeadLetter.class, null)))
        .uid("igm-serve-dead-letter-sink")
        .name("dead letters: " + o.deadLetterTopic())
        .setParallelism(o.parallelism());
  }

  /**
   * The serving job's Kafka path with nothing in between: every sample record is copied, key and
   * value bytes unchanged, from the samples topic to the predictions topic by one chained task per
   * parallel instance (same source, same sink settings, same object reuse and buffer timeout; no
   * models input, no decoding, no scoring). {@code igm bench-serve} runs it as the bound that Kafka
   * and Flink alone put on any job reading one record and writing one record per sample on the
   * machine.
   */
  public static void buildPassthrough(StreamExecutionEnvironment env, ServingJobOptions o) {
    configure(env, o);
    env.fromSource(
            samplesSource(o), WatermarkStrategy.noWatermarks(), "samples: " + o.samplesTopic())
        .uid("igm-passthrough-samples-source")
        .setParallelism(o.parallelism())
        .sinkTo(sink(o, new CopySerializer(o.predictionsTopic())))
        .uid("igm-passthrough-sink")
        .name("copies: " + o.predictionsTopic())
        .setParallelism(o.parallelism());
  }

  /** A record's key and value bytes, unchanged, to another topic. */
  private record CopySerializer(String topic) implements KafkaRecordSerializationSchema<RawRecord> {
    @Override
    public ProducerRecord<byte[], byte[]> serialize(
        RawRecord r, KafkaSinkContext context, Long timestamp) {
      return new ProducerRecord<>(topic, null, null, r.key, r.value);
    }
  }

  /** Checkpoints, object reuse and the network buffer timeout, as the options say. */
  private static void configure(StreamExecutionEnvironment env, ServingJobOptions o) {
    if (o.checkpointInterval() != null && !o.checkpointInterval().isZero()) {
      env.enableCheckpointing(o.checkpointInterval().toMillis());
    }
    // The scoring operator hands each prediction and dead letter, once built, to the Kafka sinks
    // chained behind it, which encode it at once; without object reuse Flink deep-copies every
    // record on that hop (an Avro deepCopy per prediction, a tenth of the operator's time). Records
    // arriving over the network are always fresh objects, so the operator's batches are unaffected.
    env.getConfig().enableObjectReuse();
    if (o.bufferTimeout() != null) {
      // The scoring operator has two inputs, so it is not chained to the samples source: every
      // sample crosses a network buffer, and a buffer waits up to this long to fill.
      env.setBufferTimeout(o.bufferTimeout().toMillis());
    }
  }

  static KafkaSource<RawRecord> samplesSource(ServingJobOptions o) {
    KafkaSourceBuilder<RawRecord> b =
        KafkaSource.<RawRecord>builder()
            .setBootstrapServers(o.bootstrapServers())
            .setTopics(o.samplesTopic())
            .setGroupId(o.groupId())
            .setStartingOffsets(startingOffsets(o.samplesFrom()))
            .setDeserializer(new RawRecordDeserializer());
    o.kafkaProperties().forEach(b::setProperty);
    return b.build();
  }

  /**
   * Every start without a checkpoint reads the whole models topic: the newest version wins and
   * older ones are ignored as stale, so no committed offset is needed (a fresh group id each time,
   * nothing committed).
   */
  static KafkaSource<RawRecord> modelsSource(ServingJobOptions o) {
    KafkaSourceBuilder<RawRecord> b =
        KafkaSource.<RawRecord>builder()
            .setBootstrapServers(o.bootstrapServers())
            .setTopics(o.modelsTopic())
            .setGroupId(o.groupId() + "-models-" + UUID.randomUUID())
            .setStartingOffsets(OffsetsInitializer.earliest())
            .setProperty("commit.offsets.on.checkpoint", "false")
            .setDeserializer(new RawRecordDeserializer());
    o.kafkaProperties().forEach(b::setProperty);
    return b.build();
  }

  static <T> KafkaSink<T> sink(ServingJobOptions o, KafkaRecordSerializationSchema<T> serializer) {
    KafkaSinkBuilder<T> b =
        KafkaSink.<T>builder()
            .setBootstrapServers(o.bootstrapServers())
            .setRecordSerializer(serializer)
            .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
            // Kafka's producers wait up to linger.ms (5 ms since Kafka 4.0) for a send batch to
            // fill: a lone prediction
            // at a low rate would wait all of it. Under load batches fill anyway; a
            // --kafka-property linger.ms overrides.
            .setProperty("linger.ms", "1");
    o.kafkaProperties().forEach(b::setProperty);
    return b.build();
  }

  private static OffsetsInitializer startingOffsets(ServingJobOptions.StartFrom from) {
    return switch (from) {
      case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
      case EARLIEST -> OffsetsInitializer.earliest();
      case LATEST -> OffsetsInitializer.latest();
    };
  }
}
