package dev.igm.data.layout;

import dev.igm.avro.Split;
import java.nio.file.Path;
import java.util.List;

/**
 * One sample of a paper dataset layout, before decoding: its stable id, class index, split, where
 * it was declared (annotation file and line, for error messages), the files that hold its
 * modalities and, for text datasets, the raw text.
 *
 * @param sampleId stable across runs: {@code <dataset>/<annotation stem>/<clip or image id>}
 * @param origin {@code <annotation file> line <n>}
 * @param files the layout's files for this sample, in the order the layout documents (e.g. audio,
 *     then frame folder)
 * @param text the raw text (Twitter2015, Sarcasm), or null
 */
public record LayoutItem(
    String sampleId, int label, Split split, String origin, List<Path> files, String text) {
  public LayoutItem {
    files = List.copyOf(files);
  }
}
