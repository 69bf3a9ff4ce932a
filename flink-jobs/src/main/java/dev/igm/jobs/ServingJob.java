package dev.igm.jobs;

import dev.igm.avro.DeadLetter;
import dev.igm.avro.Prediction;
import dev.igm.flink.serve.ModelServingFunction;
import dev.igm.flink.RawRecord;
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
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The serving job: samples from Kafka, scored by the newest accepted version of each served model, which arrives
 * on the models topic and is spread to every scoring instance as broadcast state.
 *
 * <pre>
 *  samples topic ─▶ KafkaSource (p) ───────────────┐
 *                                                   ├─▶ ModelServingFunction (p) ─▶ predictions topic
 *  models topic ─▶ KafkaSource (1) ─▶ broadcast ───┘            └─ side output ─▶ dead-letter topic
 * </pre>
 */
public final class ServingJob {
  public static final String NAME = "igm-serve";

  /** Dead letters of the scoring operator (Avro-typed, so no Kryo). */
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("igm-serving-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

  private ServingJob() {}

  /**
   * The job's name for consumer group {@code groupId}: the serving jobs of one Kafka cluster differ by group, and the
   * name is what identifies a serving job's instances in the model store's in-service markers.
   */
  public static String jobName(String groupId) {
    return NAME + "_" + groupId;
  }

  /** Adds the job's sources, operator and sinks to {@code env}. */
  public static void build(StreamExecutionEnvironment env, ServingJobOptions o) {
    if (o.checkpointInterval() != null && !o.checkpointInterval().isZero()) {
      env.enableCheckpointing(o.checkpointInterval().toMillis());
    }
    if (o.bufferTimeout() != null) {
      // The scoring operator has two inputs, so it is not chained to the samples source: every sample crosses a
      // network buffer, and a buffer waits up to this long to fill.
      env.setBufferTimeout(o.bufferTimeout().toMillis());
    }
    DataStream<RawRecord> samples =
        env.fromSource(samplesSource(o), WatermarkStrategy.noWatermarks(), "samples: " + o.samplesTopic())
            .uid("igm-serve-samples-source")
            .setParallelism(o.parallelism());
    BroadcastStream<RawRecord> models =
        env.fromSource(modelsSource(o), WatermarkStrategy.noWatermarks(), "models: " + o.modelsTopic())
            .uid("igm-serve-models-source")
            .setParallelism(1)
            .broadcast(ModelServingFunction.IN_SERVICE);

    SingleOutputStreamOperator<Prediction> predictions =
        samples
            .connect(models)
            .process(new ModelServingFunction(o.policy(), DEAD_LETTERS), new AvroTypeInfo<>(Prediction.class))
            .uid("igm-serve-score")
            .name("score with the model in service")
            .setParallelism(o.parallelism());

    predictions
        .sinkTo(sink(o, new AvroKafkaSerializer<>(o.predictionsTopic(), Prediction.class, Prediction::getSampleId)))
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

  static KafkaSource<RawRecord> samplesSource(ServingJobOptions o) {
    KafkaSourceBuilder<RawRecord> b = KafkaSource.<RawRecord>builder()
        .setBootstrapServers(o.bootstrapServers())
        .setTopics(o.samplesTopic())
        .setGroupId(o.groupId())
        .setStartingOffsets(startingOffsets(o.samplesFrom()))
        .setDeserializer(new RawRecordDeserializer());
    o.kafkaProperties().forEach(b::setProperty);
    return b.build();
  }

  /**
   * Every start without a checkpoint reads the whole models topic: the newest version wins and older ones are ignored
   * as stale, so no committed offset is needed (a fresh group id each time, nothing committed).
   */
  static KafkaSource<RawRecord> modelsSource(ServingJobOptions o) {
    KafkaSourceBuilder<RawRecord> b = KafkaSource.<RawRecord>builder()
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
    KafkaSinkBuilder<T> b = KafkaSink.<T>builder()
        .setBootstrapServers(o.bootstrapServers())
        .setRecordSerializer(serializer)
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE);
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
