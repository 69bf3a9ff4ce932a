package dev.igm.report;

import dev.igm.avro.DeadLetter;
import dev.igm.avro.TrainingMetrics;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A metrics log as two models training side by side would emit it: {@code igm} and {@code joint},
 * 50 records each (every 10 batches), spectra of three head layers of two modalities at every fifth
 * record, one refused step with a NaN loss, and seven dead letters. The final accuracies are round
 * literals the tests look for in the page.
 */
final class SyntheticMetrics {
  static final List<String> MODELS = List.of("igm", "joint");
  static final int RECORDS = 50;
  static final long BATCHES_PER_RECORD = 10;
  static final int BATCH_SIZE = 64;

  /** Final prequential accuracies: model → {shape, colour, fused}. */
  static final Map<String, double[]> FINAL_ACCURACY =
      Map.of(
          "igm", new double[] {0.6512, 0.8347, 0.9123},
          "joint", new double[] {0.4471, 0.8209, 0.8765});

  /** Head-layer input widths per modality: layer 0 is the feature view, then the hidden widths. */
  static final Map<String, int[]> LAYER_WIDTHS =
      Map.of("shape", new int[] {9, 32, 16}, "colour", new int[] {10, 32, 16});

  static final int REFRESH_EVERY = 5;

  /** Spectrum charts: two models × two modalities × three layers. */
  static final int SPECTRA = 12;

  static final long REFUSED_STEPS_JOINT = 1;
  static final long DEAD_LETTERS = 7;
  static final Instant START = Instant.parse("2025-01-31T12:00:00Z");

  private SyntheticMetrics() {}

  static List<TrainingMetrics> records() {
    List<TrainingMetrics> out = new ArrayList<>();
    for (int i = 1; i <= RECORDS; i++) {
      for (String model : MODELS) {
        out.add(record(model, i));
      }
    }
    return out;
  }

  static TrainingMetrics record(String model, int i) {
    boolean igm = model.equals("igm");
    double progress = 1 - Math.exp(-i / 12.0);
    Map<String, Double> acc = new LinkedHashMap<>();
    double[] last = FINAL_ACCURACY.get(model);
    if (i == RECORDS) {
      acc.put("shape", last[0]);
      acc.put("colour", last[1]);
      acc.put("fused", last[2]);
    } else {
      acc.put("shape", 0.2 + (last[0] - 0.2) * progress + 0.01 * Math.sin(i));
      acc.put("colour", 0.3 + (last[1] - 0.3) * progress + 0.01 * Math.cos(i));
      acc.put("fused", 0.3 + (last[2] - 0.3) * progress + 0.005 * Math.sin(2 * i));
    }
    boolean refused = !igm && i == 17;
    double loss =
        refused ? Double.NaN : (igm ? 1.6 : 1.9) * Math.exp(-i / 15.0) + (igm ? 0.25 : 0.35);
    Map<String, List<Double>> eigen = new LinkedHashMap<>();
    double refreshMillis = 0;
    if (i % REFRESH_EVERY == 0) {
      for (String modality : List.of("shape", "colour")) {
        int[] widths = LAYER_WIDTHS.get(modality);
        for (int layer = 0; layer < widths.length; layer++) {
          eigen.put(modality + "." + layer, spectrum(widths[layer], i, layer, igm));
        }
      }
      refreshMillis = (igm ? 2.0 : 2.6) + 0.3 * Math.sin(i) + i * 0.01;
    }
    return TrainingMetrics.newBuilder()
        .setModelId(model)
        .setMethod(model)
        .setModelVersion(i / 10)
        .setTime(START.plusSeconds(i))
        .setBatches(i * BATCHES_PER_RECORD)
        .setSamplesTrained(i * BATCHES_PER_RECORD * BATCH_SIZE)
        .setModality(igm ? (i % 2 == 0 ? "shape" : "colour") : null)
        .setLoss(loss)
        .setPrequentialAccuracy(acc)
        .setRefusedSteps(!igm && i >= 17 ? REFUSED_STEPS_JOINT : 0)
        .setTRefreshMillis(refreshMillis)
        .setEigenvalues(eigen)
        .setDeadLetters(Math.min(DEAD_LETTERS, i / 5))
        .build();
  }

  /**
   * A covariance spectrum decaying over several decades, ascending as dsyevd returns it; the
   * smallest is 0.
   */
  private static List<Double> spectrum(int d, int i, int layer, boolean igm) {
    List<Double> values = new ArrayList<>(d);
    values.add(0.0);
    for (int k = d - 2; k >= 0; k--) {
      values.add((igm ? 5.0 : 3.0) * (1 + i / 50.0) * Math.pow(10, -k * (4.0 + layer) / d));
    }
    return values;
  }

  /** Seven dead letters: four undecodable, two NaN features, one bad label. */
  static List<DeadLetter> deadLetters() {
    List<DeadLetter> out = new ArrayList<>();
    for (int i = 0; i < DEAD_LETTERS; i++) {
      String stage = i < 4 ? "decode" : "validate";
      String reason =
          i < 4
              ? "corrupt Avro MultimodalSample"
              : i < 6 ? "NaN in modality shape" : "label 9 out of range [0, 7)";
      out.add(
          DeadLetter.newBuilder()
              .setSourceTopic("igm.samples")
              .setSourcePartition(0)
              .setSourceOffset(100L * i)
              .setRawKey(null)
              .setRawValue(ByteBuffer.wrap(new byte[] {1, 2, (byte) i}))
              .setStage(stage)
              .setReason(reason)
              .setTime(START.plusSeconds(i))
              .build());
    }
    return out;
  }
}
