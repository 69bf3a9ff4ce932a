package dev.igm.report;

import dev.igm.avro.Prediction;
import dev.igm.avro.Split;
import dev.igm.codec.AvroBytes;
import dev.igm.core.ClassificationMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Acc / macro-F1 / MAP per modality and fused of each model's TEST predictions, as the training job
 * committed them to its predictions topic (read {@code read_committed}, earliest to the end offsets
 * found at start, no consumer group). These are the held-out figures; the report's summary table
 * shows prequential accuracy, a moving window over the training stream.
 */
public final class TestPredictions {
  private TestPredictions() {}

  /**
   * The TEST predictions of every model on {@code topic}; empty when there are none (or no such
   * topic).
   */
  public static Map<String, List<Prediction>> read(
      String bootstrap, String topic, Map<String, String> clientProperties, Duration timeout)
      throws IOException {
    Properties c = new Properties();
    c.putAll(clientProperties);
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    c.put(
        ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
        false); // a report must not create the topic it looks for
    AvroBytes<Prediction> avro = AvroBytes.of(Prediction.class);
    Map<String, List<Prediction>> byModel = new TreeMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      var infos = consumer.partitionsFor(topic, timeout);
      if (infos == null || infos.isEmpty()) {
        return byModel;
      }
      infos.forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          Prediction p = avro.decode(r.value());
          if (p.getSplit() == Split.TEST && p.getLabel() != null) {
            byModel.computeIfAbsent(p.getModelId(), k -> new ArrayList<>()).add(p);
          }
        }
      }
    }
    return byModel;
  }

  /**
   * One row per model ({@code "<model> (<n>)"}), columns the modalities in name order, then fused.
   */
  public static MetricsTable table(Map<String, List<Prediction>> byModel) {
    Set<String> modalities = new TreeSet<>();
    byModel
        .values()
        .forEach(ps -> ps.forEach(p -> modalities.addAll(p.getModalityProbabilities().keySet())));
    return table(byModel, new ArrayList<>(modalities));
  }

  /** {@link #table(Map)} with the modality columns in {@code order}. */
  public static MetricsTable table(Map<String, List<Prediction>> byModel, List<String> order) {
    Set<String> modalities = new LinkedHashSet<>(order);
    List<String> groups = new ArrayList<>(modalities);
    groups.add("fused");
    MetricsTable table = new MetricsTable(groups);
    byModel.forEach(
        (model, ps) -> table.add(model + " (" + ps.size() + ")", metrics(ps, modalities)));
    return table;
  }

  private static Map<String, Double> metrics(List<Prediction> ps, Set<String> modalities) {
    int classes = ps.get(0).getFusedProbabilities().size();
    int[] labels = new int[ps.size()];
    Map<String, float[]> scores = new LinkedHashMap<>();
    modalities.forEach(m -> scores.put(m, new float[ps.size() * classes]));
    scores.put("fused", new float[ps.size() * classes]);
    for (int i = 0; i < ps.size(); i++) {
      Prediction p = ps.get(i);
      labels[i] = p.getLabel();
      for (String m : modalities) {
        List<Float> probs = p.getModalityProbabilities().get(m);
        if (probs != null) {
          copy(probs, scores.get(m), i * classes);
        }
      }
      copy(p.getFusedProbabilities(), scores.get("fused"), i * classes);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    scores.forEach(
        (g, s) -> {
          out.put(g + ".acc", ClassificationMetrics.accuracy(labels, s, classes));
          out.put(g + ".f1", ClassificationMetrics.macroF1(labels, s, classes));
          out.put(g + ".map", ClassificationMetrics.meanAveragePrecision(labels, s, classes));
        });
    return out;
  }

  private static void copy(List<Float> from, float[] to, int offset) {
    for (int i = 0; i < from.size(); i++) {
      to[offset + i] = from.get(i);
    }
  }
}
