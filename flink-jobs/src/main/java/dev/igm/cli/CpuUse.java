package dev.igm.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CPU time used by this process's threads, by the JVM itself (GC, JIT) and by another process (a
 * local broker) between two readings: where a benchmark phase's CPU went. Threads are grouped by
 * name with digits blanked ("kafka-producer-network-thread | producer-#"), so that one run's
 * clients and subtasks add up.
 */
final class CpuUse {
  private final Map<Long, Long> threadNanos;
  private final Map<Long, String> threadNames;
  private final long processNanos;
  private final long otherNanos;
  private final long wallNanos;
  private final long jitMillis;
  private final long gcMillis;

  private CpuUse(
      Map<Long, Long> threadNanos,
      Map<Long, String> threadNames,
      long processNanos,
      long otherNanos,
      long wallNanos) {
    this.threadNanos = threadNanos;
    this.threadNames = threadNames;
    this.processNanos = processNanos;
    this.otherNanos = otherNanos;
    this.wallNanos = wallNanos;
    var jit = ManagementFactory.getCompilationMXBean();
    this.jitMillis = jit == null ? 0 : jit.getTotalCompilationTime();
    this.gcMillis =
        ManagementFactory.getGarbageCollectorMXBeans().stream()
            .mapToLong(gc -> Math.max(0, gc.getCollectionTime()))
            .sum();
  }

  private static long cpuNanos(ProcessHandle process) {
    return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  /** Reads every live thread's CPU time and {@code other}'s (a pid; -1 for none). */
  static CpuUse now(long other) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<Long, Long> nanos = new HashMap<>();
    Map<Long, String> names = new HashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      long cpu = mx.getThreadCpuTime(t.getId());
      if (cpu >= 0) {
        nanos.put(t.getId(), cpu);
        names.put(t.getId(), t.getName());
      }
    }
    long otherNanos = other < 0 ? 0 : ProcessHandle.of(other).map(CpuUse::cpuNanos).orElse(0L);
    return new CpuUse(
        nanos, names, cpuNanos(ProcessHandle.current()), otherNanos, System.nanoTime());
  }

  /**
   * Lines naming the {@code top} largest users since {@code before} (seconds of CPU, thread groups
   * of this process and the other process as {@code otherName}), then the rest together and the
   * wall time.
   */
  List<String> since(CpuUse before, String otherName, int top) {
    Map<String, Long> byGroup = new HashMap<>();
    for (Map.Entry<Long, Long> e : threadNanos.entrySet()) {
      long used = e.getValue() - before.threadNanos.getOrDefault(e.getKey(), 0L);
      if (used > 0) {
        byGroup.merge(group(threadNames.get(e.getKey())), used, Long::sum);
      }
    }
    long javaThreads = byGroup.values().stream().mapToLong(Long::longValue).sum();
    // The JVM's own threads (garbage collection, JIT compilers) are not Java threads: they are what
    // the process used beyond its Java threads (threads that ended meanwhile land here too).
    long jvm = processNanos - before.processNanos - javaThreads;
    if (jvm > 0) {
      byGroup.merge(
          String.format(
              Locale.ROOT,
              "(this JVM's GC, JIT compilers and ended threads: the JIT compiled for %.2f s, "
                  + "the collectors ran for %.2f s)",
              (jitMillis - before.jitMillis) / 1e3,
              (gcMillis - before.gcMillis) / 1e3),
          jvm,
          Long::sum);
    }
    if (otherNanos > 0) {
      byGroup.merge(otherName, otherNanos - before.otherNanos, Long::sum);
    }
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(byGroup.entrySet());
    sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
    List<String> lines = new ArrayList<>();
    long rest = 0;
    long total = 0;
    for (int i = 0; i < sorted.size(); i++) {
      long v = sorted.get(i).getValue();
      total += v;
      if (i < top) {
        lines.add(String.format(Locale.ROOT, "%6.2f s  %s", v / 1e9, sorted.get(i).getKey()));
      } else {
        rest += v;
      }
    }
    lines.add(String.format(Locale.ROOT, "%6.2f s  (everything else)", rest / 1e9));
    lines.add(
        String.format(
            Locale.ROOT,
            "%6.2f s  in all, over %.2f s of wall time on %d cores",
            total / 1e9,
            (wallNanos - before.wallNanos) / 1e9,
            Runtime.getRuntime().availableProcessors()));
    return lines;
  }

  private static String group(String threadName) {
    String g = threadName.replaceAll("[0-9a-f]{6,}", "…").replaceAll("[0-9]+", "#");
    return g.length() > 90 ? g.substring(0, 89) + "…" : g;
  }
}
