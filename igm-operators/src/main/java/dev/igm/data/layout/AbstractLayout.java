package dev.igm.data.layout;

import dev.igm.data.DatasetFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a layout has read eagerly once it is open: its name, class names, modalities, usable items
 * and the rows it skipped. A subclass decodes the items ({@link #load}).
 */
abstract class AbstractLayout implements DatasetLayout {
  private final String name;
  private final List<String> classNames;
  private final List<String> modalities;
  private final List<LayoutItem> items;
  private final List<String> skipped;

  AbstractLayout(
      String name,
      List<String> classNames,
      List<String> modalities,
      List<LayoutItem> items,
      List<String> skipped) {
    this.name = name;
    this.classNames = List.copyOf(classNames);
    this.modalities = List.copyOf(modalities);
    this.items = List.copyOf(items);
    this.skipped = List.copyOf(skipped);
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final List<String> classNames() {
    return classNames;
  }

  @Override
  public final List<String> modalities() {
    return modalities;
  }

  @Override
  public final List<LayoutItem> items() {
    return items;
  }

  @Override
  public final List<String> skipped() {
    return skipped;
  }

  /**
   * {@code file}, which an annotation layout must have; else a {@link DatasetFormatException}
   * naming the dataset.
   */
  static Path requireFile(Path file, String dataset) {
    if (!Files.isRegularFile(file)) {
      throw new DatasetFormatException(
          file + ": missing (not a " + dataset + " layout root? see igm replay --help)");
    }
    return file;
  }
}
