package dev.igm.core.serve;

import dev.igm.avro.ModelSnapshot;
import java.util.Optional;

/**
 * What to do with a published version before any file is touched: ignore it (a model this job does
 * not serve, or a version not newer than the one in service), refuse it (a file outside the model
 * store, the quality gate), or load it.
 *
 * @param kind the decision
 * @param reason why, for logs and dead letters (empty for {@link Kind#LOAD})
 */
public record VersionVerdict(Kind kind, String reason) {
  public enum Kind {
    LOAD,
    NOT_SERVED,
    STALE,
    /** The record names a file outside the model store root. */
    OUTSIDE_STORE,
    REFUSED_BY_GATE
  }

  /**
   * Versions are strictly increasing per model: anything not newer than the version in service is
   * stale (a replay of the models topic, or a publisher's duplicate).
   *
   * @param current the version in service, or null
   */
  public static VersionVerdict of(
      boolean served, ModelSnapshot current, ModelSnapshot candidate, QualityGate gate) {
    return of(served, current, candidate, gate, ModelStoreRoot.ANYWHERE);
  }

  /**
   * As {@link #of(boolean, ModelSnapshot, ModelSnapshot, QualityGate)}, and a newer version whose
   * URI is outside {@code store} is refused before the quality gate is asked (the URI alone
   * decides, so every instance agrees).
   */
  public static VersionVerdict of(
      boolean served,
      ModelSnapshot current,
      ModelSnapshot candidate,
      QualityGate gate,
      ModelStoreRoot store) {
    if (!served) {
      return new VersionVerdict(
          Kind.NOT_SERVED, "model " + candidate.getModelId() + " is not served by this job");
    }
    if (current != null && candidate.getVersion() <= current.getVersion()) {
      return new VersionVerdict(
          Kind.STALE,
          "version "
              + candidate.getVersion()
              + " of "
              + candidate.getModelId()
              + " is not newer than version "
              + current.getVersion()
              + " in service");
    }
    Optional<String> outside = store.refusal(candidate.getUri());
    if (outside.isPresent()) {
      return new VersionVerdict(Kind.OUTSIDE_STORE, outside.get());
    }
    Optional<String> refusal = gate.refusal(current, candidate);
    return refusal
        .map(r -> new VersionVerdict(Kind.REFUSED_BY_GATE, r))
        .orElse(new VersionVerdict(Kind.LOAD, ""));
  }
}
