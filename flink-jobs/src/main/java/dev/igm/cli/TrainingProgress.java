package dev.igm.cli;

import dev.igm.flink.DecodeValidateFunction;
import dev.igm.jobs.TrainJobConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code igm train}'s progress line: records the job has read from the samples topic (its
 * accumulator), against the records there are to read. Bounded input: a percentage and an ETA, the
 * total being the end offsets at start minus where the job starts (the group's committed offsets,
 * or the earliest ones). Unbounded: the count, the rate and the lag behind the topic's end.
 */
final class TrainingProgress implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingProgress.class);

  private final Thread thread;
  private volatile boolean running = true;

  private TrainingProgress(TrainJobConfig config, JobClient job) {
    thread = new Thread(() -> run(config, job), "igm-train-progress");
    thread.setDaemon(true);
    thread.start();
  }

  static TrainingProgress start(TrainJobConfig config, JobClient job) {
    return new TrainingProgress(config, job);
  }

  private void run(TrainJobConfig config, JobClient job) {
    ProgressLine line = ProgressLine.onStderr("igm train:", "records read");
    Properties p = new Properties();
    p.putAll(config.kafkaProperties());
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    try (Admin admin = Admin.create(p)) {
      long start = startOffsets(admin, config);
      long total = config.bounded() ? endOffsets(admin, config.samplesTopic()) - start : 0;
      while (running && !job.getJobExecutionResult().isDone()) {
        long read = recordsRead(job);
        String extra = "";
        if (!config.bounded()) {
          extra =
              String.format(
                  Locale.ROOT,
                  "lag %,d",
                  Math.max(0, endOffsets(admin, config.samplesTopic()) - start - read));
        }
        line.update(read, total, extra);
        for (int i = 0; i < 10 && running && !job.getJobExecutionResult().isDone(); i++) {
          Thread.sleep(200);
        }
      }
      if (job.getJobExecutionResult().isDone()
          && !job.getJobExecutionResult().isCompletedExceptionally()) {
        Object last =
            job.getJobExecutionResult()
                .get()
                .getAccumulatorResult(DecodeValidateFunction.RECORDS_READ);
        if (last instanceof Number n) {
          line.update(n.longValue(), total > 0 ? total : n.longValue(), "");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.debug("progress line stopped", e);
    } finally {
      line.done();
    }
  }

  private static long recordsRead(JobClient job) throws Exception {
    Object v =
        job.getAccumulators().get(10, TimeUnit.SECONDS).get(DecodeValidateFunction.RECORDS_READ);
    return v instanceof Number n ? n.longValue() : 0;
  }

  /** Where the job starts reading: the sum over the topic's partitions. */
  private static long startOffsets(Admin admin, TrainJobConfig config) throws Exception {
    String topic = config.samplesTopic();
    return switch (config.startingOffsets()) {
      case EARLIEST -> offsets(admin, topic, OffsetSpec.earliest());
      case LATEST -> offsets(admin, topic, OffsetSpec.latest());
      case COMMITTED -> {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(config.groupId())
                .partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
        long sum = 0;
        boolean any = false;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
          if (e.getKey().topic().equals(topic) && e.getValue() != null) {
            sum += e.getValue().offset();
            any = true;
          }
        }
        yield any
            ? sum
            : offsets(
                admin, topic, OffsetSpec.earliest()); // no commits yet: the job starts earliest
      }
    };
  }

  private static long endOffsets(Admin admin, String topic) throws Exception {
    return offsets(admin, topic, OffsetSpec.latest());
  }

  private static long offsets(Admin admin, String topic, OffsetSpec spec) throws Exception {
    var partitions =
        admin
            .describeTopics(List.of(topic))
            .allTopicNames()
            .get(10, TimeUnit.SECONDS)
            .get(topic)
            .partitions();
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(pi -> request.put(new TopicPartition(topic, pi.partition()), spec));
    long sum = 0;
    for (ListOffsetsResult.ListOffsetsResultInfo info :
        admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).values()) {
      sum += info.offset();
    }
    return sum;
  }

  /** Stops the line after its last update (the job's final count, when it finished). */
  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5000);
    if (thread.isAlive()) {
      thread.interrupt();
    }
  }
}
