package dev.igm.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the model store's retention keeps and deletes, on real files. */
class ModelStoreRetentionTest {
  @TempDir Path store;

  @Test
  void keepsTheNewestCommittedVersionsTheUncommittedOnesAndThoseInService() throws IOException {
    for (long v = 10; v <= 100; v += 10) {
      version("igm", v);
    }
    // a serving instance still has v20 in service
    ServingMarkers.write(
        store.resolve("igm/v00000020.safetensors").toUri().toString(), 20, "igm-serve_g-0");
    // v90 and v100 are written, their records not committed yet: the newest committed is v80
    List<Long> deleted = new ModelStoreRetention(store.toUri().toString(), 3).prune("igm", 80);

    assertThat(deleted).containsExactly(10L, 30L, 40L, 50L);
    assertThat(versionsOnDisk("igm")).containsExactly(20L, 60L, 70L, 80L, 90L, 100L);
    assertThat(store.resolve("igm/v00000010.json")).doesNotExist();
    assertThat(store.resolve("igm/serving")).isDirectory();
  }

  @Test
  void keepZeroKeepsEverythingAndOtherModelsAreUntouched() throws IOException {
    for (long v = 1; v <= 5; v++) {
      version("igm", v);
      version("joint", v);
    }
    assertThat(new ModelStoreRetention(store.toUri().toString(), 0).prune("igm", 5)).isEmpty();
    assertThat(new ModelStoreRetention(store.toUri().toString(), 1).prune("igm", 5))
        .containsExactly(1L, 2L, 3L, 4L);
    assertThat(versionsOnDisk("igm")).containsExactly(5L);
    assertThat(versionsOnDisk("joint")).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(new ModelStoreRetention(store.toUri().toString(), 2).prune("absent", 5)).isEmpty();
  }

  @Test
  void anUnreadableServingMarkerStopsTheDeletion() throws IOException {
    for (long v = 1; v <= 5; v++) {
      version("igm", v);
    }
    Files.createDirectories(store.resolve("igm/serving"));
    Files.writeString(store.resolve("igm/serving/half-written.version"), "uri=file:/x\n");
    assertThatThrownBy(() -> new ModelStoreRetention(store.toUri().toString(), 1).prune("igm", 5))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("names no version");
    assertThat(versionsOnDisk("igm")).hasSize(5);
  }

  @Test
  void markersAreOnePerInstanceAndOverwritten() throws IOException {
    version("igm", 7);
    version("igm", 8);
    String uri7 = store.resolve("igm/v00000007.safetensors").toUri().toString();
    String uri8 = store.resolve("igm/v00000008.safetensors").toUri().toString();
    ServingMarkers.write(uri7, 7, "igm-serve_g-0");
    ServingMarkers.write(uri7, 7, "igm-serve_g-1");
    ServingMarkers.write(uri8, 8, "igm-serve_g-0");
    assertThat(ServingMarkers.read(new org.apache.flink.core.fs.Path(store.resolve("igm").toUri())))
        .containsEntry("igm-serve_g-0", 8L)
        .containsEntry("igm-serve_g-1", 7L)
        .hasSize(2);
  }

  private void version(String model, long v) throws IOException {
    Path dir = Files.createDirectories(store.resolve(model));
    Files.write(dir.resolve(String.format("v%08d.safetensors", v)), new byte[] {1, 2, 3});
    Files.writeString(dir.resolve(String.format("v%08d.json", v)), "{}");
  }

  private TreeSet<Long> versionsOnDisk(String model) throws IOException {
    TreeSet<Long> out = new TreeSet<>();
    try (Stream<Path> files = Files.list(store.resolve(model))) {
      files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".safetensors"))
          .forEach(n -> out.add(Long.parseLong(n.substring(1, 9))));
    }
    try (Stream<Path> files = Files.list(store.resolve(model))) {
      assertThat(
              files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).count())
          .as("a .json beside every .safetensors")
          .isEqualTo(out.size());
    }
    return out;
  }
}
