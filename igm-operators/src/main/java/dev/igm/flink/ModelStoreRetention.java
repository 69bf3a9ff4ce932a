package dev.igm.flink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The model store's retention: of each model's published versions ({@code
 * <store>/<modelId>/v<version>.safetensors} and {@code .json}), it keeps
 *
 * <ul>
 *   <li>the newest {@code keep} versions whose {@code ModelSnapshot} record is committed (so the
 *       version a consumer of the models topic sees as newest, and the ones before it, can still be
 *       loaded),
 *   <li>every version newer than that (written, its record not committed yet, or written again
 *       after a restore),
 *   <li>every version a serving instance has in service ({@link ServingMarkers}),
 * </ul>
 *
 * <p>and deletes the rest. The trainer calls it once a checkpoint has committed the records of the
 * versions it published before that checkpoint, so a file goes only after a newer version's record
 * is visible. When a serving marker cannot be read, nothing is deleted this time.
 */
public final class ModelStoreRetention {
  private static final Pattern VERSION_FILE = Pattern.compile("v(\\d+)\\.(safetensors|json)");

  private final Path root;
  private final int keep;

  /**
   * @param rootUri the model store
   * @param keep newest committed versions kept per model; 0 keeps everything
   */
  public ModelStoreRetention(String rootUri, int keep) {
    if (keep < 0) {
      throw new IllegalArgumentException("keep must be >= 0, got " + keep);
    }
    this.root = new Path(rootUri);
    this.keep = keep;
  }

  /**
   * Deletes the versions of {@code modelId} that are no longer kept, given that {@code committed}
   * is the newest version whose record is committed.
   *
   * @return the versions deleted, oldest first
   */
  public List<Long> prune(String modelId, long committed) throws IOException {
    if (keep == 0) {
      return List.of();
    }
    Path dir = new Path(root, modelId);
    FileSystem fs = dir.getFileSystem();
    if (!fs.exists(dir)) {
      return List.of();
    }
    FileStatus[] files = fs.listStatus(dir);
    TreeSet<Long> versions = new TreeSet<>();
    List<FileStatus> versionFiles = new ArrayList<>();
    for (FileStatus f : files == null ? new FileStatus[0] : files) {
      Matcher m = VERSION_FILE.matcher(f.getPath().getName());
      if (!f.isDir() && m.matches()) {
        versions.add(Long.parseLong(m.group(1)));
        versionFiles.add(f);
      }
    }
    Set<Long> kept = kept(versions, committed, ServingMarkers.read(dir).values());
    TreeSet<Long> deleted = new TreeSet<>();
    for (FileStatus f : versionFiles) {
      Matcher m = VERSION_FILE.matcher(f.getPath().getName());
      m.matches();
      long v = Long.parseLong(m.group(1));
      if (!kept.contains(v)) {
        fs.delete(f.getPath(), false);
        deleted.add(v);
      }
    }
    return new ArrayList<>(deleted);
  }

  /**
   * The versions kept of {@code versions}, given the newest committed one and the versions in
   * service.
   */
  Set<Long> kept(TreeSet<Long> versions, long committed, Collection<Long> inService) {
    Set<Long> kept = new TreeSet<>(versions.tailSet(committed, false));
    int n = 0;
    for (Long v : versions.headSet(committed, true).descendingSet()) {
      if (n++ >= keep) {
        break;
      }
      kept.add(v);
    }
    kept.addAll(inService);
    return kept;
  }
}
