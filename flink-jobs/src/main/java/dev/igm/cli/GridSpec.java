package dev.igm.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A hyper-parameter grid {@code 'lr=0.01,0.05;tau=0.4,1'}: every combination, in a stable order.
 */
public final class GridSpec {
  private final Map<String, List<String>> axes;

  private GridSpec(Map<String, List<String>> axes) {
    this.axes = axes;
  }

  public static GridSpec parse(String spec) {
    Map<String, List<String>> axes = new LinkedHashMap<>();
    if (spec != null && !spec.isBlank()) {
      for (String axis : spec.split(";")) {
        int eq = axis.indexOf('=');
        if (eq <= 0 || eq == axis.length() - 1) {
          throw new IllegalArgumentException("grid axis '" + axis + "' must look like knob=v1,v2");
        }
        List<String> values = new ArrayList<>();
        for (String v : axis.substring(eq + 1).split(",")) {
          if (!v.isBlank()) {
            values.add(v.trim());
          }
        }
        String knob = axis.substring(0, eq).trim();
        if (values.isEmpty()) {
          throw new IllegalArgumentException("grid axis '" + axis + "' has no values");
        }
        if (axes.put(knob, values) != null) {
          throw new IllegalArgumentException("grid axis '" + knob + "' is given twice");
        }
      }
    }
    return new GridSpec(axes);
  }

  /** The knobs the grid varies, in its order. */
  public java.util.Set<String> knobs() {
    return java.util.Collections.unmodifiableSet(axes.keySet());
  }

  /** The values the grid gives {@code knob}. */
  public List<String> values(String knob) {
    return List.copyOf(axes.get(knob));
  }

  /** All combinations; one empty map when the grid is empty. */
  public List<Map<String, String>> combinations() {
    List<Map<String, String>> out = new ArrayList<>();
    out.add(new LinkedHashMap<>());
    for (Map.Entry<String, List<String>> axis : axes.entrySet()) {
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> partial : out) {
        for (String v : axis.getValue()) {
          Map<String, String> m = new LinkedHashMap<>(partial);
          m.put(axis.getKey(), v);
          next.add(m);
        }
      }
      out = next;
    }
    return out;
  }
}
