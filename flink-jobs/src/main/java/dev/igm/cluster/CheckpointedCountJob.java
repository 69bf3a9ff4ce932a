package dev.igm.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

/**
 * A self-contained cluster check: a rate-limited, checkpointed source of the numbers {@code 0..records-1},
 * keyed by {@code n % keys}, a count and a sum per key in RocksDB keyed state (incremental checkpoints), and at
 * the end of the input one file per key ({@code <output>/key-<k>.txt}: {@code count=<c> sum=<s>}).
 *
 * <p>Exactly-once shows in the files: whatever failed and restarted in between, each key's count is
 * {@code records / keys} (± 1) and its sum is the sum of its numbers. The files are written by the event-time timer
 * at the end of input (overwritten whole, so a restart after writing them changes nothing). Used by
 * {@code SessionClusterIT} against a real session cluster ({@code deploy/local/flink-cluster.sh}); needs only Flink
 * (flink-connector-datagen is part of the cluster's classpath), so the thin {@code igm-flink-jobs} jar runs it.
 *
 * <pre>
 * --records N (default 10000)  --keys K (8)  --rate R records/s over all subtasks (500)
 * --checkpoint-interval MS (1000)  --output DIR (required)
 * </pre>
 */
public final class CheckpointedCountJob {

  private CheckpointedCountJob() {}

  public static void main(String[] args) throws Exception {
    long records = 10_000;
    int keys = 8;
    double rate = 500;
    long checkpointMs = 1_000;
    String output = null;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--records" -> records = Long.parseLong(require(args[i], value));
        case "--keys" -> keys = Integer.parseInt(require(args[i], value));
        case "--rate" -> rate = Double.parseDouble(require(args[i], value));
        case "--checkpoint-interval" -> checkpointMs = Long.parseLong(require(args[i], value));
        case "--output" -> output = require(args[i], value);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
      i++;
    }
    if (output == null) {
      throw new IllegalArgumentException("--output DIR is required");
    }

    Configuration conf = new Configuration();
    conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(checkpointMs));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);

    DataGeneratorSource<Long> source =
        new DataGeneratorSource<>(index -> index, records, RateLimiterStrategy.perSecond(rate), Types.LONG);
    final int k = keys;
    final String out = output;
    env.fromSource(source, WatermarkStrategy.noWatermarks(), "numbers")
        .keyBy(n -> n % k, Types.LONG)
        .process(new CountPerKey(out))
        .name("count-per-key")
        .sinkTo(new DiscardingSink<>())
        .name("discard");
    env.execute("igm-cluster-check: checkpointed count (" + records + " records, " + keys + " keys)");
  }

  private static String require(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }

  /** Count and sum per key in keyed state; the totals go to a file when the input ends (watermark +inf). */
  static final class CountPerKey extends KeyedProcessFunction<Long, Long, String> {
    private final String output;
    private transient ValueState<Long> count;
    private transient ValueState<Long> sum;

    CountPerKey(String output) {
      this.output = output;
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext context) {
      count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
      sum = getRuntimeContext().getState(new ValueStateDescriptor<>("sum", Types.LONG));
    }

    @Override
    public void processElement(Long n, Context ctx, Collector<String> collector) throws IOException {
      Long c = count.value();
      if (c == null) {
        c = 0L;
        // Fires once the source has ended: the end of a bounded input advances event time to +inf.
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
      }
      count.update(c + 1);
      Long s = sum.value();
      sum.update((s == null ? 0L : s) + n);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> collector) throws IOException {
      long key = ctx.getCurrentKey();
      String line = "count=" + count.value() + " sum=" + sum.value();
      Path dir = Paths.get(output);
      Files.createDirectories(dir);
      Path tmp = dir.resolve(".key-" + key + ".tmp");
      Files.writeString(tmp, line + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, dir.resolve("key-" + key + ".txt"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      collector.collect("key " + key + ": " + line);
    }
  }
}
