package dev.igm.jobs;

import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link KafkaSource} that also finishes when a bounded job is restored from a savepoint or
 * retained checkpoint.
 *
 * <p>flink-connector-kafka 5.0.0-2.2 has FLINK-31006 / FLINK-33466: a restored bounded enumerator
 * finds every partition already assigned, returns before it marks discovery finished, and never
 * sends {@code NoMoreSplitsEvent}; the readers reach their stopping offsets and wait forever (a
 * within-job failover is not affected). When the restored state holds no unassigned split, no split
 * can ever be assigned again (a bounded source does not discover partitions periodically), so this
 * wrapper signals "no more splits" to each reader once it registers. Remove it when the connector's
 * fix (apache/flink-connector-kafka#318) is released: a second signal could fail a finished task.
 */
public final class RestoredBoundedKafkaSource<T>
    implements Source<T, KafkaPartitionSplit, KafkaSourceEnumState>, ResultTypeQueryable<T> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RestoredBoundedKafkaSource.class);

  private final KafkaSource<T> delegate;

  public RestoredBoundedKafkaSource(KafkaSource<T> delegate) {
    this.delegate = delegate;
  }

  @Override
  public Boundedness getBoundedness() {
    return delegate.getBoundedness();
  }

  @Override
  public SourceReader<T, KafkaPartitionSplit> createReader(SourceReaderContext context)
      throws Exception {
    return delegate.createReader(context);
  }

  @Override
  public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
      SplitEnumeratorContext<KafkaPartitionSplit> context) throws Exception {
    return delegate.createEnumerator(context);
  }

  @Override
  public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
      SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState state)
      throws Exception {
    SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> e =
        delegate.restoreEnumerator(context, state);
    if (getBoundedness() != Boundedness.BOUNDED
        || !state.initialDiscoveryFinished()
        || !state.unassignedSplits().isEmpty()) {
      return e;
    }
    LOG.info(
        "Bounded Kafka source restored with all {} split(s) assigned: readers get 'no more splits' on registration",
        state.assignedSplits().size());
    return new SignalOnRegistration(e, context);
  }

  @Override
  public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
    return delegate.getSplitSerializer();
  }

  @Override
  public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
    return delegate.getEnumeratorCheckpointSerializer();
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return delegate.getProducedType();
  }

  /** Delegates everything; after a reader registers, tells it that no split will follow. */
  private static final class SignalOnRegistration
      implements SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> {
    private final SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> e;
    private final SplitEnumeratorContext<KafkaPartitionSplit> context;

    SignalOnRegistration(
        SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> e,
        SplitEnumeratorContext<KafkaPartitionSplit> context) {
      this.e = e;
      this.context = context;
    }

    @Override
    public void start() {
      e.start();
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
      e.handleSplitRequest(subtaskId, requesterHostname);
    }

    @Override
    public void addSplitsBack(List<KafkaPartitionSplit> splits, int subtaskId) {
      e.addSplitsBack(splits, subtaskId);
    }

    @Override
    public void addReader(int subtaskId) {
      e.addReader(subtaskId);
      context.signalNoMoreSplits(subtaskId);
    }

    @Override
    public KafkaSourceEnumState snapshotState(long checkpointId) throws Exception {
      return e.snapshotState(checkpointId);
    }

    @Override
    public void close() throws IOException {
      e.close();
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
      e.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
      e.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public void handleSourceEvent(int subtaskId, SourceEvent sourceEvent) {
      e.handleSourceEvent(subtaskId, sourceEvent);
    }
  }
}
