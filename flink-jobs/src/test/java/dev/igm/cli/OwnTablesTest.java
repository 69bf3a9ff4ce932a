package dev.igm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.igm.avro.Split;
import dev.igm.data.MultiViewDataset;
import dev.igm.data.MultiViewRow;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A user's own tables in {@code igm fit} and {@code igm replay}: missing values, views in separate
 * files, a TEST carve, the comma list of columns; as a user meets them (one line and exit 2 for a
 * mistake).
 */
class OwnTablesTest {
  @TempDir Path dir;

  private static final ObjectMapper JSON = new ObjectMapper();

  private record Run(int code, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = IgmCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private static void refusedInOneLine(Run r, String... fragments) {
    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).as(r.toString()).hasSize(1);
    assertThat(r.err()).as(r.toString()).contains(fragments);
  }

  private static void refusedInOneLine(CliRun r, String... fragments) {
    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err().lines()).as(r.toString()).hasSize(1);
    assertThat(r.err()).as(r.toString()).contains(fragments);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(Path file) throws Exception {
    return JSON.readValue(file.toFile(), Map.class);
  }

  /**
   * 3 classes × 20 rows; two views (a1,a2 / b1,b2) whose values say the class; some cells missing
   * when asked.
   */
  private Path table(String name, boolean withSplit, boolean withNa) throws Exception {
    StringBuilder csv =
        new StringBuilder("id,a1,a2,b1,b2" + (withSplit ? ",split" : "") + ",cls\n");
    for (int i = 0; i < 60; i++) {
      int c = i % 3;
      String a1 = withNa && i % 7 == 1 ? "NA" : Integer.toString(c * 10 + i % 5);
      String b2 = withNa && i % 11 == 4 ? "" : Integer.toString(c - i % 2);
      csv.append("r")
          .append(i)
          .append(',')
          .append(a1)
          .append(',')
          .append(i % 4)
          .append(',')
          .append(c * 2)
          .append(',')
          .append(b2);
      if (withSplit) {
        csv.append(',').append(i < 40 ? "train" : i < 50 ? "valid" : "test");
      }
      csv.append(',').append("k").append(c).append('\n');
    }
    return Files.writeString(dir.resolve(name), csv);
  }

  /** The dataset a command with these dataset options would load. */
  private static MultiViewDataset loaded(Object command, String... args) {
    CommandLine cl = new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true);
    cl.parseArgs(args);
    DatasetSource data = command instanceof FitCommand f ? f.data : ((ReplayCommand) command).data;
    return data.load();
  }

  // ----------------------------------------------------------------------------------------------
  // missing values

  @Test
  void missingValuesAreRefusedInOneLineThatNamesTheOption() throws Exception {
    Path csv = table("na.csv", true, true);
    Run r =
        run(
            "fit",
            "--file",
            csv.toString(),
            "--split-column",
            "split",
            "--views",
            "a=2-3,b=4-5",
            "--out",
            dir.resolve("o").toString());
    refusedInOneLine(
        r,
        "na.csv: 14 of 60 rows have missing feature values",
        "the first 'NA' at line 3 in attribute 2" + " ('a1')",
        "--missing mean",
        "--missing drop");
    refusedInOneLine(run("fit", "--missing", "mean"), "--missing describe(s) a --file table");
  }

  @Test
  void meanFillsInTrainMeansAndReplayFillsInTheSameNumbers() throws Exception {
    Path csv = table("na.csv", true, true);
    String[] options = {
      "--file",
      csv.toString(),
      "--split-column",
      "split",
      "--views",
      "a=a1,a2,b=b1,b2",
      "--missing",
      "mean",
      "--no-standardize"
    };
    MultiViewDataset fit = loaded(new FitCommand(), options);
    MultiViewDataset replay = loaded(new ReplayCommand(), options);
    // the TRAIN rows (i < 40) that have a1: mean of c*10 + i%5 over them, computed here from the
    // definition
    double sum = 0;
    int n = 0;
    for (int i = 0; i < 40; i++) {
      if (i % 7 != 1) {
        sum += (i % 3) * 10 + i % 5;
        n++;
      }
    }
    float expected = (float) (sum / n);
    assertThat(fit.rows()).hasSize(60);
    for (int i : new int[] {1, 8, 43, 57}) { // TRAIN, TRAIN, VALID, TEST rows with a1 = NA
      assertThat(fit.row(i).view("a")[0]).as("row %d", i).isEqualTo(expected);
    }
    assertThat(fit.row(2).view("a")[0]).isEqualTo(22f); // a value present stays
    assertThat(
            fit.rows().stream()
                .flatMap(r -> r.views().values().stream())
                .anyMatch(
                    v -> {
                      for (float f : v) {
                        if (Float.isNaN(f)) {
                          return true;
                        }
                      }
                      return false;
                    }))
        .isFalse();
    assertSameRows(replay, fit);

    // with a VALID carve too (standardised as the commands do by default): still the same numbers
    // in both
    String[] carved = {
      "--file",
      csv.toString(),
      "--views",
      "a=a1,a2,b=b1,b2",
      "--missing",
      "mean",
      "--test-fraction",
      "0.2",
      "--split-seed",
      "3"
    };
    assertSameRows(loaded(new ReplayCommand(), carved), loaded(new FitCommand(), carved));

    Path out = dir.resolve("mean");
    Run r =
        run(
            "fit",
            "--file",
            csv.toString(),
            "--split-column",
            "split",
            "--views",
            "a=a1,a2,b=b1,b2",
            "--missing",
            "mean",
            "--method",
            "joint",
            "--epochs",
            "1",
            "--quiet",
            "--out",
            out.toString());
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err())
        .contains("missing values: filled 15 cells in 14 rows with their feature's TRAIN mean");
    @SuppressWarnings("unchecked")
    Map<String, Object> missing =
        (Map<String, Object>)
            ((Map<String, Object>) json(out.resolve("joint/metrics.json")).get("dataset"))
                .get("missing");
    assertThat(missing).containsEntry("policy", "mean (of the TRAIN rows)");
  }

  private static void assertSameRows(MultiViewDataset a, MultiViewDataset b) {
    assertThat(a.size()).isEqualTo(b.size());
    for (int i = 0; i < a.size(); i++) {
      MultiViewRow x = a.row(i);
      MultiViewRow y = b.row(i);
      assertThat(x.sampleId()).isEqualTo(y.sampleId());
      assertThat(x.split()).isEqualTo(y.split());
      for (String m : a.modalities()) {
        assertThat(x.view(m)).as("%s %s", x.sampleId(), m).containsExactly(y.view(m));
      }
    }
  }

  @Test
  void dropRemovesTheRowsAndSaysHowManyPerSplit() throws Exception {
    Path csv = table("na.csv", true, true);
    MultiViewDataset ds =
        loaded(
            new FitCommand(),
            "--file",
            csv.toString(),
            "--split-column",
            "split",
            "--views",
            "a=2-3,b=4-5",
            "--missing",
            "drop");
    assertThat(ds.size()).isEqualTo(46);
    Run r =
        run(
            "replay",
            "--file",
            csv.toString(),
            "--split-column",
            "split",
            "--views",
            "a=2-3,b=4-5",
            "--missing",
            "drop",
            "--dry-run",
            "--no-progress");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("missing values: dropped 14 rows with any (TRAIN 9, VALID 2, TEST 3)")
        .contains("TRAIN=31, VALID=8, TEST=7");
  }

  // ----------------------------------------------------------------------------------------------
  // views in files

  /**
   * The table split into one file per view (a.csv with the label, b.tsv with the split), rows in
   * another order.
   */
  private void viewFiles(int dropFromB) throws Exception {
    StringBuilder a = new StringBuilder("id,a1,a2,cls\n");
    StringBuilder b = new StringBuilder("b1\tb2\tid\tsplit\n");
    for (int i = 0; i < 60; i++) {
      int c = i % 3;
      a.append("r")
          .append(i)
          .append(',')
          .append(c * 10 + i % 5)
          .append(',')
          .append(i % 4)
          .append(",k")
          .append(c)
          .append('\n');
    }
    for (int i = 59; i >= dropFromB; i--) {
      b.append(i % 3 * 2)
          .append('\t')
          .append(i % 3 - i % 2)
          .append("\tr")
          .append(i)
          .append('\t')
          .append(i < 40 ? "train" : i < 50 ? "valid" : "test")
          .append('\n');
    }
    Files.writeString(dir.resolve("a.csv"), a);
    Files.writeString(dir.resolve("b.tsv"), b);
  }

  @Test
  void viewsInSeparateFilesAreJoinedOnTheRowIdAndEqualTheSingleTable() throws Exception {
    viewFiles(0);
    Path single = table("single.csv", true, false);
    MultiViewDataset joined =
        loaded(
            new FitCommand(),
            "--file",
            dir.resolve("a.csv").toString(),
            "--file",
            "b=" + dir.resolve("b.tsv"),
            "--join-column",
            "id",
            "--label",
            "cls",
            "--split-column",
            "split");
    MultiViewDataset one =
        loaded(
            new FitCommand(),
            "--file",
            single.toString(),
            "--views",
            "a=a1,a2,b=b1,b2",
            "--split-column",
            "split");
    assertThat(joined.viewWidths()).isEqualTo(one.viewWidths());
    assertThat(joined.splitCounts()).isEqualTo(one.splitCounts());
    for (int i = 0; i < 60; i++) {
      assertThat(joined.row(i).sampleId()).isEqualTo("a/r" + i);
      assertThat(joined.row(i).label()).isEqualTo(one.row(i).label());
      assertThat(joined.row(i).view("a")).containsExactly(one.row(i).view("a"));
      assertThat(joined.row(i).view("b")).containsExactly(one.row(i).view("b"));
    }

    Path out = dir.resolve("joined");
    Run r =
        run(
            "fit",
            "--file",
            dir.resolve("a.csv").toString(),
            "--file",
            "b=" + dir.resolve("b.tsv"),
            "--join-column",
            "id",
            "--label",
            "cls",
            "--split-column",
            "split",
            "--method",
            "joint",
            "--epochs",
            "1",
            "--quiet",
            "--out",
            out.toString());
    assertThat(r.code()).as(r.toString()).isZero();
    @SuppressWarnings("unchecked")
    Map<String, Object> dataset =
        (Map<String, Object>) json(out.resolve("joint/metrics.json")).get("dataset");
    assertThat(dataset.get("views")).isEqualTo(Map.of("a", 2, "b", 2));
    assertThat(dataset).containsKey("join");
  }

  @Test
  void joinMistakesAreOneLineThatSaysWhatToDo() throws Exception {
    viewFiles(5);
    String a = dir.resolve("a.csv").toString();
    String b = "b=" + dir.resolve("b.tsv");
    refusedInOneLine(run("fit", "--file", a, "--file", b, "--label", "cls"), "--join-column COL");
    refusedInOneLine(run("fit", "--file", a, "--file", b, "--join-column", "id"), "--label COL");
    refusedInOneLine(
        run(
            "fit",
            "--file",
            a,
            "--file",
            b,
            "--join-column",
            "id",
            "--label",
            "cls",
            "--split-column",
            "split"),
        "a.csv 5 of 60 (e.g. 'r0', 'r1', 'r2')",
        "55 rows are in every file",
        "--drop-unmatched");
    refusedInOneLine(
        run(
            "fit",
            "--file",
            a,
            "--file",
            b,
            "--join-column",
            "id",
            "--label",
            "cls",
            "--views",
            "x=1"),
        "--views describes a single table");
    refusedInOneLine(
        run("fit", "--file", a, "--join-column", "id"),
        "--join-column joins several --file tables");
    refusedInOneLine(
        run("fit", "--file", "x=" + a), "VIEW=PATH names the view of one of several joined files");
    MultiViewDataset kept =
        loaded(
            new FitCommand(),
            "--file",
            a,
            "--file",
            b,
            "--join-column",
            "id",
            "--label",
            "cls",
            "--split-column",
            "split",
            "--drop-unmatched");
    assertThat(kept.size()).isEqualTo(55);
    assertThat(kept.row(0).sampleId()).isEqualTo("a/r5");
  }

  // ----------------------------------------------------------------------------------------------
  // TEST carve, views

  @Test
  void theTestCarveIsStratifiedSeededAndRefusedWhereTheDataHasTestRows() throws Exception {
    Path csv = table("plain.csv", false, false);
    String[] args = {
      "--file", csv.toString(), "--views", "visible=2,3,4,5", "--test-fraction", "0.25"
    };
    MultiViewDataset ds = loaded(new FitCommand(), args);
    // per class: 20 rows -> 5 TEST; of the 15 left, 3 VALID (the default 0.2)
    assertThat(ds.splitCounts())
        .containsEntry(Split.TEST, 15)
        .containsEntry(Split.VALID, 9)
        .containsEntry(Split.TRAIN, 36);
    for (int c = 0; c < 3; c++) {
      int cls = c;
      assertThat(ds.rows(Split.TEST).stream().filter(r -> r.label() == cls).count())
          .as("class %d", c)
          .isEqualTo(5);
    }
    assertThat(loaded(new FitCommand(), args).rows(Split.TEST))
        .extracting(MultiViewRow::sampleId)
        .isEqualTo(ds.rows(Split.TEST).stream().map(MultiViewRow::sampleId).toList());
    MultiViewDataset other =
        loaded(
            new FitCommand(),
            "--file",
            csv.toString(),
            "--views",
            "visible=2,3,4,5",
            "--test-fraction",
            "0.25",
            "--split-seed",
            "9");
    assertThat(other.rows(Split.TEST))
        .extracting(MultiViewRow::sampleId)
        .isNotEqualTo(ds.rows(Split.TEST).stream().map(MultiViewRow::sampleId).toList());
    assertThat(ds.viewWidths()).isEqualTo(Map.of("visible", 4));

    refusedInOneLine(run("fit", "--test-fraction", "0.2"), "the data has 810 TEST rows of its own");
    Path split = table("split.csv", true, false);
    refusedInOneLine(
        run(
            "fit",
            "--file",
            split.toString(),
            "--views",
            "a=2-5",
            "--split-column",
            "split",
            "--test-fraction",
            "0.2"),
        "--test-fraction would carve TEST rows, but the data has 10 TEST rows of its own (its split column)");
    refusedInOneLine(
        run("fit", "--file", csv.toString(), "--views", "a=2-5", "--test-fraction", "1"),
        "--test-fraction must be in (0, 1)");
    refusedInOneLine(
        run("fit", "--file", csv.toString(), "--views", "visible=2,3,zz"), "unknown column 'zz'");
    refusedInOneLine(
        run("fit", "--file", csv.toString(), "--views", "2,3"),
        "comes before any name=columns",
        "'name=1,2,5,6'");
  }

  // ----------------------------------------------------------------------------------------------
  // best epoch, --out

  @Test
  @SuppressWarnings("unchecked")
  void theModelWrittenIsTheOneOfTheBestValidEpoch() throws Exception {
    Path out = dir.resolve("best");
    Run r = run("fit", "--method", "joint", "--epochs", "3", "--out", out.toString());
    assertThat(r.code()).as(r.toString()).isZero();
    Map<String, Object> metrics = json(out.resolve("joint/metrics.json"));
    Map<String, Object> selection = (Map<String, Object>) metrics.get("epochSelection");
    assertThat(selection).containsEntry("mode", "best").containsEntry("metric", "valid.fused.acc");
    List<Map<String, Object>> curve = (List<Map<String, Object>>) selection.get("validCurve");
    assertThat(curve).hasSize(3);
    double top =
        curve.stream()
            .mapToDouble(p -> ((Map<String, Double>) p.get("valid")).get("fused.acc"))
            .max()
            .orElseThrow();
    Map<String, Object> first =
        curve.stream()
            .filter(p -> ((Map<String, Double>) p.get("valid")).get("fused.acc") == top)
            .findFirst()
            .orElseThrow();
    int epoch = (Integer) first.get("epoch");
    assertThat(metrics.get("epoch")).isEqualTo(epoch);
    assertThat(selection.get("epoch")).isEqualTo(epoch);
    assertThat(metrics.get("valid")).isEqualTo(first.get("valid"));
    assertThat(((Number) metrics.get("batches")).longValue())
        .isEqualTo(((Number) first.get("batches")).longValue());
    assertThat(
            dev.igm.core.train.TrainerSnapshot.read(out.resolve("joint/model.safetensors"))
                .metadataMap()
                .get("batches"))
        .isEqualTo(first.get("batches"));
    assertThat(r.err())
        .contains("joint: selected {}, epoch " + epoch + " of 3 (best VALID fused.acc)");

    Path last = dir.resolve("last");
    Run l =
        run(
            "fit",
            "--method",
            "joint",
            "--epochs",
            "2",
            "--epoch-selection",
            "last",
            "--quiet",
            "--out",
            last.toString());
    assertThat(l.code()).as(l.toString()).isZero();
    assertThat(json(last.resolve("joint/metrics.json"))).containsEntry("epoch", 2);
    refusedInOneLine(
        run("fit", "--valid-fraction", "0", "--epoch-selection", "best"),
        "--epoch-selection best chooses the epoch on the VALID rows, and there are none");
  }

  @Test
  void outNeverOverwritesSilentlyAndIsWrittenWholeOrNotAtAll() throws Exception {
    Path out = dir.resolve("results");
    assertThat(
            run("fit", "--method", "joint", "--epochs", "1", "--quiet", "--out", out.toString())
                .code())
        .isZero();
    String summary = Files.readString(out.resolve("summary.json"));

    Run again =
        run("fit", "--method", "joint", "--epochs", "1", "--quiet", "--out", out.toString());
    refusedInOneLine(
        again,
        "--out " + out + " already holds results (joint/, summary.json, table.md)",
        "--force to replace them");
    assertThat(Files.readString(out.resolve("summary.json"))).isEqualTo(summary);

    // a run that fails after it started writing leaves the earlier results and no partial folder
    Path csv = table("plain.csv", false, false);
    Run failing =
        run(
            "fit",
            "--file",
            csv.toString(),
            "--views",
            "a=2-3,b=4-5",
            "--method",
            "joint",
            "--epochs",
            "1",
            "--quiet",
            "--init-from",
            out.resolve("joint/model.safetensors").toString(),
            "--force",
            "--out",
            out.toString());
    assertThat(failing.code()).as(failing.toString()).isEqualTo(2);
    assertThat(Files.readString(out.resolve("summary.json"))).isEqualTo(summary);
    try (Stream<Path> siblings = Files.list(dir)) {
      assertThat(siblings.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.contains(".partial-"));
    }

    Run forced =
        run(
            "fit",
            "--method",
            "joint",
            "--lr",
            "0.02",
            "--epochs",
            "1",
            "--quiet",
            "--force",
            "--out",
            out.toString());
    assertThat(forced.code()).as(forced.toString()).isZero();
    assertThat(Files.readString(out.resolve("summary.json")))
        .isNotEqualTo(summary)
        .contains("0.02");
    try (Stream<Path> siblings = Files.list(dir)) {
      assertThat(siblings.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.contains(".partial-") || n.contains(".old-"));
    }

    Path mine = Files.createDirectories(dir.resolve("mine"));
    Files.writeString(mine.resolve("notes.txt"), "keep me");
    refusedInOneLine(
        run(
            "fit",
            "--method",
            "joint",
            "--epochs",
            "1",
            "--quiet",
            "--force",
            "--out",
            mine.toString()),
        "holds files that are not igm fit results (notes.txt)");
    assertThat(Files.readString(mine.resolve("notes.txt"))).isEqualTo("keep me");
  }

  // ----------------------------------------------------------------------------------------------
  // config problems

  @Test
  void everyProblemOfAJobConfigurationIsReportedAtOnceWithTheNearestNames() throws Exception {
    Path yaml =
        Files.writeString(
            dir.resolve("x.yaml"),
            """
        kafka:
          bootsrap: localhost:9092
        topics:
          samples: igm.samples
        metrics.every.batches: 0
        model.defaults.lrr: 0.1
        models:
          - {id: igm, method: igm, num.classes: 7, tau: -1,
             modalities: [{name: a, input.shape: [3], encoder: identity}, {name: b, input.shape: [2], encoder: identity}]}
        """);
    CliRun r = CliRun.of("train", "--config", yaml.toString(), "--print-config");
    refusedInOneLine(
        r,
        "igm train: 5 problems in " + yaml + ": ",
        "unknown setting 'kafka.bootsrap' (did you mean 'kafka.bootstrap'?)",
        "metrics.every.batches must be >= 1, got 0",
        "model.defaults.lrr: unknown model setting 'lrr' (did you mean 'lr'?)",
        "model igm: tau must be finite and >= 0, got -1.0",
        "kafka.bootstrap is required",
        "Known settings: those of docs/CONFIGURATION.md");
    CliRun set =
        CliRun.of(
            "train",
            "--config",
            "../config/train-segment.yaml",
            "--print-config",
            "--set",
            "topics.sample=x",
            "--set",
            "models.igm.phase.batchez=3");
    refusedInOneLine(
        set,
        "2 problems",
        "unknown setting 'topics.sample' (did you mean 'topics.samples'?) (from --set)",
        "model igm: unknown model setting 'phase.batchez' (did you mean 'phase.batches'?)");
  }

  @Test
  void everyProblemOfFitKnobsIsReportedAtOnce() {
    Run r =
        run(
            "fit",
            "--set",
            "lrr=0.1",
            "--set",
            "momentum=2",
            "--grid",
            "phase.batchez=3,4;tau=0.4,x");
    refusedInOneLine(
        r,
        "igm fit: 4 problems: ",
        "--set lrr: unknown model setting 'lrr' (did you mean 'lr'?)",
        "--set momentum=2: momentum must be in [0, 1), got 2.0",
        "--grid phase.batchez: unknown model setting 'phase.batchez' (did you mean 'phase.batches'?)",
        "--grid tau=x: tau must be a number, got 'x'");
  }
}
