package dev.igm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class CpuUseTest {
  /** Spins until {@code nanos} of this thread's CPU time are used. */
  private static void burn(long nanos) {
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long until = mx.getCurrentThreadCpuTime() + nanos;
    double x = 1;
    while (mx.getCurrentThreadCpuTime() < until) {
      for (int i = 0; i < 10_000; i++) {
        x = Math.sqrt(x + i);
      }
    }
    if (x < 0) {
      throw new AssertionError(); // keeps the loop's work
    }
  }

  @Test
  void threadsOfOneKindAddUpAndTheBiggestComesFirst() throws Exception {
    CpuUse before = CpuUse.now(-1);
    CountDownLatch done = new CountDownLatch(3);
    List<Thread> threads = new java.util.ArrayList<>();
    for (String name : List.of("busy-worker-1", "busy-worker-22", "lone-thread-ab12cd34ef")) {
      long nanos = name.startsWith("busy") ? 150_000_000L : 100_000_000L;
      Thread t =
          new Thread(
              () -> {
                burn(nanos);
                try {
                  done.countDown();
                  Thread.sleep(60_000); // alive when read: a finished thread is not counted
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              name);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    done.await();
    List<String> lines = CpuUse.now(-1).since(before, "unused", 50);
    threads.forEach(Thread::interrupt);

    int busy = indexOf(lines, "s  busy-worker-#");
    int lone = indexOf(lines, "s  lone-thread-…");
    assertThat(busy).as("the bigger group first").isLessThan(lone);
    assertThat(seconds(lines.get(busy))).isBetween(0.29, 0.5);
    assertThat(seconds(lines.get(lone))).isBetween(0.09, 0.3);
    assertThat(lines.get(lines.size() - 2)).endsWith("(everything else)");
    String all = lines.get(lines.size() - 1);
    assertThat(all).contains("in all, over").contains("of wall time on");
    assertThat(seconds(all)).isGreaterThanOrEqualTo(seconds(lines.get(busy)) + 0.09);
    assertThat(CpuUse.now(-1).since(before, "unused", 1)).hasSize(3); // the top one, the rest, all
  }

  private static int indexOf(List<String> lines, String suffix) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).endsWith(suffix)) {
        return i;
      }
    }
    throw new AssertionError("no line ends with " + suffix + ": " + lines);
  }

  @Test
  void anotherProcessIsReportedUnderItsName() {
    long self = ProcessHandle.current().pid();
    CpuUse before = CpuUse.now(self);
    burn(100_000_000L);
    List<String> lines = CpuUse.now(self).since(before, "the broker", 10);
    String broker = lines.stream().filter(l -> l.endsWith("the broker")).findFirst().orElseThrow();
    assertThat(seconds(broker)).isGreaterThanOrEqualTo(0.09);
  }

  private static double seconds(String line) {
    return Double.parseDouble(line.trim().split("\\s+")[0]);
  }
}
