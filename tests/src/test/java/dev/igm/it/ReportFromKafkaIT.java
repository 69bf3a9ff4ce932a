package dev.igm.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.DeadLetter;
import dev.igm.avro.Prediction;
import dev.igm.avro.Split;
import dev.igm.avro.TrainingMetrics;
import dev.igm.cli.IgmCli;
import dev.igm.codec.AvroBytes;
import dev.igm.core.ClassificationMetrics;
import dev.igm.report.ReportPages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code igm report --bootstrap}: metrics of two models (igm and joint, 50 records each, spectra of
 * two head layers of two modalities) on a three-partition metrics topic and seven dead letters on
 * the DLQ topic of a real broker become a page with both models, their final numbers and every
 * chart.
 */
class ReportFromKafkaIT {
  @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

  private static final List<String> MODELS = List.of("igm", "joint");
  private static final int RECORDS = 50;
  private static final Map<String, double[]> FINAL_ACCURACY =
      Map.of(
          "igm", new double[] {0.6512, 0.8347, 0.9123},
          "joint", new double[] {0.4471, 0.8209, 0.8765});
  private static final Instant START = Instant.parse("2025-01-31T12:00:00Z");

  @TempDir Path tmp;

  @Test
  void reportFromTopicsHasBothModelsTheirNumbersAndEveryChart() throws Exception {
    String metrics = KAFKA.uniqueTopic("it-metrics", 3);
    String dlq = KAFKA.uniqueTopic("it-dlq");
    AvroBytes<TrainingMetrics> metricsAvro = AvroBytes.of(TrainingMetrics.class);
    AvroBytes<DeadLetter> dlqAvro = AvroBytes.of(DeadLetter.class);
    try (KafkaProducer<byte[], byte[]> producer = JobFixture.producer(KAFKA.bootstrapServers())) {
      for (int i = 1; i <= RECORDS; i++) {
        for (String model : MODELS) {
          // Keyed by model, as the job's keyBy(modelId) output is: each model's records stay in
          // order.
          producer.send(
              new ProducerRecord<>(metrics, bytes(model), metricsAvro.encode(record(model, i))));
        }
      }
      producer.send(
          new ProducerRecord<>(metrics, bytes("igm"), new byte[] {0x7f, 0x01})); // not a record
      for (int i = 0; i < 7; i++) {
        producer.send(new ProducerRecord<>(dlq, null, dlqAvro.encode(deadLetter(i))));
      }
      producer.flush();
    }
    Path out = tmp.resolve("report");

    int exit =
        IgmCli.run(
            "report",
            "--bootstrap",
            KAFKA.bootstrapServers(),
            "--metrics-topic",
            metrics,
            "--dlq-topic",
            dlq,
            "--out",
            out.toString(),
            "--timeout",
            "60");

    assertThat(exit).isZero();
    String html = Files.readString(out.resolve("index.html"));
    ReportPages.assertSummary(html);
    assertThat(html)
        .contains(
            "2 model(s), 100 metrics records, 7 dead letters",
            "1 record(s) of " + metrics + " could not be decoded",
            "topic " + metrics + " at " + KAFKA.bootstrapServers() + " (101 records)",
            "corrupt Avro MultimodalSample",
            "label 9 out of range [0, 7)");
    List<String> expected =
        new ArrayList<>(
            List.of(
                "accuracy-fused.png",
                "accuracy-shape.png",
                "accuracy-colour.png",
                "loss.png",
                "t-refresh.png",
                "dead-letters.png"));
    for (String model : MODELS) {
      for (String key : List.of("colour.0", "colour.1", "shape.0", "shape.1")) {
        expected.add("spectrum-" + model + "-" + key + ".png");
      }
    }
    List<String> charts = ReportPages.imageSources(html);
    assertThat(charts).containsExactlyInAnyOrderElementsOf(expected);
    for (String chart : charts) {
      assertReadablePng(out.resolve(chart));
    }
  }

  @Test
  void missingDeadLetterTopicMeansNoneButAMissingMetricsTopicIsAnError() throws Exception {
    String metrics = KAFKA.uniqueTopic("it-metrics-only");
    try (KafkaProducer<byte[], byte[]> producer = JobFixture.producer(KAFKA.bootstrapServers())) {
      producer
          .send(
              new ProducerRecord<>(
                  metrics,
                  bytes("igm"),
                  AvroBytes.of(TrainingMetrics.class).encode(record("igm", 1))))
          .get(30, TimeUnit.SECONDS);
    }
    String absent = "it-absent-" + System.nanoTime();

    int exit =
        IgmCli.run(
            "report",
            "--bootstrap",
            KAFKA.bootstrapServers(),
            "--metrics-topic",
            metrics,
            "--dlq-topic",
            absent,
            "--out",
            tmp.resolve("a").toString());

    assertThat(exit).isZero();
    assertThat(Files.readString(tmp.resolve("a/index.html")))
        .contains(
            "topic " + absent + " does not exist", "1 model(s), 1 metrics records, 0 dead letters");
    assertThat(
            IgmCli.run(
                "report",
                "--bootstrap",
                KAFKA.bootstrapServers(),
                "--metrics-topic",
                absent,
                "--no-dlq",
                "--out",
                tmp.resolve("b").toString()))
        .isEqualTo(1);
    assertThat(tmp.resolve("b/index.html")).doesNotExist();
  }

  @Test
  void testTableOfThePageEqualsTheTerminalsAndTheHeldOutFigures() throws Exception {
    String metrics = KAFKA.uniqueTopic("it-metrics-test");
    String predictions = KAFKA.uniqueTopic("it-predictions", 2);
    AvroBytes<Prediction> avro = AvroBytes.of(Prediction.class);
    Random random = new Random(7);
    int n = 120;
    int classes = 3;
    Map<String, int[]> labelsByModel = new LinkedHashMap<>();
    Map<String, Map<String, float[]>> scoresByModel = new LinkedHashMap<>();
    try (KafkaProducer<byte[], byte[]> producer = JobFixture.producer(KAFKA.bootstrapServers())) {
      for (String model : MODELS) {
        producer.send(
            new ProducerRecord<>(
                metrics,
                bytes(model),
                AvroBytes.of(TrainingMetrics.class).encode(record(model, 1))));
        int[] labels = new int[n];
        Map<String, float[]> scores = new LinkedHashMap<>();
        for (String g : List.of("colour", "shape", "fused")) {
          scores.put(g, new float[n * classes]);
        }
        for (int i = 0; i < n; i++) {
          labels[i] = random.nextInt(classes);
          Map<String, List<Float>> perModality = new LinkedHashMap<>();
          for (String g : List.of("colour", "shape", "fused")) {
            float[] p = probabilities(random, classes, labels[i], g.equals("shape") ? 0.3 : 0.7);
            System.arraycopy(p, 0, scores.get(g), i * classes, classes);
            if (!g.equals("fused")) {
              perModality.put(g, floats(p));
            }
          }
          Prediction p =
              Prediction.newBuilder()
                  .setSampleId(model + "-" + i)
                  .setModelId(model)
                  .setModelVersion(3)
                  .setSplit(i % 4 == 0 ? Split.VALID : Split.TEST)
                  .setModalityProbabilities(perModality)
                  .setFusedProbabilities(
                      floats(
                          Arrays.copyOfRange(scores.get("fused"), i * classes, (i + 1) * classes)))
                  .setPredicted(0)
                  .setLabel(labels[i])
                  .build();
          producer.send(
              new ProducerRecord<>(predictions, bytes(p.getSampleId().toString()), avro.encode(p)));
        }
        labelsByModel.put(model, labels);
        scoresByModel.put(model, scores);
      }
      producer.flush();
    }
    Path out = tmp.resolve("with-test");
    PrintStream stdout = System.out;
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    int exit;
    try {
      System.setOut(new PrintStream(terminal, true, StandardCharsets.UTF_8));
      exit =
          IgmCli.run(
              "report",
              "--bootstrap",
              KAFKA.bootstrapServers(),
              "--metrics-topic",
              metrics,
              "--no-dlq",
              "--predictions-topic",
              predictions,
              "--out",
              out.toString());
    } finally {
      System.setOut(stdout);
    }
    assertThat(exit).isZero();
    String html = Files.readString(out.resolve("index.html"));
    assertThat(html).contains("<h2 id=\"test\">TEST</h2>", "How to read this report");
    String text = terminal.toString(StandardCharsets.UTF_8);
    for (String model : MODELS) {
      // 90 of the 120 predictions are TEST (every fourth is VALID and does not count)
      List<String> page = numbers(ReportPages.row(html, model + " (90)"));
      List<String> shown =
          numbers(
              text.lines().filter(l -> l.startsWith(model + " (90)")).findFirst().orElseThrow());
      assertThat(page)
          .as("TEST row of %s on the page vs the terminal", model)
          .hasSize(9)
          .isEqualTo(shown);
      // and they are the held-out figures: recomputed here from the TEST predictions alone
      int[] labels = labelsByModel.get(model);
      List<String> expected = new ArrayList<>();
      for (String g : List.of("colour", "shape", "fused")) {
        float[] all = scoresByModel.get(model).get(g);
        int test = 0;
        int[] y = new int[90];
        float[] s = new float[90 * classes];
        for (int i = 0; i < n; i++) {
          if (i % 4 != 0) {
            y[test] = labels[i];
            System.arraycopy(all, i * classes, s, test * classes, classes);
            test++;
          }
        }
        expected.add(
            String.format(Locale.ROOT, "%.4f", ClassificationMetrics.accuracy(y, s, classes)));
        expected.add(
            String.format(Locale.ROOT, "%.4f", ClassificationMetrics.macroF1(y, s, classes)));
        expected.add(
            String.format(
                Locale.ROOT, "%.4f", ClassificationMetrics.meanAveragePrecision(y, s, classes)));
      }
      assertThat(page).isEqualTo(expected);
    }
  }

  private static float[] probabilities(Random random, int classes, int label, double hit) {
    float[] p = new float[classes];
    int favoured = random.nextDouble() < hit ? label : random.nextInt(classes);
    double sum = 0;
    for (int c = 0; c < classes; c++) {
      p[c] = (float) (random.nextDouble() + (c == favoured ? 1.5 : 0));
      sum += p[c];
    }
    for (int c = 0; c < classes; c++) {
      p[c] /= (float) sum;
    }
    return p;
  }

  private static List<Float> floats(float[] v) {
    List<Float> out = new ArrayList<>();
    for (float f : v) {
      out.add(f);
    }
    return out;
  }

  private static List<String> numbers(String line) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("\\d\\.\\d{4}").matcher(line);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  /**
   * The i-th record of a model, as the unit test's synthetic log has it (two head layers per
   * modality here).
   */
  private static TrainingMetrics record(String model, int i) {
    boolean igm = model.equals("igm");
    double progress = 1 - Math.exp(-i / 12.0);
    double[] last = FINAL_ACCURACY.get(model);
    Map<String, Double> acc = new LinkedHashMap<>();
    acc.put("shape", i == RECORDS ? last[0] : 0.2 + (last[0] - 0.2) * progress);
    acc.put("colour", i == RECORDS ? last[1] : 0.3 + (last[1] - 0.3) * progress);
    acc.put("fused", i == RECORDS ? last[2] : 0.3 + (last[2] - 0.3) * progress);
    boolean refused = !igm && i == 17;
    Map<String, List<Double>> eigen = new LinkedHashMap<>();
    if (i % 5 == 0) {
      for (String modality : List.of("shape", "colour")) {
        for (int layer = 0; layer < 2; layer++) {
          List<Double> values = new ArrayList<>();
          int d = layer == 0 ? 10 : 32;
          for (int k = d - 1; k >= 0; k--) {
            values.add((igm ? 5.0 : 3.0) * Math.pow(10, -k * 5.0 / d));
          }
          eigen.put(modality + "." + layer, values);
        }
      }
    }
    return TrainingMetrics.newBuilder()
        .setModelId(model)
        .setMethod(model)
        .setModelVersion(i / 10)
        .setTime(START.plusSeconds(i))
        .setBatches(i * 10L)
        .setSamplesTrained(i * 640L)
        .setModality(igm ? (i % 2 == 0 ? "shape" : "colour") : null)
        .setLoss(
            refused ? Double.NaN : (igm ? 1.6 : 1.9) * Math.exp(-i / 15.0) + (igm ? 0.25 : 0.35))
        .setPrequentialAccuracy(acc)
        .setRefusedSteps(!igm && i >= 17 ? 1 : 0)
        .setTRefreshMillis(i % 5 == 0 ? (igm ? 2.0 : 2.6) + 0.01 * i : 0)
        .setEigenvalues(eigen)
        .setDeadLetters(Math.min(7, i / 5))
        .build();
  }

  private static DeadLetter deadLetter(int i) {
    return DeadLetter.newBuilder()
        .setSourceTopic("igm.samples")
        .setSourcePartition(0)
        .setSourceOffset(100L * i)
        .setRawKey(null)
        .setRawValue(ByteBuffer.wrap(new byte[] {1, 2, (byte) i}))
        .setStage(i < 4 ? "decode" : "validate")
        .setReason(
            i < 4
                ? "corrupt Avro MultimodalSample"
                : i < 6 ? "NaN in modality shape" : "label 9 out of range [0, 7)")
        .setTime(START.plusSeconds(i))
        .build();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A PNG ImageIO can read, 800×450, with real content: many colours and a fair share of drawn
   * pixels.
   */
  private static void assertReadablePng(Path png) throws IOException {
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img).as("decoded %s", png).isNotNull();
    assertThat(img.getWidth()).isEqualTo(800);
    assertThat(img.getHeight()).isEqualTo(450);
    Set<Integer> colours = new HashSet<>();
    long drawn = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y) & 0xFFFFFF;
        colours.add(rgb);
        drawn += rgb == 0xFFFFFF ? 0 : 1;
      }
    }
    assertThat(colours.size()).as("distinct colours in %s", png).isGreaterThan(50);
    assertThat(drawn).as("non-white pixels in %s", png).isGreaterThan(800L * 450 / 50);
  }
}
