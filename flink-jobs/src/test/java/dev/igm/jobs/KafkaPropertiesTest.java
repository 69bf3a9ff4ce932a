package dev.igm.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.igm.avro.TrainingMetrics;
import dev.igm.core.serve.QualityGate;
import dev.igm.core.serve.ServingPolicy;
import dev.igm.kafka.LocalKafkaBroker;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.junit.jupiter.api.Test;

/**
 * Kafka client settings (security, tuning) reach the jobs' consumers and producers: {@code
 * kafka.properties.*} of the training job, {@code --kafka-property} of {@code igm serve}.
 */
class KafkaPropertiesTest {
  private static final Path CONFIG =
      LocalKafkaBroker.locateProjectRoot().resolve("config/train-segment.yaml");

  private static TrainJobConfig config(String... overrides) throws Exception {
    List<String> o = new ArrayList<>(List.of("kafka.bootstrap=localhost:9092"));
    o.addAll(List.of(overrides));
    return TrainJobConfig.load(CONFIG, o);
  }

  @Test
  void clientPropertiesReachTheSourceAndEverySink() throws Exception {
    TrainJobConfig c =
        config(
            "kafka.properties.security.protocol=SASL_SSL",
            "kafka.properties.linger.ms=50",
            "kafka.properties.max.request.size=1048576");
    assertThat(c.kafkaProperties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("linger.ms", "50");

    Properties consumer = sourceProperties(TrainingJob.source(c));
    assertThat(consumer)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("isolation.level", "read_committed") // the job's own stay
        .containsEntry("group.id", c.groupId());

    Properties producer =
        producerProperties(
            TrainingJob.sink(c, "metrics", c.metricsTopic(), TrainingMetrics.class, m -> null));
    assertThat(producer)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("linger.ms", "50")
        .containsEntry("max.request.size", "1048576") // a user's value overrides the job's default
        .containsEntry("transaction.timeout.ms", Long.toString(c.transactionTimeoutMs()));
  }

  @Test
  void propertiesTheJobManagesAreRefusedWithWhatToUseInstead() {
    assertThatThrownBy(() -> config("kafka.properties.bootstrap.servers=other:9092"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("use kafka.bootstrap");
    assertThatThrownBy(() -> config("kafka.properties.group.id=g"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("use kafka.group.id");
    assertThatThrownBy(() -> config("kafka.properties.isolation.level=read_uncommitted"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exactly-once");
    assertThatThrownBy(() -> config("kafka.propertys.linger.ms=5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown setting")
        .hasMessageContaining("kafka.properties.<any Kafka client property>");
  }

  @Test
  void servingJobGivesThemToBothSourcesAndBothSinks() throws Exception {
    ServingJobOptions o =
        serving(Map.of("security.protocol", "SASL_SSL", "request.timeout.ms", "5000"));
    for (KafkaSource<?> source : List.of(ServingJob.samplesSource(o), ServingJob.modelsSource(o))) {
      assertThat(sourceProperties(source))
          .containsEntry("security.protocol", "SASL_SSL")
          .containsEntry("request.timeout.ms", "5000");
    }
    assertThat(sourceProperties(ServingJob.samplesSource(o))).containsEntry("group.id", "g");
    Properties producer =
        producerProperties(
            ServingJob.sink(o, new AvroKafkaSerializer<>("p", TrainingMetrics.class, null)));
    assertThat(producer).containsEntry("security.protocol", "SASL_SSL");

    assertThatThrownBy(() -> serving(Map.of("group.id", "other")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("use --group-id");
    assertThatThrownBy(() -> serving(Map.of("value.deserializer", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sets the Kafka property value.deserializer");
    assertThat(serving(null).kafkaProperties()).isEmpty();
  }

  private static ServingJobOptions serving(Map<String, String> kafkaProperties) {
    return new ServingJobOptions(
        "localhost:9092",
        "s",
        "m",
        "p",
        "d",
        "g",
        ServingJobOptions.StartFrom.EARLIEST,
        1,
        Duration.ZERO,
        null,
        new ServingPolicy(List.of("igm"), ServingPolicy.BeforeFirstModel.HOLD, 10, QualityGate.OFF),
        kafkaProperties);
  }

  private static Properties sourceProperties(KafkaSource<?> source) throws Exception {
    Field f = KafkaSource.class.getDeclaredField("props");
    f.setAccessible(true);
    return (Properties) f.get(source);
  }

  private static Properties producerProperties(KafkaSink<?> sink) throws Exception {
    Method m = KafkaSink.class.getDeclaredMethod("getKafkaProducerConfig");
    m.setAccessible(true);
    return (Properties) m.invoke(sink);
  }
}
