package dev.igm.flink.serve;

import dev.igm.avro.ModelSnapshot;
import dev.igm.flink.ServingMarkers;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the trainer's model-store retention which version this serving instance has in service, so
 * that the file stays while it may be needed again (see {@link ServingMarkers}). The instance is
 * named by the job's name and the subtask index: stable across restarts of the same serving job. A
 * store this job cannot write to only costs the protection (logged), never the serving.
 */
final class InServiceMarker {
  private static final Logger LOG = LoggerFactory.getLogger(InServiceMarker.class);

  private final String instance;

  InServiceMarker(RuntimeContext context) {
    this.instance =
        context.getJobInfo().getJobName() + "-" + context.getTaskInfo().getIndexOfThisSubtask();
  }

  void inService(ModelSnapshot s) {
    try {
      ServingMarkers.write(s.getUri(), s.getVersion(), instance);
    } catch (Exception e) {
      LOG.warn(
          "{}: could not record {} v{} as in service beside {} ({}); the trainer's retention may delete it",
          instance,
          s.getModelId(),
          s.getVersion(),
          s.getUri(),
          e.toString());
    }
  }
}
