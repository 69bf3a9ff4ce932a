package dev.igm.data.layout;

import dev.igm.avro.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A paper dataset in the on-disk layout of the reference code (github.com/njustkmg/IJCAI25-IGM,
 * {@code datasets/*.py}): the annotation files are read eagerly (so a bad line fails before
 * anything is sent), the media files are decoded per sample by {@link #load}, with the reference's
 * deterministic (evaluation) preprocessing.
 */
public interface DatasetLayout {
  /** Dataset name: the stream name and the first part of every sample id. */
  String name();

  List<String> classNames();

  /** Modality names in record order, e.g. {@code audio, visual}. */
  List<String> modalities();

  /**
   * Every usable sample: the TRAIN annotation's rows, then VALID (where the layout has one), then
   * TEST, in file order.
   */
  List<LayoutItem> items();

  /**
   * Annotation rows the reference code skips because a media file is missing (it checks {@code
   * os.path.exists}); the replay skips them too and reports how many. None by default: where the
   * reference checks nothing, a missing file is an error when the layout is opened.
   */
  default List<String> skipped() {
    return List.of();
  }

  /** Decodes one sample's files into tensors, in {@link #modalities()} order. */
  Map<String, Tensor> load(LayoutItem item);
}
