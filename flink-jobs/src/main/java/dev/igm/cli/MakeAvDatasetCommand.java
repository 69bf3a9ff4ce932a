package dev.igm.cli;

import dev.igm.avbench.AvBenchmarkGenerator;
import dev.igm.avbench.Difficulty;
import dev.igm.avbench.FashionMnist;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code igm make-av-dataset}: the real-signal audio-visual benchmark in the CREMA-D layout
 * (bin/make-av-dataset).
 */
@Command(
    name = "make-av-dataset",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Writes an audio-visual benchmark in the CREMA-D layout, made from Debian packages.",
      "",
      "Writes an audio-visual benchmark in the CREMA-D layout (annotations/{train,test}.csv, AudioWAV/<clip>.wav,",
      "Image-01-FPS/<clip>/*.jpg) that 'igm replay --layout cremad' reads: six clothing classes stored under",
      "CREMA-D's codes (NEU top, HAP pullover, SAD dress, FEA coat, DIS shirt, ANG bag). Frames: a degraded",
      "Fashion-MNIST image of the class (low resolution, colour, jitter, an occluder per frame, pixel noise). Audio:",
      "espeak-ng saying the class word (random accent, voice, speed, pitch) in noise at a random SNR, 22,050 Hz.",
      "Each modality's difficulty is drawn per clip, independently. Same seed, same files.",
      "",
      "Prerequisites (Debian/Ubuntu): apt-get install espeak-ng dataset-fashion-mnist",
    },
    footer = {
      "",
      "Example (the benchmark of docs/AV_BENCHMARK.md, about a minute on 2 cores):",
      "  bin/make-av-dataset var/av-bench --train 1200 --test 600 --seed 1",
      "  igm replay --layout cremad --root var/av-bench --image-size 32 --spectrogram-size 64x64 --frames 2 ...",
      "",
      "Exit codes: 0 written; 2 bad options, missing package or non-empty output folder; 1 failure.",
    })
public final class MakeAvDatasetCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "OUT", description = "Output folder (new or empty).")
  Path output;

  @Option(
      names = "--train",
      paramLabel = "N",
      defaultValue = "1200",
      description = "Training clips (default ${DEFAULT-VALUE}).")
  int train;

  @Option(
      names = "--test",
      paramLabel = "M",
      defaultValue = "600",
      description = "Test clips (default ${DEFAULT-VALUE}).")
  int test;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description = "Seed of every random choice (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--snr-db",
      paramLabel = "LO:HI",
      defaultValue = "-6:12",
      description =
          "Speech-to-noise ratio range in dB, uniform per clip (default ${DEFAULT-VALUE}).")
  String snrDb;

  @Option(
      names = "--item-resolution",
      paramLabel = "LO:HI",
      defaultValue = "8:14",
      description =
          "Side (px) the 28 px item is reduced to before drawing, uniform per clip; lower is blurrier (default ${DEFAULT-VALUE}).")
  String itemResolution;

  @Option(
      names = "--occlusion",
      paramLabel = "LO:HI",
      defaultValue = "0.3:0.5",
      description =
          "Side of each frame's occluding rectangle as a fraction of the frame, uniform per frame (default ${DEFAULT-VALUE}).")
  String occlusion;

  @Option(
      names = "--pixel-noise",
      paramLabel = "X",
      defaultValue = "0.2",
      description =
          "Largest pixel-noise standard deviation, a fraction of the full range; per clip uniform in [0, X] (default ${DEFAULT-VALUE}).")
  double pixelNoise;

  @Option(
      names = "--frames",
      paramLabel = "F",
      defaultValue = "2",
      description =
          "Frames per clip (default ${DEFAULT-VALUE}; read them all with igm replay --frames F).")
  int frames;

  @Option(
      names = "--frame-size",
      paramLabel = "PX",
      defaultValue = "64",
      description = "Side of the JPEG frames (default ${DEFAULT-VALUE}).")
  int frameSize;

  @Option(
      names = "--fashion-mnist",
      paramLabel = "DIR",
      description = "Folder of the Fashion-MNIST .gz files (default: ${DEFAULT-VALUE}, Debian's).")
  Path fashionMnist = FashionMnist.DEBIAN_DIR;

  @Option(
      names = "--espeak",
      paramLabel = "CMD",
      defaultValue = "espeak-ng",
      description = "The espeak-ng program (default ${DEFAULT-VALUE}).")
  String espeak;

  @Option(
      names = "--threads",
      paramLabel = "N",
      defaultValue = "2",
      description = "Clips generated in parallel (default ${DEFAULT-VALUE}).")
  int threads;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Difficulty difficulty = difficulty();
    AvBenchmarkGenerator generator =
        AvBenchmarkGenerator.builder()
            .output(output)
            .train(train)
            .test(test)
            .seed(seed)
            .difficulty(difficulty)
            .fashionMnist(fashionMnist)
            .espeak(espeak)
            .threads(threads)
            .build();
    AvBenchmarkGenerator.Summary s =
        generator.generate(
            line -> {
              out.println(line);
              out.flush();
            });
    out.printf(
        "wrote %d train + %d test clips to %s in %.1f s (%s)%n",
        s.train(), s.test(), s.output(), s.millis() / 1000.0, s.espeakVersion());
    out.flush();
    return 0;
  }

  /** {@code LO:HI}. */
  private static double[] range(String text, String option) {
    String[] parts = text.split(":");
    try {
      if (parts.length == 2) {
        return new double[] {
          Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim())
        };
      }
    } catch (NumberFormatException e) {
      // falls through to the message below
    }
    throw new IllegalArgumentException(option + " takes LO:HI (two numbers), got '" + text + "'");
  }

  /**
   * The difficulty the options give when none is set (kept equal to {@link Difficulty#DEFAULT} by a
   * test).
   */
  Difficulty difficulty() {
    double[] snr = range(snrDb, "--snr-db");
    double[] res = range(itemResolution, "--item-resolution");
    double[] occ = range(occlusion, "--occlusion");
    if (res[0] != Math.rint(res[0]) || res[1] != Math.rint(res[1])) {
      throw new IllegalArgumentException(
          "--item-resolution takes whole pixels, got " + itemResolution);
    }
    return new Difficulty(
        snr[0],
        snr[1],
        (int) res[0],
        (int) res[1],
        occ[0],
        occ[1],
        pixelNoise,
        frames,
        frameSize,
        Difficulty.DEFAULT.clipSeconds());
  }
}
