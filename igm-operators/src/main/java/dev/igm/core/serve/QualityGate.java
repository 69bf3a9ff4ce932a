package dev.igm.core.serve;

import dev.igm.avro.ModelSnapshot;
import java.io.Serializable;
import java.util.Locale;
import java.util.Optional;

/**
 * Lets a new version replace the one in service only if its validation metric (higher is better,
 * e.g. {@code valid.fused.acc} from {@code ModelSnapshot.metrics}) is not worse than the current
 * one's by more than {@code margin}. The first version of a model always passes (there is nothing
 * to compare with), and so does a candidate when the version in service carries no such metric; a
 * candidate without the metric is refused, since its quality is unknown.
 *
 * @param metric the metrics key compared; null disables the gate
 * @param margin how much worse (absolute) a candidate may be and still pass; 0 means "not worse"
 */
public record QualityGate(String metric, double margin) implements Serializable {
  public static final QualityGate OFF = new QualityGate(null, 0);

  public QualityGate {
    if (!(margin >= 0) || Double.isInfinite(margin)) {
      throw new IllegalArgumentException(
          "quality gate margin must be a finite value >= 0, got " + margin);
    }
  }

  public boolean enabled() {
    return metric != null;
  }

  /** Why {@code candidate} may not replace {@code current}, or empty when it may. */
  public Optional<String> refusal(ModelSnapshot current, ModelSnapshot candidate) {
    if (!enabled() || current == null) {
      return Optional.empty();
    }
    Double now = current.getMetrics().get(metric);
    if (now == null || now.isNaN()) {
      return Optional.empty();
    }
    Double next = candidate.getMetrics().get(metric);
    if (next == null || next.isNaN()) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "quality gate: version %d carries no %s (version %d in service has %.6f)",
              candidate.getVersion(),
              metric,
              current.getVersion(),
              now));
    }
    if (next < now - margin) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "quality gate: %s of version %d is %.6f, worse than %.6f of version %d in service by more than the margin %.6f",
              metric,
              candidate.getVersion(),
              next,
              now,
              current.getVersion(),
              margin));
    }
    return Optional.empty();
  }
}
