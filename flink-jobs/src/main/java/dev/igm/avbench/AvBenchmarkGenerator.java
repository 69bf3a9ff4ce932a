package dev.igm.avbench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.igm.core.model.Rng;
import dev.igm.data.SplitMix64;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Writes a real-signal audio-visual benchmark in the CREMA-D layout, so that every CREMA-D reader
 * takes it ({@code igm replay --layout cremad}): {@code annotations/{train,test}.csv} (rows {@code
 * <clip>,<code>}, no header), {@code AudioWAV/<clip>.wav} (22,050 Hz 16-bit mono) and {@code
 * Image-01-FPS/<clip>/frame_0000k.jpg}.
 *
 * <p>Six classes of clothing, stored under CREMA-D's six emotion codes. A clip's frames show a
 * Fashion-MNIST image of its class (training clips from Fashion-MNIST's training images, test clips
 * from its test images, never one image twice), degraded as {@link ClipFrames} describes; its audio
 * is {@code espeak-ng} saying the class word with a random accent, voice variant, speed and pitch,
 * in noise at a random speech-to-noise ratio ({@link NoisySpeech}). The difficulty of each modality
 * is drawn per clip and independently ({@link Difficulty}).
 *
 * <p>Every random choice of clip {@code i} comes from a generator seeded with {@code (seed, i)}, so
 * the output is the same for the same seed whatever the thread count. Besides the layout it writes
 * {@code benchmark.json} (settings, classes, espeak-ng version) and {@code meta/clips.csv} (every
 * clip's draws: voice, speed, pitch, SNR, source image, item resolution), which the layout readers
 * ignore.
 */
public final class AvBenchmarkGenerator {
  /**
   * One class: its CREMA-D code (class index = position), the spoken word, the Fashion-MNIST class.
   */
  public record ClassSpec(String code, String word, int fashionClass, String fashionName) {}

  /**
   * Clothing a classifier confuses by sight (top, pullover, coat and shirt above all), in CREMA-D's
   * class order NEU HAP SAD FEA DIS ANG. "top" rather than "T-shirt" (Fashion-MNIST's class is
   * "T-shirt/top"): "T-shirt" and "shirt" would sound alike exactly where the images look alike,
   * and then neither modality could tell them apart.
   */
  public static final List<ClassSpec> CLASSES =
      List.of(
          new ClassSpec("NEU", "top", 0, "T-shirt/top"),
          new ClassSpec("HAP", "pullover", 2, "Pullover"),
          new ClassSpec("SAD", "dress", 3, "Dress"),
          new ClassSpec("FEA", "coat", 4, "Coat"),
          new ClassSpec("DIS", "shirt", 6, "Shirt"),
          new ClassSpec("ANG", "bag", 8, "Bag"));

  /** espeak-ng's English accents (no MBROLA voices: they need another package). */
  static final List<String> ACCENTS =
      List.of(
          "en-us",
          "en-gb",
          "en-gb-scotland",
          "en-gb-x-rp",
          "en-gb-x-gbclan",
          "en-gb-x-gbcwmd",
          "en-029",
          "en-us-nyc");

  /** espeak-ng voice variants (voices/!v): male, female and synthetic-sounding ones. */
  static final List<String> VARIANTS =
      List.of(
          "m1",
          "m2",
          "m3",
          "m4",
          "m5",
          "m6",
          "m7",
          "f1",
          "f2",
          "f3",
          "f4",
          "f5",
          "klatt",
          "klatt2",
          "croak",
          "Annie",
          "Andy",
          "belinda",
          "benjamin",
          "david",
          "john",
          "linda",
          "max",
          "paul",
          "rob",
          "steph",
          "travis",
          "victor");

  static final int MIN_WPM = 110;
  static final int MAX_WPM = 230;

  private final Path output;
  private final int train;
  private final int test;
  private final long seed;
  private final Difficulty difficulty;
  private final Path fashionMnist;
  private final String espeakCommand;
  private final int threads;

  private AvBenchmarkGenerator(Builder b) {
    this.output = b.output;
    this.train = b.train;
    this.test = b.test;
    this.seed = b.seed;
    this.difficulty = b.difficulty;
    this.fashionMnist = b.fashionMnist;
    this.espeakCommand = b.espeak;
    this.threads = b.threads;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What was written. */
  public record Summary(Path output, int train, int test, long millis, String espeakVersion) {}

  private record Clip(int index, String name, boolean test, int classIndex, int imageIndex) {}

  /** Generates the benchmark; {@code log} gets progress lines. */
  public Summary generate(Consumer<String> log) {
    long t0 = System.nanoTime();
    requireEmpty(output);
    Espeak espeak = Espeak.locate(espeakCommand);
    FashionMnist trainImages = FashionMnist.read(fashionMnist, false);
    FashionMnist testImages = FashionMnist.read(fashionMnist, true);
    checkVoices(espeak);
    List<Clip> clips = new ArrayList<>();
    clips.addAll(plan(trainImages, train, false, 0));
    clips.addAll(plan(testImages, test, true, train));
    try {
      Files.createDirectories(output.resolve("annotations"));
      Files.createDirectories(output.resolve("AudioWAV"));
      Files.createDirectories(output.resolve("Image-01-FPS"));
      Files.createDirectories(output.resolve("meta"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + output + ": " + e.getMessage(), e);
    }
    log.accept(
        "generating "
            + clips.size()
            + " clips ("
            + train
            + " train, "
            + test
            + " test) with "
            + threads
            + " thread(s) into "
            + output);
    String[] details = new String[clips.size()];
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (Clip c : clips) {
        futures.add(
            pool.submit(
                () -> {
                  details[c.index()] = write(c, c.test() ? testImages : trainImages, espeak);
                  int n = done.incrementAndGet();
                  if (n % 200 == 0 || n == clips.size()) {
                    log.accept("  " + n + "/" + clips.size() + " clips");
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      pool.shutdownNow();
    }
    writeIndex(clips, details, espeak);
    return new Summary(output, train, test, (System.nanoTime() - t0) / 1_000_000, espeak.version());
  }

  /**
   * Balanced classes (clip i of the split has class i mod 6, then shuffled), distinct source images
   * per class.
   */
  private List<Clip> plan(FashionMnist images, int count, boolean isTest, int firstIndex) {
    int[] classes = new int[count];
    for (int i = 0; i < count; i++) {
      classes[i] = i % CLASSES.size();
    }
    new SplitMix64(SplitMix64.mix64(seed) ^ (isTest ? 2 : 1)).shuffle(classes);
    int[][] pools = new int[CLASSES.size()][];
    int[] used = new int[CLASSES.size()];
    for (int k = 0; k < CLASSES.size(); k++) {
      pools[k] = images.indicesOf(CLASSES.get(k).fashionClass());
      new SplitMix64(SplitMix64.mix64(seed + 31L * k) ^ (isTest ? 4 : 3)).shuffle(pools[k]);
    }
    List<Clip> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int k = classes[i];
      if (used[k] >= pools[k].length) {
        throw new IllegalArgumentException(
            "Fashion-MNIST's "
                + (isTest ? "test" : "training")
                + " part has only "
                + pools[k].length
                + " images of "
                + CLASSES.get(k).fashionName()
                + "; ask for fewer clips");
      }
      int index = firstIndex + i;
      String name = String.format("%05d_AVB_%s_XX", index + 1, CLASSES.get(k).code());
      out.add(new Clip(index, name, isTest, k, pools[k][used[k]++]));
    }
    return out;
  }

  /** Writes one clip's WAV and frames; returns its meta/clips.csv line. */
  private String write(Clip c, FashionMnist images, Espeak espeak) {
    Rng rng = new Rng(SplitMix64.mix64(seed * 0x632BE59BD9B4E019L + c.index()));
    ClassSpec k = CLASSES.get(c.classIndex());
    String voice =
        ACCENTS.get(rng.nextInt(ACCENTS.size())) + "+" + VARIANTS.get(rng.nextInt(VARIANTS.size()));
    int wpm = MIN_WPM + rng.nextInt(MAX_WPM - MIN_WPM + 1);
    int pitch = 10 + rng.nextInt(81);
    double snr =
        difficulty.snrLowDb() + (difficulty.snrHighDb() - difficulty.snrLowDb()) * rng.nextDouble();
    float[] word = NoisySpeech.trim(espeak.speak(k.word(), voice, wpm, pitch));
    int length = (int) Math.round(difficulty.clipSeconds() * Espeak.RATE);
    float[] audio = NoisySpeech.mix(word, length, snr, rng);
    ClipFrames frames = new ClipFrames(images.image(c.imageIndex()), difficulty, rng);
    try {
      Files.write(
          output.resolve("AudioWAV").resolve(c.name() + ".wav"), Espeak.wav16(audio, Espeak.RATE));
      Path dir = Files.createDirectories(output.resolve("Image-01-FPS").resolve(c.name()));
      for (int f = 0; f < difficulty.frames(); f++) {
        Path file = dir.resolve(String.format("frame_%05d.jpg", f + 1));
        if (!ImageIO.write(frames.frame(rng), "jpg", file.toFile())) {
          throw new IllegalStateException("no JPEG writer in this Java runtime");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write clip " + c.name() + " under " + output + ": " + e.getMessage(), e);
    }
    return String.join(
        ",",
        c.name(),
        c.test() ? "test" : "train",
        k.code(),
        k.word(),
        k.fashionName(),
        Integer.toString(c.imageIndex()),
        voice,
        Integer.toString(wpm),
        Integer.toString(pitch),
        String.format("%.2f", snr),
        Integer.toString(frames.resolution()),
        String.format("%.3f", frames.noise()),
        String.format("%.3f", word.length / (double) Espeak.RATE));
  }

  private void writeIndex(List<Clip> clips, String[] details, Espeak espeak) {
    StringBuilder trainCsv = new StringBuilder();
    StringBuilder testCsv = new StringBuilder();
    StringBuilder meta =
        new StringBuilder(
            "clip,split,code,word,fashion_mnist_class,fashion_mnist_index,voice,"
                + "words_per_minute,pitch,snr_db,item_resolution_px,pixel_noise,speech_seconds\n");
    for (Clip c : clips) {
      (c.test() ? testCsv : trainCsv)
          .append(c.name())
          .append(',')
          .append(CLASSES.get(c.classIndex()).code())
          .append('\n');
      meta.append(details[c.index()]).append('\n');
    }
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("generator", "igm make-av-dataset");
    info.put("layout", "cremad");
    info.put("seed", seed);
    info.put("train", train);
    info.put("test", test);
    List<Map<String, Object>> classes = new ArrayList<>();
    for (ClassSpec k : CLASSES) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("code", k.code());
      c.put("word", k.word());
      c.put("fashion_mnist_class", k.fashionClass());
      c.put("fashion_mnist_name", k.fashionName());
      classes.add(c);
    }
    info.put("classes", classes);
    info.put("difficulty", difficulty.toMap());
    info.put("espeak_ng", espeak.version());
    info.put("accents", ACCENTS);
    info.put("voice_variants", VARIANTS);
    info.put("words_per_minute", new int[] {MIN_WPM, MAX_WPM});
    info.put("fashion_mnist", fashionMnist.toString());
    try {
      Files.writeString(output.resolve("annotations/train.csv"), trainCsv);
      Files.writeString(output.resolve("annotations/test.csv"), testCsv);
      Files.writeString(output.resolve("meta/clips.csv"), meta);
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(output.resolve("benchmark.json").toFile(), info);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the index under " + output + ": " + e.getMessage(), e);
    }
  }

  /** Every accent and variant speaks once, so a missing voice fails before any clip is written. */
  private static void checkVoices(Espeak espeak) {
    for (String accent : ACCENTS) {
      espeak.speak("top", accent, 160, 50);
    }
    for (String variant : VARIANTS) {
      espeak.speak("top", "en-us+" + variant, 160, 50);
    }
  }

  private static void requireEmpty(Path dir) {
    if (Files.exists(dir)) {
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException(dir + " exists and is not a directory");
      }
      try (Stream<Path> s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException(dir + " is not empty: give a new or empty folder");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Settings, checked in {@link #build()}. */
  public static final class Builder {
    private Path output;
    private int train = 1200;
    private int test = 600;
    private long seed = 1;
    private Difficulty difficulty = Difficulty.DEFAULT;
    private Path fashionMnist = FashionMnist.DEBIAN_DIR;
    private String espeak = "espeak-ng";
    private int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));

    public Builder output(Path dir) {
      this.output = dir;
      return this;
    }

    public Builder train(int n) {
      this.train = n;
      return this;
    }

    public Builder test(int n) {
      this.test = n;
      return this;
    }

    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    public Builder difficulty(Difficulty d) {
      this.difficulty = d;
      return this;
    }

    public Builder fashionMnist(Path dir) {
      this.fashionMnist = dir;
      return this;
    }

    public Builder espeak(String command) {
      this.espeak = command;
      return this;
    }

    public Builder threads(int n) {
      this.threads = n;
      return this;
    }

    public AvBenchmarkGenerator build() {
      Objects.requireNonNull(output, "output folder");
      Objects.requireNonNull(difficulty, "difficulty");
      Objects.requireNonNull(fashionMnist, "Fashion-MNIST folder");
      if (train < CLASSES.size() || test < CLASSES.size()) {
        throw new IllegalArgumentException(
            "need at least "
                + CLASSES.size()
                + " train and test clips (one per class), got "
                + train
                + " and "
                + test);
      }
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be >= 1, got " + threads);
      }
      if (espeak == null || espeak.isBlank()) {
        throw new IllegalArgumentException("espeak-ng command must not be empty");
      }
      return new AvBenchmarkGenerator(this);
    }
  }
}
