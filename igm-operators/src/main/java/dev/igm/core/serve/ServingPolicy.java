package dev.igm.core.serve;

import java.io.Serializable;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What a serving job serves and how it treats samples and versions.
 *
 * @param models the model ids scored (each sample gets one prediction per model in service)
 * @param beforeFirstModel what happens to a sample while a model has no version in service yet
 * @param holdCapacity how many samples a parallel instance holds at most (all models together)
 * @param gate the quality gate new versions must pass
 * @param store the model store root snapshot files must lie under
 */
public record ServingPolicy(
    List<String> models,
    BeforeFirstModel beforeFirstModel,
    int holdCapacity,
    QualityGate gate,
    ModelStoreRoot store)
    implements Serializable {

  /** Samples that arrive before a model's first version. */
  public enum BeforeFirstModel {
    /** Keep them (bounded) and score them when the first version arrives. */
    HOLD,
    /** Send them to the dead-letter topic with the reason. */
    REJECT
  }

  public ServingPolicy {
    models = List.copyOf(new LinkedHashSet<>(models));
    if (models.isEmpty()) {
      throw new IllegalArgumentException("serve at least one model id");
    }
    if (holdCapacity < 0) {
      throw new IllegalArgumentException("hold capacity must be >= 0, got " + holdCapacity);
    }
    gate = gate == null ? QualityGate.OFF : gate;
    store = store == null ? ModelStoreRoot.ANYWHERE : store;
  }

  /** A policy that loads snapshot files from any URI (no model store root). */
  public ServingPolicy(
      List<String> models, BeforeFirstModel beforeFirstModel, int holdCapacity, QualityGate gate) {
    this(models, beforeFirstModel, holdCapacity, gate, ModelStoreRoot.ANYWHERE);
  }

  public boolean serves(String modelId) {
    return models.contains(modelId);
  }
}
