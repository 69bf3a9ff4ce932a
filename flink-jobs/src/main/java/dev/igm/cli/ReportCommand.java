package dev.igm.cli;

import dev.igm.kafka.KafkaAccess;
import dev.igm.report.FitCurves;
import dev.igm.report.HtmlReport;
import dev.igm.report.KafkaMetricsReader;
import dev.igm.report.MetricsFileReader;
import dev.igm.report.MetricsLog;
import dev.igm.report.MetricsTable;
import dev.igm.report.ModelHistory;
import dev.igm.report.TauSettings;
import dev.igm.report.TestPredictions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code igm report}: an HTML report with charts from the training metrics, read from Kafka or a
 * metrics file.
 */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Writes an HTML training report from the metrics topic (or a metrics file).",
      "",
      // Lines under 80 characters: picocli wraps at 80 and would break them mid-sentence.
      "Writes a training report to --out: index.html with a summary table per model",
      "(method, batches, samples trained, final prequential accuracy per modality",
      "and fused, refused steps, dead letters) and PNG charts next to it:",
      "  - prequential accuracy over batches, one chart per modality and fused,",
      "    comparing the models;",
      "  - training loss of all models;",
      "  - the latest eigenvalue spectrum behind each T (per model, modality and",
      "    head layer; log scale, largest first) with the scaling T applies,",
      "    s_i = exp(-tau (l_i - lmin) / (lmax - lmin));",
      "  - T refresh time; dead letters by stage and reason.",
      "",
      "Source, one of:",
      "  --bootstrap     reads the TrainingMetrics topic and the DeadLetter topic",
      "                  from the earliest offsets to the end offsets found at",
      "                  start, without a consumer group, then stops.",
      "  --metrics-file  JSON Lines, one record per line: a TrainingMetrics object",
      "                  with the Avro field names, or a DeadLetter object marked",
      "                  \"record\": \"DeadLetter\" (see the README).",
      "",
      "Examples:",
      "  igm report --bootstrap 127.0.0.1:9092",
      "  igm report --metrics-file metrics.jsonl --out target/r --model-tau igm=1.0",
      ""
    })
public final class ReportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers to read the topics from.")
  String bootstrap;

  @Option(
      names = "--metrics-topic",
      paramLabel = "TOPIC",
      defaultValue = "igm.metrics",
      description = "Topic of the TrainingMetrics records. Default: ${DEFAULT-VALUE}.")
  String metricsTopic;

  @Option(
      names = "--dlq-topic",
      paramLabel = "TOPIC",
      defaultValue = "igm.samples.dlq",
      description =
          "Dead-letter topic (DeadLetter records); a missing topic counts as none. Default: ${DEFAULT-VALUE}.")
  String dlqTopic;

  @Option(names = "--no-dlq", description = "Do not read the dead-letter topic.")
  boolean noDlq;

  @Option(
      names = "--predictions-topic",
      paramLabel = "TOPIC",
      defaultValue = "igm.predictions",
      description =
          "Topic of the training job's predictions: its TEST predictions give the report's TEST table"
              + " (Kafka source only). Default: ${DEFAULT-VALUE}.")
  String predictionsTopic;

  @Option(names = "--no-test", description = "Do not read the predictions topic (no TEST table).")
  boolean noTest;

  /** Kafka consumer settings (security, client id). */
  @Mixin KafkaClientOptions kafka = new KafkaClientOptions();

  @Option(
      names = "--timeout",
      defaultValue = "60",
      paramLabel = "SECONDS",
      description = "Time allowed for reading each topic. Default: ${DEFAULT-VALUE}.")
  long timeoutSeconds;

  @Option(
      names = "--metrics-file",
      paramLabel = "PATH",
      description =
          "Metrics file(s) in JSON Lines instead of Kafka; repeatable (e.g. one file per job).")
  List<Path> metricsFiles;

  @Option(
      names = "--fit",
      paramLabel = "DIR",
      description =
          "An igm fit --out folder instead of a training job's metrics; repeatable. Draws each method's"
              + " per-modality VALID accuracy over the epochs (imbalance.png), and TEST's (imbalance-test.png) for runs"
              + " fitted with --test-curve.")
  List<Path> fitFolders;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "target/igm-report",
      description = "Output folder. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(
      names = "--tau",
      paramLabel = "TAU",
      defaultValue = "0.4",
      description =
          "The tau the models trained with, for the T scaling next to each spectrum. Default: ${DEFAULT-VALUE}.")
  double tau;

  @Option(
      names = "--model-tau",
      paramLabel = "MODEL=TAU",
      description = "tau of one model where it differs, repeatable.")
  Map<String, Double> modelTau = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    boolean fromFiles = metricsFiles != null && !metricsFiles.isEmpty();
    boolean fromFits = fitFolders != null && !fitFolders.isEmpty();
    if ((fromFiles ? 1 : 0) + (bootstrap != null ? 1 : 0) + (fromFits ? 1 : 0) != 1) {
      throw new ParameterException(
          spec.commandLine(), "give one of --bootstrap, --metrics-file or --fit");
    }
    if (fromFits) {
      try {
        FitCurves curves = FitCurves.read(fitFolders);
        Path index = curves.write(out);
        boolean tested = curves.runs().stream().anyMatch(r -> !r.testAccuracy().isEmpty());
        System.err.println(
            "read "
                + curves.runs().size()
                + " igm fit run(s); chart imbalance.png"
                + (tested
                    ? " (VALID) and imbalance-test.png (TEST, recorded by --test-curve)"
                    : ""));
        System.out.println(index.toAbsolutePath());
        return 0;
      } catch (IOException e) {
        System.err.println("igm report: " + e.getMessage());
        return 1;
      }
    }
    if (timeoutSeconds <= 0) {
      throw new ParameterException(
          spec.commandLine(), "--timeout must be positive, got " + timeoutSeconds);
    }
    TauSettings tauSettings;
    try {
      tauSettings = new TauSettings(tau, modelTau);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }

    MetricsLog log;
    MetricsTable test = null;
    try {
      if (fromFiles) {
        log = new MetricsLog();
        for (Path f : metricsFiles) {
          MetricsFileReader.readInto(f, log);
        }
      } else {
        Map<String, String> kafkaProperties = kafka.resolve();
        KafkaAccess.check(
            bootstrap,
            kafkaProperties,
            Duration.ofSeconds(Math.min(timeoutSeconds, KafkaAccess.DEFAULT_TIMEOUT.toSeconds())));
        KafkaMetricsReader reader =
            new KafkaMetricsReader(bootstrap, Duration.ofSeconds(timeoutSeconds), kafkaProperties);
        log = reader.read(metricsTopic, noDlq ? null : dlqTopic);
        if (!noTest) {
          test =
              TestPredictions.table(
                  TestPredictions.read(
                      bootstrap,
                      predictionsTopic,
                      kafkaProperties,
                      Duration.ofSeconds(timeoutSeconds)));
        }
      }
    } catch (IOException | TimeoutException | KafkaAccess.Refused e) {
      // A missing topic or file, a bad line, a broker that does not answer: the message says it, a
      // trace would not.
      System.err.println("igm report: " + e.getMessage());
      return 1;
    }

    HtmlReport report = new HtmlReport(tauSettings);
    if (test != null && !test.isEmpty()) {
      report = report.withTest(test, "read from topic " + predictionsTopic);
      System.out.println("TEST (" + predictionsTopic + ")");
      System.out.print(test.text());
    }
    HtmlReport.Result result = report.write(log, out);
    PrintStream err = System.err;
    for (String source : log.sources()) {
      err.println("read " + source);
    }
    if (log.models().isEmpty()) {
      err.println("warning: no TrainingMetrics records; the report only says so");
    }
    for (ModelHistory m : log.models()) {
      err.printf(
          Locale.ROOT,
          "%-16s %-12s %6d records, %7d batches, fused accuracy %s%n",
          m.modelId(),
          m.method(),
          m.size(),
          m.latest().getBatches(),
          m.finalAccuracy(ModelHistory.FUSED).isPresent()
              ? String.format(
                  Locale.ROOT, "%.4f", m.finalAccuracy(ModelHistory.FUSED).getAsDouble())
              : "—");
    }
    log.unreadable()
        .forEach(
            (source, n) -> err.println("warning: " + n + " undecodable record(s) in " + source));
    err.println(result.charts().size() + " charts");
    System.out.println(result.index().toAbsolutePath());
    return 0;
  }
}
