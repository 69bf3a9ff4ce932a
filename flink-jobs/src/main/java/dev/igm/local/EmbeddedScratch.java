package dev.igm.local;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/**
 * The run folders ({@link RunScratch}) of one embedded cluster: Flink's temporary folder ({@code
 * io.tmp.dirs}) and RocksDB's working folder ({@code state.backend.rocksdb.localdir}) each point
 * into a folder of this run under the configured one, deleted when the run ends — also when a
 * signal ends it, which Flink's own clean-up does not cover (the extracted RPC jar, {@code
 * minicluster_*}, RocksDB's instance folders stayed behind).
 */
public final class EmbeddedScratch implements AutoCloseable {
  static final List<String> KEYS = List.of("io.tmp.dirs", "state.backend.rocksdb.localdir");

  private final List<RunScratch> folders;

  private EmbeddedScratch(List<RunScratch> folders) {
    this.folders = folders;
  }

  /** Nothing to clean up (a remote cluster keeps its own folders). */
  public static EmbeddedScratch none() {
    return new EmbeddedScratch(List.of());
  }

  /**
   * Points {@link #KEYS} of {@code conf} at run folders under the folders they name (the first,
   * where a key lists several); a key {@code conf} leaves unset gets one under {@code defaultBase}.
   */
  public static EmbeddedScratch apply(Configuration conf, Path defaultBase) throws IOException {
    List<RunScratch> made = new ArrayList<>();
    try {
      for (String key : KEYS) {
        String value = conf.toMap().get(key);
        Path base =
            value == null || value.isBlank()
                ? defaultBase.resolve(key.startsWith("io.") ? "tmp" : "rocksdb")
                : Path.of(value.split("[,:]")[0]);
        RunScratch run = RunScratch.under(base);
        made.add(run);
        conf.setString(key, run.dir().toString());
        if (key.equals("io.tmp.dirs")) {
          // the web UI's files go with the run's other temporary files (EmbeddedFlink#bind put them
          // under the old
          // io.tmp.dirs), so that they too are gone when the run ends
          String web = conf.toMap().get("web.tmpdir");
          if (web == null || web.equals(base + "/flink-web")) {
            conf.setString("web.tmpdir", run.dir().resolve("flink-web").toString());
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      made.forEach(RunScratch::close);
      throw e;
    }
    return new EmbeddedScratch(made);
  }

  @Override
  public void close() {
    folders.forEach(RunScratch::close);
  }
}
