package dev.igm.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFolderTest {
  @TempDir Path dir;

  @Test
  void aCompleteRunReplacesThePreviousResults() throws IOException {
    Path target = Files.createDirectories(dir.resolve("out"));
    Files.writeString(target.resolve("table.md"), "old\n");
    try (OutputFolder out = OutputFolder.stage(target)) {
      Files.writeString(out.work().resolve("table.md"), "new\n");
      out.commit();
    }
    assertThat(Files.readString(target.resolve("table.md"))).isEqualTo("new\n");
    assertThat(OutputFolder.contents(dir)).containsExactly("out/");
  }

  @Test
  void ctrlCRemovesThePartialFolderEvenWhileAWriterRecreatesItAndRefusesTheCommit()
      throws Exception {
    Path target = Files.createDirectories(dir.resolve("out"));
    Files.writeString(target.resolve("table.md"), "the previous run's\n");
    try (OutputFolder out = OutputFolder.stage(target)) {
      // the command's thread, still drawing its report while the shutdown runs
      AtomicBoolean writing = new AtomicBoolean(true);
      Thread writer =
          new Thread(
              () -> {
                long end = System.nanoTime() + 150_000_000L;
                while (System.nanoTime() < end) {
                  try {
                    Files.createDirectories(out.work().resolve("report"));
                    Files.writeString(out.work().resolve("report/chart.png"), "x");
                  } catch (IOException e) {
                    // removed under it: the writer carries on, as a report writer might
                  }
                }
                writing.set(false);
              });
      writer.start();
      Thread.sleep(20);
      out.abandon(); // returns once the folder has stayed gone for a while: the writer is done
      writer.join();
      assertThat(writing).isFalse();
      assertThat(out.work()).doesNotExist();
      assertThatThrownBy(out::commit).isInstanceOf(IOException.class).hasMessageContaining("keeps");
    }
    assertThat(Files.readString(target.resolve("table.md"))).isEqualTo("the previous run's\n");
    assertThat(OutputFolder.contents(dir)).containsExactly("out/");
  }
}
