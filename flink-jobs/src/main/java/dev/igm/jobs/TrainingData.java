package dev.igm.jobs;

import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.codec.AvroBytes;
import dev.igm.codec.TensorCodec;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.LabeledSample;
import dev.igm.data.BundledDatasets;
import dev.igm.data.MultiViewDataset;
import dev.igm.data.MultiViewRow;
import dev.igm.data.ReplayPlan;
import dev.igm.data.ViewStandardizer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A replayable workload for the training job's benchmark and tests: the bundled Image Segmentation
 * data, standardised, in {@link ReplayPlan} order, as Avro records on a topic — and the same TRAIN
 * samples as a plain list for an offline {@link IgmTrainer} run.
 */
public final class TrainingData {
  private final List<ReplayPlan.Entry> entries;
  private final List<String> modalities;

  private TrainingData(List<ReplayPlan.Entry> entries, List<String> modalities) {
    this.entries = entries;
    this.modalities = modalities;
  }

  /**
   * The first {@code trainRows} TRAIN and {@code testRows} TEST rows of the segment data
   * (standardised on those TRAIN rows), replayed for {@code epochs} epochs in seeded order, the
   * TEST rows after the last epoch.
   */
  public static TrainingData segment(int trainRows, int testRows, int epochs, long seed) {
    MultiViewDataset all = BundledDatasets.segment();
    List<MultiViewRow> rows = new ArrayList<>();
    List<MultiViewRow> train = all.rows(Split.TRAIN);
    List<MultiViewRow> test = all.rows(Split.TEST);
    rows.addAll(train.subList(0, Math.min(trainRows, train.size())));
    rows.addAll(test.subList(0, Math.min(testRows, test.size())));
    MultiViewDataset subset = all.withRows(rows);
    MultiViewDataset standardised = ViewStandardizer.fit(subset).apply(subset);
    return new TrainingData(
        ReplayPlan.of(standardised, epochs, seed, false).entries(), standardised.modalities());
  }

  public List<ReplayPlan.Entry> entries() {
    return entries;
  }

  public long trainCount() {
    return entries.stream().filter(ReplayPlan.Entry::trains).count();
  }

  /** The TRAIN samples in replay order, with the model's modality order. */
  public List<LabeledSample> trainingSamples(IgmConfig config) {
    List<LabeledSample> out = new ArrayList<>();
    for (ReplayPlan.Entry e : entries) {
      if (e.trains()) {
        float[][] in = new float[config.modalityCount()][];
        for (int j = 0; j < in.length; j++) {
          in[j] = e.row().view(config.modalities().get(j).name());
        }
        out.add(new LabeledSample(e.sampleId(), e.row().label(), in));
      }
    }
    return out;
  }

  /**
   * An offline trainer fed the TRAIN samples in replay order: the reference a streaming run must
   * match.
   */
  public IgmTrainer trainOffline(IgmConfig config) {
    IgmTrainer t = new IgmTrainer(config);
    for (LabeledSample s : trainingSamples(config)) {
      t.offer(s);
    }
    return t;
  }

  /** The Avro record of one entry (float32 tensors of shape [width]). */
  public MultimodalSample record(ReplayPlan.Entry e, long eventTime) {
    TensorCodec codec = TensorCodec.create();
    Map<String, Tensor> mods = new LinkedHashMap<>();
    for (String m : modalities) {
      float[] v = e.row().view(m);
      mods.put(m, codec.encodeFloat32(v, v.length));
    }
    return MultimodalSample.newBuilder()
        .setSampleId(e.sampleId())
        .setStream("segment")
        .setSplit(e.row().split())
        .setLabel(e.row().label())
        .setEventTime(Instant.ofEpochMilli(eventTime))
        .setModalities(mods)
        .build();
  }

  /** Every entry as Avro bytes, in order. */
  public List<byte[]> encodedRecords() {
    AvroBytes<MultimodalSample> avro = AvroBytes.of(MultimodalSample.class);
    List<byte[]> out = new ArrayList<>(entries.size());
    long t0 = 1_700_000_000_000L;
    for (int i = 0; i < entries.size(); i++) {
      out.add(avro.encode(record(entries.get(i), t0 + i)));
    }
    return out;
  }

  /**
   * Writes {@code values} to {@code topic} in order (idempotent producer, acks=all), keyed by
   * position.
   */
  public static void produce(String bootstrap, String topic, List<byte[]> values) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < values.size(); i++) {
        acks.add(
            producer.send(
                new ProducerRecord<>(
                    topic, Integer.toString(i).getBytes(StandardCharsets.UTF_8), values.get(i))));
      }
      producer.flush();
      for (Future<RecordMetadata> f : acks) {
        f.get(30, TimeUnit.SECONDS);
      }
    }
  }
}
