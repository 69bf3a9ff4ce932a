package dev.igm.report;

import java.util.Map;

/**
 * The τ each model trained with. The metrics records carry eigenvalues but not τ, so the report is
 * told it (default 0.4, docs/ALGORITHM.md), per model where models differ.
 */
public record TauSettings(double defaultTau, Map<String, Double> byModel) {
  public static final double DEFAULT_TAU = 0.4;

  public TauSettings {
    byModel = Map.copyOf(byModel);
    check(defaultTau);
    byModel.values().forEach(TauSettings::check);
  }

  public static TauSettings defaults() {
    return new TauSettings(DEFAULT_TAU, Map.of());
  }

  public double forModel(String modelId) {
    return byModel.getOrDefault(modelId, defaultTau);
  }

  private static void check(double tau) {
    if (!(tau >= 0) || Double.isInfinite(tau)) {
      throw new IllegalArgumentException("tau must be finite and >= 0, got " + tau);
    }
  }
}
