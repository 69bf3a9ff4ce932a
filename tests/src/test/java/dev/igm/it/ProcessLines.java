package dev.igm.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The lines a command started by a test prints (its output and errors merged), collected as they
 * come, so that the test can wait for one and signal the command at that moment.
 */
final class ProcessLines implements AutoCloseable {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private ProcessLines(Process process) {
    reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                  lines.add(l);
                }
              } catch (IOException e) {
                // the process ended
              }
            });
    reader.start();
  }

  /** Starts collecting what {@code process} prints. */
  static ProcessLines follow(Process process) {
    return new ProcessLines(process);
  }

  /** The lines so far (a live view). */
  List<String> lines() {
    return lines;
  }

  /** The lines so far, one text. */
  String text() {
    return String.join("\n", lines);
  }

  /** Waits (up to 10 s) for the end of the output, once the process has ended. */
  @Override
  public void close() throws InterruptedException {
    reader.join(10_000);
  }
}
