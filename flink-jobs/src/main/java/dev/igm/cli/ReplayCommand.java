package dev.igm.cli;

import dev.igm.avro.Split;
import dev.igm.data.EventClock;
import dev.igm.data.ReplayPlan;
import dev.igm.data.ReplaySource;
import dev.igm.data.SampleEncoder;
import dev.igm.data.TableSource;
import dev.igm.data.layout.LayoutSource;
import dev.igm.data.layout.TextImageLayout;
import dev.igm.replay.KafkaReplayer;
import dev.igm.replay.ProducerSettings;
import dev.igm.replay.ReplayException;
import dev.igm.replay.ReplayProgress;
import dev.igm.replay.ReplaySummary;
import dev.igm.replay.TopicCheck;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code igm replay}: streams a dataset to Kafka as Avro MultimodalSample records, in the order
 * {@code igm fit} trains.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Replays a dataset to a Kafka topic, in the order 'igm fit' trains on it.",
      "",
      "Replays a dataset to a Kafka topic as Avro MultimodalSample records (key = sample id), in exactly the order",
      "'igm fit' trains on it: per epoch the TRAIN rows shuffled by --shuffle-seed, then VALID/TEST rows (after the",
      "last epoch, or after every epoch with --eval-every-epoch). Sample ids are <row id>@<epoch>, stable across runs.",
      "",
      "Choose one input: --dataset (bundled), --file (a table), or --layout with --root (a paper dataset).",
    },
    footer = {
      "",
      "Examples:",
      "  igm replay --dataset segment --epochs 5 --create-topic",
      "  igm replay --file data.csv --views 'audio=1-40,video=41-80' --label class --valid-fraction 0.1",
      "  igm replay --file a=a.csv --file b=b.csv --join-column id --label class",
      "  igm replay --layout cremad --root /data/CREMA --image-size 112 --rate 200",
      "  igm replay --layout cremad --root av-bench --image-size 32 --spectrogram-size 64x64 --frames 2 --epochs 10",
      "",
      "Layouts (as github.com/njustkmg/IJCAI25-IGM lays them out; evaluation preprocessing for every split):",
      "  cremad           annotations/{train,test}.csv, AudioWAV/<clip>.wav, Image-01-FPS/<clip>/*.jpg",
      "                   audio [1,257,188] log-STFT, visual [3,F,S,S] (F = 1 unless --frames)",
      "  kinetics-sounds  annotations/{train,test}.csv (youtube_id,label), {train,test}_wav/<id>.wav,",
      "                   {train,test}_img/Image-01-FPS/<id>/*.jpg; audio [1,257,1003], visual [3,F,S,S] (F = 3)",
      "                   (both: audio [1,H,W] with --spectrogram-size HxW)",
      "  twitter2015      annotations/{train,dev,test}.tsv (Label, ImageID, String), twitter2015_images/<ImageID>",
      "                   text int64 [max-words] word ids, image [3,S,S]",
      "  sarcasm          annotations/{train,valid,test}_data.json, images/<file>; text, image as twitter2015",
      "  nvgesture        nvgesture_{train,test}_correct_v2.lst, Video_data/<class>/<subject>/sk_{color,depth}.avi",
      "                   (Motion-JPEG), Video_data/flow_data/{train,test}/<line>.npy (H,W,2,T);",
      "                   rgb [3,80,S,S] (B,G,R order as the reference), of [2,T,S,S], depth [1,80,S,S]",
      "",
      "Exit codes: 0 done; 1 Kafka failed (unreachable, records rejected); 2 bad input or options.",
    })
public final class ReplayCommand implements Callable<Integer> {

  enum EventTime {
    wall,
    synthetic
  }

  @Spec CommandLine.Model.CommandSpec spec;

  // ---- input
  @Mixin DatasetSource data = new DatasetSource();

  // ---- plan
  @Option(
      names = "--epochs",
      paramLabel = "N",
      defaultValue = "1",
      description = "Passes over the TRAIN rows (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(
      names = "--shuffle-seed",
      paramLabel = "S",
      defaultValue = "42",
      description =
          "Seed of the per-epoch TRAIN order, 'igm fit --seed' (default ${DEFAULT-VALUE}).")
  long shuffleSeed;

  @Option(
      names = "--eval-every-epoch",
      description = "Send the VALID/TEST rows after every epoch, not only after the last.")
  boolean evalEveryEpoch;

  @Option(
      names = "--stream",
      paramLabel = "NAME",
      description = "Stream name in the records (default: the dataset name).")
  String stream;

  @Option(
      names = "--event-time",
      paramLabel = "MODE",
      defaultValue = "synthetic",
      description =
          "wall: the time of sending; synthetic: --event-start + i × --event-interval-ms for the i-th record, identical in every replay (default ${DEFAULT-VALUE}).")
  EventTime eventTime;

  @Option(
      names = "--event-start",
      paramLabel = "INSTANT",
      defaultValue = "2025-01-01T00:00:00Z",
      description = "First synthetic event time (default ${DEFAULT-VALUE}).")
  Instant eventStart;

  @Option(
      names = "--event-interval-ms",
      paramLabel = "MS",
      defaultValue = "10",
      description = "Synthetic event-time step per record (default ${DEFAULT-VALUE}).")
  long eventIntervalMs;

  // ---- Kafka
  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      defaultValue = "${env:KAFKA_BOOTSTRAP:-127.0.0.1:9092}",
      description =
          "Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP, else 127.0.0.1:9092, the local broker of deploy/local/kafka.sh; now ${DEFAULT-VALUE}).")
  String bootstrap;

  @Option(
      names = "--topic",
      paramLabel = "TOPIC",
      defaultValue = "igm.samples",
      description = "Topic to write (default ${DEFAULT-VALUE}).")
  String topic;

  @Option(
      names = "--rate",
      paramLabel = "R",
      defaultValue = "0",
      description =
          "At most R records/s; 0 = as fast as Kafka takes them (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--create-topic",
      description =
          "Create the topic if it does not exist (replication 1, max.message.bytes = --max-request-size).")
  boolean createTopic;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Partitions of a created topic (default ${DEFAULT-VALUE}; one partition keeps the training order).")
  int partitions;

  @Option(
      names = "--linger-ms",
      paramLabel = "MS",
      defaultValue = "" + ProducerSettings.DEFAULT_LINGER_MS,
      description = "Producer linger.ms (default ${DEFAULT-VALUE}).")
  int lingerMs;

  @Option(
      names = "--batch-size",
      paramLabel = "BYTES",
      defaultValue = "" + ProducerSettings.DEFAULT_BATCH_BYTES,
      description = "Producer batch.size (default ${DEFAULT-VALUE}).")
  int batchBytes;

  @Option(
      names = "--max-request-size",
      paramLabel = "BYTES",
      defaultValue = "" + ProducerSettings.DEFAULT_MAX_REQUEST_BYTES,
      description = "Producer max.request.size, the largest record (default ${DEFAULT-VALUE}).")
  int maxRequestBytes;

  @Mixin KafkaClientOptions kafka = new KafkaClientOptions();

  @Option(
      names = "--producer-prop",
      hidden = true,
      paramLabel = "KEY=VALUE",
      description = "Deprecated spelling of --kafka-property.")
  Map<String, String> producerProps = new LinkedHashMap<>();

  @Option(
      names = "--dry-run",
      description =
          "Read and encode every record, send nothing (checks a dataset; measures the encoder).")
  boolean dryRun;

  @Option(names = "--no-progress", description = "No progress bar on stderr.")
  boolean noProgress;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ReplaySource source;
    ReplayPlan plan;
    SampleEncoder encoder;
    Map<String, String> kafkaProperties;
    try {
      KafkaClientOptions.warnDeprecated(err, "replay", "--producer-prop", !producerProps.isEmpty());
      checkOptions();
      source = source();
      plan = ReplayPlan.of(source.index(), epochs, shuffleSeed, evalEveryEpoch);
      String streamName = stream != null ? stream : source.index().name();
      EventClock clock =
          eventTime == EventTime.wall
              ? EventClock.wall(Clock.systemUTC())
              : EventClock.synthetic(eventStart.toEpochMilli(), eventIntervalMs);
      encoder = new SampleEncoder(streamName, clock);
      kafkaProperties = kafka.resolve(producerProps);
    } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
      err.println("igm replay: " + e.getMessage());
      return 2;
    }
    out.println("source: " + source.describe());
    if (source instanceof LayoutSource ls && ls.layout() instanceof TextImageLayout t) {
      out.println(
          "text vocabulary: " + t.vocabularySize() + " ids (0 = padding, 1 = unknown word)");
    }
    int trainRows = source.index().rows(Split.TRAIN).size();
    out.println("splits: " + source.index().splitCounts());
    if (source instanceof TableSource) {
      data.notes().forEach(out::println); // rows joined, dropped or imputed: as igm fit logs them
    }
    out.println(
        "plan: "
            + plan.entries().size()
            + " records = "
            + epochs
            + " epoch(s) × "
            + trainRows
            + " TRAIN rows + "
            + (plan.entries().size() - plan.trainingEntries().size())
            + " VALID/TEST records; shuffle seed "
            + shuffleSeed
            + (evalEveryEpoch ? ", evaluation every epoch" : ""));
    // the streaming job cannot see epochs in a stream: an MLA model follows alpha's per-epoch
    // schedule only if told
    out.println(
        "an epoch is "
            + trainRows
            + " TRAIN records: for an MLA model that should follow alpha's per-epoch"
            + " schedule, set its mla.batches-per-epoch to "
            + trainRows
            + " / its batch.size");
    if (source instanceof TableSource) {
      String noTest = data.noTestWarning(source.index());
      if (noTest != null) {
        err.println("igm replay: " + noTest);
      }
    }
    out.flush();
    err.flush();

    KafkaReplayer replayer;
    try {
      replayer = new KafkaReplayer(topic, rate);
    } catch (IllegalArgumentException e) {
      err.println("igm replay: " + e.getMessage());
      return 2;
    }
    ReplayProgress progress =
        noProgress ? ReplayProgress.NONE : new ProgressBar(System.err, System.console() != null);
    ReplaySummary summary;
    try {
      if (dryRun) {
        summary = replayer.dryRun(plan, source, encoder, progress);
      } else {
        boolean exists =
            TopicCheck.ensure(
                bootstrap,
                kafkaProperties,
                topic,
                createTopic,
                partitions,
                maxRequestBytes,
                15_000);
        if (!exists) {
          err.println(
              "igm replay: topic "
                  + topic
                  + " does not exist on "
                  + bootstrap
                  + "; relying on the broker's auto-creation (pass --create-topic to create it explicitly)");
        }
        out.println(
            "sending to "
                + bootstrap
                + " topic "
                + topic
                + (rate > 0 ? " at most " + rate + " records/s" : ""));
        out.flush();
        ProducerSettings settings =
            new ProducerSettings(bootstrap, lingerMs, batchBytes, maxRequestBytes, kafkaProperties);
        summary = replayer.replay(plan, source, encoder, settings, progress);
      }
    } catch (ReplayException e) {
      err.println("igm replay: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      // a sample's files could not be decoded (DatasetFormatException names the file)
      err.println("igm replay: " + e.getMessage());
      return 2;
    }
    out.print(summary.render());
    out.flush();
    return 0;
  }

  /** Refuses options that would not take effect with the others given. */
  private void checkOptions() {
    data.checkLayoutOptions();
    if (eventTime == EventTime.wall) {
      for (String option : List.of("--event-start", "--event-interval-ms")) {
        if (matched(option)) {
          throw new IllegalArgumentException(
              option + " sets synthetic event times; --event-time wall uses the time of sending");
        }
      }
    }
    if (matched("--partitions") && !createTopic) {
      throw new IllegalArgumentException(
          "--partitions is the partition count of a topic --create-topic creates; add"
              + " --create-topic, or drop --partitions (an existing topic keeps its partitions)");
    }
    if (dryRun) {
      for (String option :
          List.of(
              "--bootstrap",
              "--create-topic",
              "--partitions",
              "--linger-ms",
              "--batch-size",
              "--max-request-size",
              "--producer-prop",
              "--kafka-property",
              "--kafka-properties-file")) {
        if (matched(option)) {
          throw new IllegalArgumentException(
              option + " concerns sending to Kafka, and --dry-run sends nothing");
        }
      }
    }
  }

  private boolean matched(String option) {
    return spec.commandLine().getParseResult() != null
        && spec.commandLine().getParseResult().hasMatchedOption(option);
  }

  private ReplaySource source() {
    int inputs = (data.given() ? 1 : 0) + (data.layoutGiven() ? 1 : 0);
    if (inputs != 1) {
      throw new IllegalArgumentException(
          "give exactly one input: --dataset, --file or --layout (see igm replay --help)");
    }
    if (data.layoutGiven()) {
      return data.layoutSource();
    }
    return new TableSource(data.load());
  }
}
