package dev.igm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every option of fit, replay, train and serve that touches the data or the model either takes
 * effect or is refused with a message naming the conflict: one case per combination that used to be
 * silently ignored or overridden.
 */
class OptionsTakeEffectOrAreRefusedTest {
  @TempDir Path dir;

  private static void refused(CliRun r, String... fragments) {
    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).as(r.toString()).contains(fragments);
  }

  private CliRun fit(String... args) {
    String[] all = new String[args.length + 6];
    all[0] = "fit";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--quiet";
    all[args.length + 2] = "--epochs";
    all[args.length + 3] = "1";
    all[args.length + 4] = "--out=" + dir.resolve("out");
    all[args.length + 5] = "--force"; // every call writes the same folder
    return CliRun.of(all);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> trainedConfig(String method) throws Exception {
    Map<String, Object> m =
        new ObjectMapper()
            .readValue(
                dir.resolve("out").resolve(method).resolve("metrics.json").toFile(), Map.class);
    return (Map<String, Object>) m.get("config");
  }

  // ---------------------------------------------------------------------------------------------------- fit: model

  @Test
  void aKnobGivenTwiceIsRefusedInsteadOfOneSilentlyWinning() {
    refused(fit("--lr", "0.05", "--set", "lr=0.1"), "--set lr: use --lr");
    refused(fit("--lr", "0.05", "--grid", "lr=0.1,0.2"), "lr is given by both --lr and --grid");
    refused(
        fit("--set", "phase.batches=5", "--grid", "phase.batches=2,3"),
        "phase.batches is given by both --set and --grid");
    refused(fit("--grid", "lr=0.1;lr=0.2"), "grid axis 'lr' is given twice");
    refused(fit("--set", "seed=3"), "--set seed: use --seed");
  }

  @Test
  void knobsThatComeFromElsewhereAreRefused() {
    refused(
        fit("--methods", "igm", "--set", "method=joint"), "--set method: it comes from --methods");
    refused(
        fit("--grid", "num.classes=3,4"), "--grid num.classes: it comes from the table's labels");
    refused(fit("--methods", "igm,joint,igm"), "--methods lists a method twice");
    refused(
        fit("--methods", "igm", "--select-by", "mean-softmax.acc"), "not a metric of method igm");
  }

  @Test
  void mlaAlphaFollowsTheEpochInAFitUnlessAConstantIsAskedFor() throws Exception {
    assertThat(fit("--methods", "mla").code()).isZero();
    // 1200 TRAIN rows per epoch (1500 less the VALID carve) at batch 64: alpha's schedule counts 19
    // batches per epoch
    assertThat(trainedConfig("mla")).containsEntry("mla.batches-per-epoch", 19);
    assertThat(fit("--methods", "mla", "--batch-size", "100").code()).isZero();
    assertThat(trainedConfig("mla")).containsEntry("mla.batches-per-epoch", 12);
    assertThat(fit("--methods", "mla", "--set", "mla.alpha=0.05").code()).isZero();
    assertThat(trainedConfig("mla"))
        .containsEntry("mla.batches-per-epoch", 0)
        .containsEntry("mla.alpha", 0.05);
    refused(
        fit("--methods", "mla", "--set", "mla.alpha=0.05", "--set", "mla.batches-per-epoch=10"),
        "mla.alpha (a constant alpha) and mla.batches-per-epoch");
  }

  @Test
  void initFromAnotherArchitectureIsRefusedNamingTheDifference() throws Exception {
    assertThat(fit("--methods", "joint", "--set", "head.widths=32,16").code()).isZero();
    Path snapshot = dir.resolve("out/joint/model.safetensors");
    refused(
        fit("--methods", "joint", "--init-from", snapshot.toString(), "--set", "head.widths=64,16"),
        "head.widths [32, 16] in the snapshot, [64, 16] here");
    Path csv = SegmentFiles.csv(dir.resolve("t.csv"), false);
    refused(
        fit(
            "--file",
            csv.toString(),
            "--views",
            "a=1-9,b=10-19",
            "--init-from",
            snapshot.toString()),
        "the dataset has no view 'shape'");
    // not given here: the snapshot's own settings go on (its head widths, its method)
    assertThat(fit("--init-from", snapshot.toString(), "--set", "phase.batches=3").code()).isZero();
    assertThat(trainedConfig("joint"))
        .containsEntry("head.widths", java.util.List.of(32, 16))
        .containsEntry("phase.batches", 3);
  }

  // ---------------------------------------------------------------------------------------------------- fit: data

  @Test
  void layoutOptionsWithoutALayoutAndTableOptionsWithOneAreRefused() {
    refused(
        fit("--dataset", "segment", "--spectrogram-size", "64x64"),
        "--spectrogram-size applies to --layout");
    refused(fit("--image-size", "32"), "--image-size applies to --layout");
    refused(
        fit("--layout", "cremad", "--root", dir.toString(), "--missing", "mean"),
        "--missing describe(s) a --file table",
        "a --layout dataset has its own views");
    refused(
        fit("--layout", "cremad", "--root", dir.toString(), "--dataset", "segment"),
        "give exactly one input");
    refused(fit("--layout", "cremad"), "--layout cremad needs --root DIR");
  }

  @Test
  void tableOptionsWithoutATableAreRefused() {
    refused(fit("--dataset", "segment", "--views", "a=1-3"), "--views describe(s) a --file table");
    refused(fit("--label", "cls"), "--label describe(s) a --file table");
    refused(
        fit("--dataset", "segment", "--split-column", "s", "--test-file", "x.csv"),
        "--split-column, --test-file");
  }

  @Test
  void theValidCarveIsRefusedWhereItWouldNotHappen() throws Exception {
    StringBuilder csv = new StringBuilder("a,b,split,cls\n");
    for (int i = 0; i < 60; i++) {
      csv.append(i)
          .append(',')
          .append(-i)
          .append(',')
          .append(i % 5 == 0 ? "valid" : i % 7 == 0 ? "TEST" : "Train")
          .append(',')
          .append(i % 3)
          .append('\n');
    }
    Path file = Files.writeString(dir.resolve("own.csv"), csv);
    refused(
        fit("--file", file.toString(), "--split-column", "split", "--valid-fraction", "0.3"),
        "--valid-fraction would carve VALID rows, but the data has 12 VALID rows of its own");
    refused(
        fit("--file", file.toString(), "--split-column", "split", "--split-seed", "4"),
        "--split-seed");
    refused(fit("--valid-fraction", "0", "--split-seed", "4"), "--valid-fraction 0 carves none");
    refused(fit("--valid-fraction", "-0.2"), "--valid-fraction must be in [0, 1)");
    refused(
        fit("--valid-fraction", "0", "--grid", "lr=0.01,0.02"),
        "--grid selects on the VALID rows, and there are none");
    CliRun own = fit("--file", file.toString(), "--split-column", "split", "--method", "joint");
    assertThat(own.code()).as(own.toString()).isZero();
    assertThat(own.err()).contains("TRAIN=41, VALID=12, TEST=7").contains("split column 'split'");
  }

  @Test
  void splitValuesOtherThanTrainValidTestAreRefused() throws Exception {
    Path file =
        Files.writeString(dir.resolve("bad.csv"), "a,b,split,cls\n1,2,train,0\n3,4,holdout,1\n");
    refused(
        fit("--file", file.toString(), "--split-column", "split"),
        "split 'holdout'",
        "is not TRAIN, VALID or TEST");
  }

  // ---------------------------------------------------------------------------------------------------- replay

  @Test
  void replayRefusesOptionsThatWouldNotTakeEffect() throws Exception {
    refused(
        CliRun.of("replay", "--dataset", "segment", "--image-size", "112", "--dry-run"),
        "--image-size applies to --layout");
    refused(
        CliRun.of("replay", "--dataset", "segment", "--root", "/tmp", "--dry-run"),
        "--root applies to --layout");
    refused(
        CliRun.of(
            "replay",
            "--layout",
            "cremad",
            "--root",
            dir.toString(),
            "--views",
            "a=1",
            "--dry-run"),
        "--views describe(s) a --file table or the bundled dataset");
    refused(
        CliRun.of(
            "replay",
            "--dataset",
            "segment",
            "--event-time",
            "wall",
            "--event-interval-ms",
            "5",
            "--dry-run"),
        "--event-interval-ms sets synthetic event times");
    refused(
        CliRun.of("replay", "--dataset", "segment", "--partitions", "3", "--dry-run"),
        "--partitions is the partition count");
    refused(
        CliRun.of("replay", "--dataset", "segment", "--create-topic", "--dry-run"),
        "--dry-run sends nothing");
  }

  @Test
  void replayOfAnNpzSendsItsTestRowsAsTestAndTellsAnMlaModelItsEpoch() throws Exception {
    Path npz = SegmentFiles.npz(dir.resolve("segment.npz"), false);
    CliRun r =
        CliRun.of(
            "replay",
            "--file",
            npz.toString(),
            "--label",
            "y",
            "--split-column",
            "split",
            "--views",
            "shape=1-9,colour=10-19",
            "--dry-run",
            "--no-progress");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("TRAIN=1200, VALID=300, TEST=810")
        .contains("plan: 2310 records = 1 epoch(s) × 1200 TRAIN rows + 1110 VALID/TEST records")
        .contains("set its mla.batches-per-epoch to 1200 / its batch.size");
  }

  // ---------------------------------------------------------------------------------------------------- train

  private Path trainConfig(String extraModelKnobs) throws Exception {
    String yaml =
        Files.readString(Path.of("../config/train-segment.yaml"))
            .replace(
                "  - {id: joint, method: joint}",
                "  - {id: joint, method: joint}\n  - {id: mla, method: mla"
                    + extraModelKnobs
                    + "}");
    return Files.writeString(dir.resolve("job.yaml"), yaml);
  }

  @Test
  void trainRefusesASettingGivenByAnOptionAndBySet() throws Exception {
    Path config = trainConfig("");
    assertThat(CliRun.of("train", "--config", config.toString(), "--print-config").code()).isZero();
    refused(
        CliRun.of(
            "train",
            "--config",
            config.toString(),
            "--bounded",
            "--set",
            "input.bounded=false",
            "--print-config"),
        "--bounded and --set input.bounded=false both set input.bounded");
    refused(
        CliRun.of(
            "train",
            "--config",
            config.toString(),
            "--target",
            "embedded",
            "--set",
            "target=remote",
            "--print-config"),
        "--target and --set target=remote");
    refused(
        CliRun.of(
            "train",
            "--config",
            config.toString(),
            "--jobmanager",
            "localhost:8081",
            "--print-config"),
        "jobmanager is set, but target is embedded");
    refused(
        CliRun.of(
            "train",
            "--config",
            trainConfig(", mla.alpha: 0.05, mla.batches-per-epoch: 20").toString(),
            "--print-config"),
        "model mla: mla.alpha (a constant alpha) and mla.batches-per-epoch");
  }

  // ---------------------------------------------------------------------------------------------------- serve

  @Test
  @Timeout(
      value = 120,
      unit = TimeUnit.SECONDS,
      threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // not a serving job
  void serveRefusesOptionsThatWouldNotTakeEffect() {
    refused(
        CliRun.of("serve", "-m", "igm", "--gate-margin", "0.1"),
        "--gate-margin belongs to the quality gate");
    refused(
        CliRun.of("serve", "-m", "igm", "--before-first-model", "reject", "--hold-capacity", "5"),
        "--hold-capacity sizes the hold");
    refused(
        CliRun.of("serve", "-m", "igm", "--jobmanager", "localhost:8081"),
        "--jobmanager is for --target remote");
    refused(
        CliRun.of(
            "serve",
            "-m",
            "igm",
            "--target",
            "remote",
            "--jobmanager",
            "localhost:8081",
            "--tmp-dir",
            "x"),
        "--tmp-dir is the embedded target's temp folder");
  }
}
