package dev.igm.data.layout;

import dev.igm.avro.Tensor;
import dev.igm.codec.DType;
import dev.igm.codec.TensorCodec;
import dev.igm.data.MultiViewDataset;
import dev.igm.data.MultiViewRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * A layout's samples decoded into memory for {@code igm fit}: each row's tensors, exactly as a
 * replay sends them (same decoding, same preprocessing), flattened row-major into the row's views,
 * and the shape of each modality. Rows keep the index's order and splits, so a fit over them orders
 * its batches as the streaming job receives a replay of the same index.
 *
 * @param dataset the rows with their flattened tensors
 * @param shapes each modality's tensor shape (without a batch axis), in the layout's modality order
 */
public record LayoutTensors(MultiViewDataset dataset, Map<String, List<Integer>> shapes) {

  /**
   * Decodes every row of {@code source}'s index; {@code progress} hears the count of rows decoded
   * so far.
   *
   * @throws IllegalArgumentException for a modality that is not floating point (text token ids:
   *     {@code igm fit} trains image and spectrogram encoders only), or a sample whose shape
   *     differs from the first one's
   */
  public static LayoutTensors load(LayoutSource source, TensorCodec codec, IntConsumer progress) {
    MultiViewDataset index = source.index();
    Map<String, List<Integer>> shapes = new LinkedHashMap<>();
    List<MultiViewRow> rows = new ArrayList<>(index.size());
    for (MultiViewRow row : index.rows()) {
      Map<String, Tensor> tensors = source.tensors(row);
      Map<String, float[]> views = new LinkedHashMap<>();
      for (String m : index.modalities()) {
        Tensor t = tensors.get(m);
        DType dtype = codec.validate(t);
        if (dtype == DType.INT64) {
          throw new IllegalArgumentException(
              "modality "
                  + m
                  + " of layout "
                  + source.layout().name()
                  + " holds token ids (int64): igm fit trains image and spectrogram encoders; stream this layout to the"
                  + " training job instead (igm replay --layout)");
        }
        List<Integer> shape = List.copyOf(t.getShape());
        List<Integer> first = shapes.putIfAbsent(m, shape);
        if (first != null && !first.equals(shape)) {
          throw new IllegalArgumentException(
              "sample "
                  + row.sampleId()
                  + ", modality "
                  + m
                  + ": shape "
                  + shape
                  + ", the first sample's was "
                  + first);
        }
        views.put(m, codec.toFloatArray(t));
      }
      rows.add(new MultiViewRow(row.sampleId(), row.label(), row.split(), views));
      progress.accept(rows.size());
    }
    Map<String, Integer> widths = new LinkedHashMap<>();
    shapes.forEach((m, shape) -> widths.put(m, shape.stream().reduce(1, Math::multiplyExact)));
    return new LayoutTensors(
        new MultiViewDataset(index.name(), index.classNames(), widths, rows), shapes);
  }
}
