package dev.igm.flink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Which version of a model each serving instance has in service, recorded in the model store beside
 * the snapshots: {@code <store>/<modelId>/serving/<instance>.version}, a few lines of text ({@code
 * version=42}, {@code uri=...}, {@code written=...}). The trainer's retention ({@link
 * ModelStoreRetention}) never deletes a version a marker names: a serving job that restarts reloads
 * the version its checkpoint holds, which can be older than every version the trainer would
 * otherwise keep (a quality gate that refused the newer ones, a serving job stopped for a while).
 *
 * <p>A marker is overwritten with every version its instance puts in service and is never deleted
 * by the product: a serving job that is gone for good pins one version per instance until its
 * markers are removed by hand.
 */
public final class ServingMarkers {
  /** The folder of the markers inside a model's folder. */
  public static final String DIR = "serving";

  private static final String SUFFIX = ".version";

  private ServingMarkers() {}

  /**
   * Records that {@code instance} serves {@code version}, whose snapshot file is {@code
   * snapshotUri}: the marker goes to the {@value #DIR} folder beside that file.
   */
  public static void write(String snapshotUri, long version, String instance) throws IOException {
    Path snapshot = new Path(URI.create(snapshotUri));
    Path dir = new Path(snapshot.getParent(), DIR);
    FileSystem fs = dir.getFileSystem();
    fs.mkdirs(dir);
    String text =
        "version=" + version + "\nuri=" + snapshotUri + "\nwritten=" + Instant.now() + "\n";
    try (OutputStream out =
        fs.create(new Path(dir, fileName(instance)), FileSystem.WriteMode.OVERWRITE)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * The versions in service by instance, from the markers in {@code modelDir}'s {@value #DIR}
   * folder (none when it does not exist).
   *
   * @throws IOException also when a marker cannot be read or parsed: the caller must then delete
   *     nothing
   */
  public static Map<String, Long> read(Path modelDir) throws IOException {
    Path dir = new Path(modelDir, DIR);
    FileSystem fs = dir.getFileSystem();
    Map<String, Long> out = new HashMap<>();
    if (!fs.exists(dir)) {
      return out;
    }
    FileStatus[] files = fs.listStatus(dir);
    for (FileStatus f : files == null ? new FileStatus[0] : files) {
      String name = f.getPath().getName();
      if (f.isDir() || !name.endsWith(SUFFIX)) {
        continue;
      }
      String text;
      try (InputStream in = fs.open(f.getPath())) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        in.transferTo(b);
        text = b.toString(StandardCharsets.UTF_8);
      }
      Long version = null;
      for (String line : text.split("\n")) {
        if (line.startsWith("version=")) {
          try {
            version = Long.parseLong(line.substring("version=".length()).trim());
          } catch (NumberFormatException e) {
            throw new IOException(
                "serving marker " + f.getPath() + " has no valid version: " + line, e);
          }
        }
      }
      if (version == null) {
        throw new IOException(
            "serving marker " + f.getPath() + " names no version (being written?)");
      }
      out.put(name.substring(0, name.length() - SUFFIX.length()), version);
    }
    return out;
  }

  /**
   * A file name for an instance name: letters, digits, '.', '_' and '-' kept, anything else '_'.
   */
  static String fileName(String instance) {
    return instance.replaceAll("[^A-Za-z0-9._-]", "_") + SUFFIX;
  }
}
