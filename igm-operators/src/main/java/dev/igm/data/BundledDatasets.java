package dev.igm.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Datasets shipped inside the jar (resources under {@code dev/igm/data/}), loadable without the
 * repository checkout.
 */
public final class BundledDatasets {
  /** UCI Image Segmentation views: shape/texture = attributes 1–9, colour = attributes 10–19. */
  public static final String SEGMENT_VIEWS = "shape=1-9,colour=10-19";

  private BundledDatasets() {}

  /**
   * UCI Image Segmentation (CC BY 4.0; see {@code segment/SOURCE.md}): 2,310 rows, 7 classes in the
   * ARFF declaration order (brickface, sky, foliage, cement, window, path, grass), views {@code
   * shape} (width 9) and {@code colour} (width 10). {@code segment-challenge.arff} (1,500 rows) is
   * TRAIN, {@code segment-test.arff} (810 rows) is TEST. Sample ids: {@code
   * segment/segment-challenge/<row>} and {@code segment/segment-test/<row>}. Raw values (not
   * standardised; see {@link ViewStandardizer}).
   */
  public static MultiViewDataset segment() {
    TableOptions options =
        TableOptions.builder().datasetName("segment").viewMap(SEGMENT_VIEWS).build();
    MultiViewDataset train = arff("segment/segment-challenge.arff", options);
    MultiViewDataset test = arff("segment/segment-test.arff", options);
    return MultiViewDataset.trainTest("segment", train, test);
  }

  private static MultiViewDataset arff(String resource, TableOptions options) {
    try (InputStream in = BundledDatasets.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "bundled resource dev/igm/data/" + resource + " is missing from the classpath");
      }
      return ArffReader.read(in, resource.substring(resource.lastIndexOf('/') + 1), options);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
