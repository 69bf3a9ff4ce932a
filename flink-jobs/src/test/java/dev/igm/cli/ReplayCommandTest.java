package dev.igm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The replay command's input handling, in dry-run mode (no broker needed). */
class ReplayCommandTest {
  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new IgmCli()).setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void csvWithViewsLabelAndValidationCarveIsPlannedAndEncoded() throws Exception {
    StringBuilder csv = new StringBuilder("a1,a2,v1,v2,v3,cls\n");
    for (int i = 0; i < 40; i++) {
      csv.append(i)
          .append(',')
          .append(i * 2)
          .append(',')
          .append(i % 3)
          .append(',')
          .append(-i)
          .append(",1.5,")
          .append(i % 2 == 0 ? "yes" : "no")
          .append('\n');
    }
    Path file = Files.writeString(dir.resolve("t.csv"), csv);
    Run r =
        run(
            "replay",
            "--file",
            file.toString(),
            "--views",
            "audio=a1;a2,video=3-5",
            "--label",
            "cls",
            "--valid-fraction",
            "0.25",
            "--epochs",
            "3",
            "--dry-run",
            "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    // 40 rows, 10 carved into VALID: 3 × 30 TRAIN + 10 VALID
    assertThat(r.out())
        .contains("plan: 100 records")
        .contains("encoded (dry run): 100 records")
        .contains("TRAIN=90 VALID=10 TEST=0");
  }

  @Test
  void inputMistakesExitWith2AndSayWhy() throws Exception {
    assertThat(run("replay", "--dry-run").err()).contains("give exactly one input");
    Run noRoot = run("replay", "--layout", "cremad", "--dry-run");
    assertThat(noRoot.code()).isEqualTo(2);
    assertThat(noRoot.err()).contains("--layout cremad needs --root");
    Path bad = Files.writeString(dir.resolve("bad.csv"), "a,b,cls\n1,2,x\n3\n");
    Run badFile = run("replay", "--file", bad.toString(), "--dry-run", "--no-progress");
    assertThat(badFile.code()).isEqualTo(2);
    assertThat(badFile.err()).contains("bad.csv line 3");
  }

  @Test
  void helpListsLayoutsAndKafkaOptions() {
    Run r = run("replay", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains(
            "--layout",
            "cremad",
            "twitter2015",
            "nvgesture",
            "sk_{color,depth}.avi",
            "--bootstrap",
            "--rate",
            "--event-time",
            "--create-topic");
  }

  @Test
  void spectrogramSizeAndFramesReachTheAudioVisualLayoutsOnly() throws Exception {
    Files.createDirectories(dir.resolve("crema/annotations"));
    Files.writeString(dir.resolve("crema/annotations/train.csv"), "c1,HAP\n");
    Files.writeString(dir.resolve("crema/annotations/test.csv"), "c2,SAD\n");
    for (String clip : new String[] {"c1", "c2"}) {
      writeWav(dir.resolve("crema/AudioWAV/" + clip + ".wav"));
      for (int f = 1; f <= 2; f++) {
        Path frame = dir.resolve("crema/Image-01-FPS/" + clip + "/" + f + ".png");
        Files.createDirectories(frame.getParent());
        javax.imageio.ImageIO.write(
            new java.awt.image.BufferedImage(10, 10, java.awt.image.BufferedImage.TYPE_INT_RGB),
            "png",
            frame.toFile());
      }
    }
    String root = dir.resolve("crema").toString();
    Run ok =
        run(
            "replay",
            "--layout",
            "cremad",
            "--root",
            root,
            "--image-size",
            "8",
            "--spectrogram-size",
            "32x16",
            "--frames",
            "2",
            "--dry-run",
            "--no-progress");
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("encoded (dry run): 2 records");
    Run tooBig =
        run(
            "replay",
            "--layout",
            "cremad",
            "--root",
            root,
            "--spectrogram-size",
            "300x16",
            "--dry-run",
            "--no-progress");
    assertThat(tooBig.code()).isEqualTo(2);
    assertThat(tooBig.err())
        .contains("spectrogram size 300x16 exceeds crema-d's spectrogram of 257x188");
    Run tooMany =
        run(
            "replay",
            "--layout",
            "cremad",
            "--root",
            root,
            "--frames",
            "3",
            "--dry-run",
            "--no-progress");
    assertThat(tooMany.code()).isEqualTo(2);
    assertThat(tooMany.err()).contains("2 frames, need 3");
    Run malformed =
        run(
            "replay",
            "--layout",
            "cremad",
            "--root",
            root,
            "--spectrogram-size",
            "64",
            "--dry-run");
    assertThat(malformed.code()).isEqualTo(2);
    assertThat(malformed.err()).contains("--spectrogram-size", "must be HxW");
    Run table =
        run("replay", "--dataset", "segment", "--frames", "2", "--dry-run", "--no-progress");
    assertThat(table.code()).isEqualTo(2);
    assertThat(table.err()).contains("--frames applies to --layout datasets only");
  }

  /** Half a second of a 440 Hz tone, 16-bit mono at 22,050 Hz. */
  private static void writeWav(Path file) throws Exception {
    int n = 11_025;
    byte[] pcm = new byte[2 * n];
    for (int i = 0; i < n; i++) {
      short v = (short) (8000 * Math.sin(2 * Math.PI * 440 * i / 22_050.0));
      pcm[2 * i] = (byte) v;
      pcm[2 * i + 1] = (byte) (v >> 8);
    }
    Files.createDirectories(file.getParent());
    javax.sound.sampled.AudioFormat format =
        new javax.sound.sampled.AudioFormat(22_050, 16, 1, true, false);
    try (javax.sound.sampled.AudioInputStream in =
        new javax.sound.sampled.AudioInputStream(
            new java.io.ByteArrayInputStream(pcm), format, n)) {
      javax.sound.sampled.AudioSystem.write(
          in, javax.sound.sampled.AudioFileFormat.Type.WAVE, file.toFile());
    }
  }
}
