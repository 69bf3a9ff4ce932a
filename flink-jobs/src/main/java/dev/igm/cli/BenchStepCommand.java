package dev.igm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.linalg.Blas;
import dev.igm.core.model.Rng;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.LabeledSample;
import dev.igm.core.train.RefreshProbe;
import dev.igm.kafka.LocalKafkaBroker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code igm bench-step}: the cost of IGM's training step on the audio-visual benchmark's ResNet-18
 * model, in one run: igm vs plain SAM on the same model and schedule (with the T refresh beside the
 * steps, and, for comparison, taken over at once as it used to be), and the offline training loop
 * of {@code igm fit} vs a plain PyTorch script of the same model and step ({@code
 * bench/torch_igm_step.py}). Not a test: it prints measurements.
 */
@Command(
    name = "bench-step",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measures an igm step against a SAM step and against plain PyTorch, on the audio-visual model.",
      "",
      "Measures the training step on the audio-visual benchmark's model: two ResNet-18 modalities, audio [1, S, S] and "
          + "visual [3, F, I, I] (defaults S = 64, F = 2, I = 32: the sizes of docs/AV_BENCHMARK.md), head "
          + "512 -> 256 -> 64 -> 6, batch 16, schedule phased, SGD with momentum, sam.rho 0.05, tau 0.4, one "
          + "intra-op thread, random Gaussian inputs (the time of a step does not depend on the values).",
      "",
      "Per round, each on its own trainer kept from round to round, the same batches in the same order: igm (SAM + "
          + "the flat gradient modification with T of the other modality on every head layer, covariances, a T "
          + "refresh at every phase end computed beside the steps and taken over by the step that needs it); sam "
          + "(the same trainer with covariances and T switched off: plain SAM steps); igm with every refresh taken "
          + "over right after its batch (the refresh on the training thread, as before it ran beside the steps); "
          + "then the PyTorch script, one process per round (python3-torch, torch.set_num_threads(1); see "
          + "bench/torch_igm_step.py), igm and sam.",
      "",
      "A round times --batches batches (whole phase cycles, so both modalities count alike) after "
          + "--warmup-rounds rounds that are not counted. Reported per round and as medians: ms per batch, the "
          + "ratio igm / sam (goal <= 1.15), samples/s of the igm loop (the loop igm fit runs: IgmTrainer.offer "
          + "per sample) and of PyTorch's igm, and their ratio (goal >= 1.0); the T refresh's compute time beside "
          + "the steps and how long the training thread waited for it.",
    })
public final class BenchStepCommand implements Callable<Integer> {
  @Option(
      names = "--spectrogram-size",
      paramLabel = "S",
      description = "Audio input [1, S, S] (default: ${DEFAULT-VALUE}).")
  int spectrogram = 64;

  @Option(
      names = "--image-size",
      paramLabel = "I",
      description = "Visual frame size (default: ${DEFAULT-VALUE}).")
  int image = 32;

  @Option(
      names = "--frames",
      paramLabel = "F",
      description = "Visual frames per clip (default: ${DEFAULT-VALUE}).")
  int frames = 2;

  @Option(names = "--batch-size", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
  int batch = 16;

  @Option(
      names = "--phase-batches",
      description =
          "phase.batches: a T refresh every this many batches"
              + " (default: ${DEFAULT-VALUE}, the shorter of the AV grid's two).")
  int phase = 5;

  @Option(
      names = "--batches",
      description =
          "Batches timed per round and trainer; a multiple of 2 x phase.batches"
              + " (default: ${DEFAULT-VALUE}).")
  int batches = 10;

  @Option(names = "--rounds", description = "Measured rounds (default: ${DEFAULT-VALUE}).")
  int rounds = 3;

  @Option(
      names = "--warmup-rounds",
      description = "Rounds run first and not counted (default: ${DEFAULT-VALUE}).")
  int warmupRounds = 1;

  @Option(
      names = "--python",
      paramLabel = "PATH",
      description =
          "Python with PyTorch for the script (default:"
              + " ${DEFAULT-VALUE}, Debian's, where apt-get install python3-torch puts it); 'none' skips the comparison.")
  String python = "/usr/bin/python3";

  /** One round's figures: ms per batch. */
  private record Round(double igm, double sam, double inPlace, double torchIgm, double torchSam) {}

  @Override
  public Integer call() throws Exception {
    if (batches < 1 || batches % (2 * phase) != 0 || rounds < 1 || warmupRounds < 0 || batch < 1) {
      throw new IllegalArgumentException(
          "--batches must be a positive multiple of 2 x --phase-batches ("
              + 2 * phase
              + "), --rounds >= 1, --warmup-rounds >= 0, --batch-size >= 1");
    }
    Blas.setThreads(1); // the refresh's eigendecomposition: one thread, beside the training thread
    IgmConfig igmConfig = config("igm");
    List<List<LabeledSample>> data = batches(igmConfig);
    Path script = LocalKafkaBroker.locateProjectRoot().resolve("bench/torch_igm_step.py");
    boolean torch = !"none".equals(python) && torchAvailable();

    System.out.printf(
        Locale.ROOT,
        "igm bench-step: ResNet-18 x 2 (audio [1, %d, %d], visual [3, %d, %d, %d]), head"
            + " 512-256-64-6, batch %d, phased, phase.batches %d, SGD momentum 0.9, sam.rho 0.05, tau 0.4; one"
            + " intra-op thread; %d batches per round and trainer, %d warm-up round(s); %d cores, load average %s%n",
        spectrogram,
        spectrogram,
        frames,
        image,
        image,
        batch,
        phase,
        batches,
        warmupRounds,
        Runtime.getRuntime().availableProcessors(),
        loadAverage());
    System.out.printf(
        Locale.ROOT,
        "  glibc malloc (this JVM and the PyTorch script alike): MALLOC_ARENA_MAX=%s"
            + " MALLOC_MMAP_THRESHOLD_=%s MALLOC_TRIM_THRESHOLD_=%s (bin/igm sets them for bench-step and fit)%n",
        envOrUnset("MALLOC_ARENA_MAX"),
        envOrUnset("MALLOC_MMAP_THRESHOLD_"),
        envOrUnset("MALLOC_TRIM_THRESHOLD_"));
    if (!torch) {
      System.out.println(
          "  PyTorch comparison skipped: "
              + ("none".equals(python)
                  ? "--python none"
                  : python + " cannot import torch (apt-get install python3-torch)"));
    }
    System.out.printf(
        Locale.ROOT,
        "  %-7s %9s %9s %7s %13s %13s %11s %11s %9s %9s%n",
        "round",
        "igm ms",
        "sam ms",
        "igm/sam",
        "igm in-place",
        "torch igm ms",
        "torch sam",
        "igm samp/s",
        "torch s/s",
        "igm/torch");

    List<Round> measured = new ArrayList<>();
    long waitAtStart = 0;
    long computeAtStart = 0;
    long refreshesAtStart = 0;
    try (IgmTrainer igm = new IgmTrainer(igmConfig);
        IgmTrainer sam = new IgmTrainer(igmConfig);
        IgmTrainer inPlace = new IgmTrainer(igmConfig)) {
      RefreshProbe.withoutFlatModification(sam);
      for (int r = 0; r < warmupRounds + rounds; r++) {
        boolean warmup = r < warmupRounds;
        if (r == warmupRounds) {
          waitAtStart = RefreshProbe.waitNanos(igm);
          computeAtStart = RefreshProbe.computeNanos(igm);
          refreshesAtStart = RefreshProbe.count(igm);
        }
        double igmMs = timeBatches(igm, data, false);
        double samMs = timeBatches(sam, data, false);
        double inPlaceMs = timeBatches(inPlace, data, true);
        double[] t = torch ? torchRound(script) : new double[] {Double.NaN, Double.NaN};
        Round round = new Round(igmMs, samMs, inPlaceMs, t[0], t[1]);
        print(warmup ? "warm-up" : Integer.toString(r - warmupRounds + 1), round);
        if (!warmup) {
          measured.add(round);
        }
      }
      igm.settleRefreshes();
      Round median =
          new Round(
              median(measured, Round::igm),
              median(measured, Round::sam),
              median(measured, Round::inPlace),
              median(measured, Round::torchIgm),
              median(measured, Round::torchSam));
      print("median", median);
      System.out.printf(
          Locale.ROOT,
          "  igm / sam = %.3f (goal <= 1.15; median of the rounds' ms); igm with the refresh"
              + " taken over at once / sam = %.3f%n",
          median.igm / median.sam,
          median.inPlace / median.sam);
      if (torch) {
        System.out.printf(
            Locale.ROOT,
            "  igm fit's loop vs PyTorch, igm step: %.1f vs %.1f samples/s = %.3f (goal >="
                + " 1.0); sam step: %.1f vs %.1f samples/s = %.3f; PyTorch igm / sam = %.3f%n",
            rate(median.igm),
            rate(median.torchIgm),
            median.torchIgm / median.igm,
            rate(median.sam),
            rate(median.torchSam),
            median.torchSam / median.sam,
            median.torchIgm / median.torchSam);
      }
      long refreshes = RefreshProbe.count(igm) - refreshesAtStart;
      double computeMs = (RefreshProbe.computeNanos(igm) - computeAtStart) / 1e6;
      double waitMs = (RefreshProbe.waitNanos(igm) - waitAtStart) / 1e6;
      System.out.printf(
          Locale.ROOT,
          "  T refresh (igm, measured rounds): %d refreshes, %.1f ms each on average (T of"
              + " the 512-, 256- and 64-wide head inputs: eigendecomposition + product), i.e. %.1f%% of one igm step"
              + " (%.0f ms); the training thread waited %.2f ms per refresh for it (%.1f ms in all)%n",
          refreshes,
          computeMs / Math.max(1, refreshes),
          100 * computeMs / Math.max(1, refreshes) / median.igm,
          median.igm,
          waitMs / Math.max(1, refreshes),
          waitMs);
    }
    return 0;
  }

  private IgmConfig config(String method) {
    return IgmConfig.builder()
        .method(method)
        .addModality(
            new ModalitySpec(
                "audio", List.of(1, spectrogram, spectrogram), "resnet18", List.of(), null, false))
        .addModality(
            new ModalitySpec(
                "visual", List.of(3, frames, image, image), "resnet18", List.of(), null, false))
        .numClasses(6)
        .headWidths(List.of(256, 64))
        .batchSize(batch)
        .schedule(IgmConfig.Schedule.PHASED)
        .phaseBatches(phase)
        .lr(0.01)
        .samRho(0.05)
        .seed(42)
        .deterministic(true)
        .build();
  }

  /** Four batches of random samples, cycled: Gaussian inputs of both modalities, labels 0..5. */
  private List<List<LabeledSample>> batches(IgmConfig config) {
    Rng rng = new Rng(1);
    int audio = spectrogram * spectrogram;
    int visual = 3 * frames * image * image;
    List<List<LabeledSample>> out = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      List<LabeledSample> samples = new ArrayList<>();
      for (int s = 0; s < batch; s++) {
        samples.add(
            new LabeledSample(
                "b" + b + "s" + s,
                rng.nextInt(6),
                new float[][] {gauss(rng, audio), gauss(rng, visual)}));
      }
      out.add(samples);
    }
    return out;
  }

  /** ms per batch over {@link #batches} batches offered sample by sample (igm fit's loop). */
  private double timeBatches(IgmTrainer t, List<List<LabeledSample>> data, boolean takeOverAtOnce) {
    long start = System.nanoTime();
    for (int b = 0; b < batches; b++) {
      for (LabeledSample s : data.get((int) (t.batches() % data.size()))) {
        t.offer(s);
      }
      if (takeOverAtOnce) {
        t.settleRefreshes();
      }
    }
    return (System.nanoTime() - start) / 1e6 / batches;
  }

  /**
   * PyTorch's {igm, sam} ms per batch: one process, the same sizes, whole phase cycles after one
   * cycle of warm-up.
   */
  private double[] torchRound(Path script) throws Exception {
    List<String> cmd =
        List.of(
            python,
            script.toString(),
            "--method",
            "igm,sam",
            "--spectrogram",
            Integer.toString(spectrogram),
            "--image",
            Integer.toString(image),
            "--frames",
            Integer.toString(frames),
            "--batch",
            Integer.toString(batch),
            "--phase",
            Integer.toString(phase),
            "--warmup",
            Integer.toString(2 * phase),
            "--batches",
            Integer.toString(batches),
            "--threads",
            "1");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("OMP_NUM_THREADS", "1");
    Process p = pb.start();
    Map<String, Double> ms = new HashMap<>();
    StringBuilder other = new StringBuilder();
    ObjectMapper json = new ObjectMapper();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("{")) {
          JsonNode n = json.readTree(line);
          ms.put(n.get("method").asText(), n.get("ms_per_batch").asDouble());
        } else {
          other.append(line).append('\n');
        }
      }
    }
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0 || ms.size() != 2) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "the PyTorch script failed: " + String.join(" ", cmd) + "\n" + other);
    }
    return new double[] {ms.get("igm"), ms.get("sam")};
  }

  private boolean torchAvailable() {
    try {
      Process p =
          new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0;
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void print(String label, Round r) {
    System.out.printf(
        Locale.ROOT,
        "  %-7s %9.0f %9.0f %7.3f %13.0f %13.0f %11.0f %11.1f %9.1f %9.3f%n",
        label,
        r.igm,
        r.sam,
        r.igm / r.sam,
        r.inPlace,
        r.torchIgm,
        r.torchSam,
        rate(r.igm),
        rate(r.torchIgm),
        r.torchIgm / r.igm);
  }

  private double rate(double msPerBatch) {
    return batch * 1000.0 / msPerBatch;
  }

  private static String envOrUnset(String name) {
    String v = System.getenv(name);
    return v == null ? "unset" : v;
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "unknown";
    }
  }

  private static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> f) {
    double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static float[] gauss(Rng r, int n) {
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) r.nextGaussian();
    }
    return f;
  }
}
