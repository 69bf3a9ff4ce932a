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
    List<String> lines = CpuUse.now(-1).since(before, "unused", 2);
    threads.forEach(Thread::interrupt);

    assertThat(lines).hasSize(4); // the top two, everything else, in all
    assertThat(lines.get(0)).endsWith("s  busy-worker-#");
    assertThat(seconds(lines.get(0))).isBetween(0.29, 0.5);
    assertThat(lines.get(1)).endsWith("s  lone-thread-…");
    assertThat(seconds(lines.get(1))).isBetween(0.09, 0.3);
    assertThat(lines.get(2)).endsWith("(everything else)");
    assertThat(lines.get(3)).contains("in all, over").contains("of wall time on");
    assertThat(seconds(lines.get(3))).isGreaterThanOrEqualTo(seconds(lines.get(0)) + 0.09);
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
