package dev.igm.avbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.igm.avro.Split;
import dev.igm.core.model.Rng;
import dev.igm.data.layout.DatasetLayout;
import dev.igm.data.layout.LayoutItem;
import dev.igm.data.layout.LayoutOptions;
import dev.igm.data.layout.PaperLayouts;
import dev.igm.data.layout.WavAudio;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark generator without its Debian packages: a stand-in {@code espeak-ng} script that
 * prints a WAV the way espeak-ng does (to a pipe, chunk sizes unknown) and tiny Fashion-MNIST IDX
 * files; the output is a CREMA-D layout the cremad reader takes, the same for the same seed
 * whatever the thread count.
 */
class AvBenchmarkGeneratorTest {
  @TempDir Path dir;

  /** IDX files of {@code perClass} random 28×28 images for each of the 10 classes. */
  private Path fashionMnist(int perClass) throws IOException {
    Path fm = Files.createDirectories(dir.resolve("fashion-mnist"));
    Rng rng = new Rng(5);
    for (String stem : new String[] {"train", "t10k"}) {
      int n = 10 * perClass;
      try (DataOutputStream img = gz(fm.resolve(stem + "-images-idx3-ubyte.gz"));
          DataOutputStream lab = gz(fm.resolve(stem + "-labels-idx1-ubyte.gz"))) {
        img.writeInt(0x803);
        img.writeInt(n);
        img.writeInt(28);
        img.writeInt(28);
        lab.writeInt(0x801);
        lab.writeInt(n);
        for (int i = 0; i < n; i++) {
          for (int p = 0; p < 28 * 28; p++) {
            img.writeByte(rng.nextInt(256));
          }
          lab.writeByte(i % 10);
        }
      }
    }
    return fm;
  }

  private static DataOutputStream gz(Path file) throws IOException {
    OutputStream out = Files.newOutputStream(file);
    return new DataOutputStream(new GZIPOutputStream(out));
  }

  /**
   * A script answering --version and printing 0.4 s of a 300 Hz tone as a streamed WAV (sizes
   * 0x7fffffff).
   */
  private Path fakeEspeak() throws IOException {
    int n = 8820;
    byte[] wav = Espeak.wav16(tone(n), Espeak.RATE);
    java.nio.ByteBuffer.wrap(wav)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putInt(4, 0x7fffffff)
        .putInt(40, 0x7fffffff);
    Path data = Files.write(dir.resolve("word.wav"), wav);
    Path script = dir.resolve("espeak-ng");
    Files.writeString(
        script,
        "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'fake espeak-ng 0'; exit 0; fi\n"
            + "case \"$2\" in *nosuch*) echo 'no voice' >&2; exit 1;; esac\ncat '"
            + data
            + "'\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  private static float[] tone(int n) {
    float[] s = new float[n + 2000];
    for (int i = 1000; i < n + 1000; i++) {
      s[i] = (float) (0.5 * Math.sin(2 * Math.PI * 300 * i / Espeak.RATE));
    }
    return s;
  }

  private AvBenchmarkGenerator.Builder generator(Path out, Path fm, Path espeak) {
    return AvBenchmarkGenerator.builder()
        .output(out)
        .train(12)
        .test(6)
        .seed(9)
        .fashionMnist(fm)
        .espeak(espeak.toString())
        .difficulty(new Difficulty(-6, 6, 7, 14, 0.3, 0.5, 0.2, 2, 24, 1.5));
  }

  @Test
  void writesACremaLayoutTheCremadReaderTakesSameForSameSeedAndAnyThreadCount() throws Exception {
    Path fm = fashionMnist(4);
    Path espeak = fakeEspeak();
    List<String> lines = new ArrayList<>();
    AvBenchmarkGenerator.Summary s =
        generator(dir.resolve("a"), fm, espeak).threads(2).build().generate(lines::add);
    generator(dir.resolve("b"), fm, espeak).threads(1).build().generate(l -> {});
    assertThat(s.train()).isEqualTo(12);
    assertThat(s.espeakVersion()).isEqualTo("fake espeak-ng 0");
    assertThat(lines.get(0)).contains("18 clips");

    DatasetLayout crema =
        PaperLayouts.open(
            "cremad",
            dir.resolve("a"),
            new LayoutOptions(16, 50, new LayoutOptions.GridSize(32, 32), 2));
    assertThat(crema.items()).hasSize(18);
    assertThat(crema.skipped()).isEmpty();
    assertThat(crema.items().stream().filter(i -> i.split() == Split.TEST)).hasSize(6);
    int[] perClass = new int[6];
    crema.items().stream()
        .filter(i -> i.split() == Split.TRAIN)
        .forEach(i -> perClass[i.label()]++);
    assertThat(perClass).containsOnly(2);
    LayoutItem first = crema.items().get(0);
    assertThat(first.sampleId()).matches("crema-d/train/\\d{5}_AVB_(NEU|HAP|SAD|FEA|DIS|ANG)_XX");
    assertThat(crema.load(first)).containsOnlyKeys("audio", "visual");

    WavAudio wav =
        WavAudio.read(dir.resolve("a/AudioWAV").resolve(first.files().get(0).getFileName()));
    assertThat(wav.rate()).isEqualTo(22_050);
    assertThat(wav.samples()).hasSize((int) Math.round(1.5 * 22_050));

    List<Path> a = files(dir.resolve("a"));
    List<Path> b = files(dir.resolve("b"));
    assertThat(b).isEqualTo(a);
    for (Path p : a) {
      assertThat(Files.readAllBytes(dir.resolve("b").resolve(p)))
          .as("%s", p)
          .isEqualTo(Files.readAllBytes(dir.resolve("a").resolve(p)));
    }
    assertThat(a)
        .contains(
            Path.of("benchmark.json"), Path.of("meta/clips.csv"), Path.of("annotations/train.csv"));
    assertThat(Files.readAllLines(dir.resolve("a/meta/clips.csv")))
        .hasSize(19)
        .first()
        .asString()
        .startsWith("clip,split,code,word");
    // test clips come from the test images: the first 6 clips of meta are train, the rest test
    assertThat(Files.readString(dir.resolve("a/annotations/test.csv")).lines()).hasSize(6);
  }

  private static List<Path> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
    }
  }

  @Test
  void missingPackagesAndBadSettingsAreNamed() throws Exception {
    assertThatThrownBy(() -> FashionMnist.read(dir, false))
        .hasMessageContaining("apt-get install dataset-fashion-mnist");
    assertThatThrownBy(() -> Espeak.locate(dir.resolve("no-espeak").toString()))
        .hasMessageContaining("apt-get install espeak-ng");
    Path espeak = fakeEspeak();
    assertThatThrownBy(() -> Espeak.locate(espeak.toString()).speak("top", "nosuch", 150, 50))
        .hasMessageContaining("no voice");
    Path fm = fashionMnist(1);
    Files.createDirectories(dir.resolve("full"));
    Files.writeString(dir.resolve("full/x"), "");
    assertThatThrownBy(() -> generator(dir.resolve("full"), fm, espeak).build().generate(l -> {}))
        .hasMessageContaining("is not empty");
    assertThatThrownBy(() -> generator(dir.resolve("c"), fm, espeak).build().generate(l -> {}))
        .hasMessageContaining("has only 1 images of");
    assertThatThrownBy(() -> generator(dir.resolve("d"), fm, espeak).train(5).build())
        .hasMessageContaining("at least 6");
    assertThatThrownBy(() -> new Difficulty(6, -6, 7, 14, 0.3, 0.5, 0.2, 2, 24, 3))
        .hasMessageContaining("SNR range");
    assertThatThrownBy(() -> new Difficulty(-6, 6, 7, 30, 0.3, 0.5, 0.2, 2, 24, 3))
        .hasMessageContaining("item resolution");
  }

  @Test
  void noiseIsMixedAtTheRequestedSpeechToNoiseRatio() {
    float[] word = new float[4000];
    for (int i = 0; i < word.length; i++) {
      word[i] = (float) Math.sin(i * 0.1);
    }
    double wordPower = 0;
    for (float v : word) {
      wordPower += v * v / word.length;
    }
    for (double snr : new double[] {-12, 0, 10}) {
      NoisySpeech.Mixed m = NoisySpeech.place(word, 40_000, snr, new Rng(3));
      // noise power away from the word, against the word's power at the same gain
      double noise = 0;
      int count = 0;
      for (int i = 0; i < m.clip().length; i++) {
        if (i < m.offset() || i >= m.offset() + word.length) {
          noise += m.clip()[i] * m.clip()[i];
          count++;
        }
      }
      double measured = 10 * Math.log10(wordPower * m.gain() * m.gain() / (noise / count));
      assertThat(measured).as("SNR %s dB", snr).isCloseTo(snr, within(0.5));
      assertThat(m.clip()).hasSize(40_000);
    }
    assertThat(NoisySpeech.trim(new float[] {0, 0.001f, 0.5f, -0.3f, 0.001f, 0}))
        .containsExactly(0.5f, -0.3f);
  }

  @Test
  void streamedWavHeadersAreRead() {
    float[] s = {0.5f, -0.25f, 0f};
    byte[] wav = Espeak.wav16(s, Espeak.RATE);
    java.nio.ByteBuffer.wrap(wav).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(40, 0x7fffffff);
    assertThat(Espeak.pcm16(wav, "test"))
        .containsExactly(16384 / 32768f * 32767 / 16384 * 16384 / 32767f, -8192 / 32768f, 0f);
    assertThatThrownBy(() -> Espeak.pcm16(Espeak.wav16(s, 16_000), "test"))
        .hasMessageContaining("16-bit mono PCM at 22050 Hz");
  }
}
