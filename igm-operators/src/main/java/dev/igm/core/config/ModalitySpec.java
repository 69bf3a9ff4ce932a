package dev.igm.core.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One modality: its name, the shape of one sample's input and the encoder in front of its head.
 *
 * @param name modality name as it appears in {@code MultimodalSample.modalities}
 * @param inputShape the shape of one sample (without the batch axis); features are a 1-element
 *     shape
 * @param encoder {@code identity} (pre-extracted features), {@code mlp}, {@code resnet18} or {@code
 *     torchscript}
 * @param encoderHidden hidden widths of an {@code mlp} encoder (its output width is the last one)
 * @param encoderPath the TorchScript file of a {@code torchscript} encoder
 * @param encoderFrozen whether the encoder's parameters are left untouched by training
 */
public record ModalitySpec(
    String name,
    List<Integer> inputShape,
    String encoder,
    List<Integer> encoderHidden,
    String encoderPath,
    boolean encoderFrozen) {

  public ModalitySpec {
    Objects.requireNonNull(name, "modality name");
    if (name.isBlank() || !name.matches("[A-Za-z0-9_\\-]+")) {
      throw new IllegalArgumentException(
          "modality name '" + name + "' must be non-empty [A-Za-z0-9_-]");
    }
    inputShape = List.copyOf(inputShape);
    if (inputShape.isEmpty() || inputShape.stream().anyMatch(d -> d <= 0)) {
      throw new IllegalArgumentException(
          "modality " + name + ": input shape " + inputShape + " must be positive");
    }
    encoder = encoder == null ? "identity" : encoder;
    if (!List.of("identity", "mlp", "resnet18", "torchscript").contains(encoder)) {
      throw new IllegalArgumentException(
          "modality "
              + name
              + ": unknown encoder '"
              + encoder
              + "' (identity, mlp, resnet18, torchscript)");
    }
    encoderHidden = encoderHidden == null ? List.of() : List.copyOf(encoderHidden);
    if (encoder.equals("mlp") && encoderHidden.isEmpty()) {
      throw new IllegalArgumentException(
          "modality " + name + ": an mlp encoder needs encoder.hidden widths");
    }
    if (encoderHidden.stream().anyMatch(d -> d <= 0)) {
      throw new IllegalArgumentException(
          "modality " + name + ": encoder.hidden widths must be positive");
    }
    if (encoder.equals("torchscript") && (encoderPath == null || encoderPath.isBlank())) {
      throw new IllegalArgumentException(
          "modality " + name + ": a torchscript encoder needs encoder.path");
    }
  }

  /** A feature modality with the identity encoder. */
  public static ModalitySpec features(String name, int dim) {
    return new ModalitySpec(name, List.of(dim), "identity", List.of(), null, false);
  }

  /** Number of input values of one sample. */
  public int inputSize() {
    int n = 1;
    for (int d : inputShape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("input.shape", new ArrayList<>(inputShape));
    m.put("encoder", encoder);
    if (!encoderHidden.isEmpty()) {
      m.put("encoder.hidden", new ArrayList<>(encoderHidden));
    }
    if (encoderPath != null) {
      m.put("encoder.path", encoderPath);
    }
    if (encoderFrozen) {
      m.put("encoder.frozen", true);
    }
    return m;
  }

  @SuppressWarnings("unchecked")
  static ModalitySpec fromMap(Map<String, Object> m) {
    Object shape = m.containsKey("input.shape") ? m.get("input.shape") : m.get("input.dim");
    List<Integer> s = new ArrayList<>();
    if (shape instanceof List) {
      for (Object o : (List<Object>) shape) {
        s.add(((Number) o).intValue());
      }
    } else if (shape instanceof Number) {
      s.add(((Number) shape).intValue());
    } else {
      throw new IllegalArgumentException(
          "modality " + m.get("name") + ": input.shape (or input.dim) is required");
    }
    List<Integer> hidden = new ArrayList<>();
    if (m.get("encoder.hidden") instanceof List) {
      for (Object o : (List<Object>) m.get("encoder.hidden")) {
        hidden.add(((Number) o).intValue());
      }
    }
    return new ModalitySpec(
        (String) m.get("name"),
        s,
        (String) m.getOrDefault("encoder", "identity"),
        hidden,
        (String) m.get("encoder.path"),
        Boolean.TRUE.equals(m.get("encoder.frozen")));
  }
}
