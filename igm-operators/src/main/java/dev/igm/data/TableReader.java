package dev.igm.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads any supported table, choosing the reader by file name: {@code .arff} → {@link ArffReader};
 * {@code .csv} → {@link CsvReader}; {@code .tsv} → {@link CsvReader} with a tab delimiter; {@code
 * .npz} or a directory → {@link NpzReader}; {@code .npy} → the {@code .npy} files of its directory
 * via {@link NpzReader}, with this file as the feature matrix (e.g. {@code data/X.npy} next to
 * {@code data/y.npy}).
 */
public final class TableReader {
  private TableReader() {}

  /**
   * A table format read from a stream; {@code sourceName} (the file name) goes into the sample ids
   * and messages.
   */
  interface StreamFormat {
    MultiViewDataset read(InputStream in, String sourceName, TableOptions options);
  }

  /**
   * Reads {@code file} in {@code format}; an I/O failure is an {@link UncheckedIOException} naming
   * the file.
   */
  static MultiViewDataset readFile(Path file, TableOptions options, StreamFormat format) {
    try (InputStream in = Files.newInputStream(file)) {
      return format.read(in, file.getFileName().toString(), options);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  public static MultiViewDataset read(Path path, TableOptions options) {
    if (Files.isDirectory(path)) {
      return NpzReader.read(path, options);
    }
    String name = path.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".arff")) {
      return ArffReader.read(path, options);
    }
    if (lower.endsWith(".csv")) {
      return CsvReader.read(path, options);
    }
    if (lower.endsWith(".tsv")) {
      return CsvReader.read(path, options.toBuilder().delimiter('\t').build());
    }
    if (lower.endsWith(".npz")) {
      return NpzReader.read(path, options);
    }
    if (lower.endsWith(".npy")) {
      Path dir = path.toAbsolutePath().getParent();
      return NpzReader.read(dir, options.toBuilder().featuresArray(TextFields.stem(name)).build());
    }
    throw new IllegalArgumentException(
        name
            + ": unknown table format (expected .arff, .csv, .tsv, .npz, .npy or a directory of .npy files)");
  }
}
