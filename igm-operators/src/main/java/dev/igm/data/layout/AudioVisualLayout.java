package dev.igm.data.layout;

import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.codec.TensorCodec;
import dev.igm.data.DatasetFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The audio-visual layouts of the reference code: CREMA-D ({@code datasets/CREMA.py}) and
 * Kinetics-Sounds ({@code datasets/KS.py}). Each sample is a WAV file and a folder of JPEG frames
 * (1 fps). Modalities:
 *
 * <ul>
 *   <li>{@code audio}: float32 {@code [1, 257, T]}, the log-magnitude STFT (n_fft 512, hop 353) of
 *       the clip resampled and cropped as the reference does (CREMA-D: 22,050 Hz, tiled 3×, first 3
 *       s → T = 188; Kinetics-Sounds: 35,400 Hz, doubled until ≥ 10 s, first 10 s → T = 1003),
 *       clipped to [−1, 1]; one channel first, as the reference's training loop hands it to its
 *       ResNet ({@code unsqueeze(1)}). With a {@linkplain LayoutOptions#spectrogram() spectrogram
 *       size} {@code H×W}: {@code [1, H, W]}, that STFT average-pooled by {@link SpectrogramPool}
 *       (a CPU-sized input; the reference's full size is for a GPU);
 *   <li>{@code visual}: float32 {@code [3, F, S, S]} (channel, frame, height, width, the
 *       reference's permuted layout), the first F frames of the folder in name order (CREMA-D: F =
 *       1, Kinetics-Sounds: F = 3, or {@linkplain LayoutOptions#frames() as asked}), each resized
 *       to S×S (bilinear) and normalised with the ImageNet statistics.
 * </ul>
 *
 * The reference's evaluation transform is used for every split: random crops and flips are
 * training-time augmentation, which belongs to the consumer, not to a replayed record. The
 * reference lists a folder with {@code os.listdir} (arbitrary order) and takes its first entries;
 * here the order is by file name, so replays are reproducible.
 */
public final class AudioVisualLayout extends AbstractLayout {
  private static final int N_FFT = 512;
  private static final int HOP = 353;

  private final int sampleRate;
  private final UnaryOperator<float[]> crop;
  private final int frames;
  private final ImageTensor images;
  private final LayoutOptions.GridSize pooled;
  private final LogSpectrogram spectrogram = new LogSpectrogram(N_FFT, HOP);
  private final TensorCodec codec = TensorCodec.create();

  private AudioVisualLayout(
      String name,
      List<String> classNames,
      List<LayoutItem> items,
      List<String> skipped,
      int sampleRate,
      int clipSamples,
      UnaryOperator<float[]> crop,
      int frames,
      LayoutOptions options) {
    super(name, classNames, List.of("audio", "visual"), items, skipped);
    this.sampleRate = sampleRate;
    this.crop = crop;
    this.frames = options.frames() > 0 ? options.frames() : frames;
    this.pooled = options.spectrogram();
    if (pooled != null
        && (pooled.height() > spectrogram.bins()
            || pooled.width() > spectrogram.frames(clipSamples))) {
      // refused when the layout is opened, not at the first record
      throw new IllegalArgumentException(
          "spectrogram size "
              + pooled
              + " exceeds "
              + name
              + "'s spectrogram of "
              + spectrogram.bins()
              + "x"
              + spectrogram.frames(clipSamples)
              + " (frequency bins x frames): it can only be reduced");
    }
    this.images =
        new ImageTensor(
            options.imageSize(),
            ImageTensor.Filter.BILINEAR,
            ImageTensor.IMAGENET_MEAN,
            ImageTensor.IMAGENET_STD);
  }

  /**
   * CREMA-D under {@code root}: {@code annotations/train.csv} and {@code annotations/test.csv} (no
   * header; rows {@code <clip>,<emotion>} with emotion one of NEU HAP SAD FEA DIS ANG, classes 0..5
   * in that order), {@code AudioWAV/<clip>.wav}, {@code Image-01-FPS/<clip>/*.jpg}. Rows whose WAV
   * or frame folder is missing are skipped, as the reference skips them.
   */
  public static AudioVisualLayout cremaD(Path root, LayoutOptions options) {
    List<String> classes = List.of("NEU", "HAP", "SAD", "FEA", "DIS", "ANG");
    List<LayoutItem> items = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (Split split : new Split[] {Split.TRAIN, Split.TEST}) {
      String stem = split == Split.TRAIN ? "train" : "test";
      Path csv = requireFile(root.resolve("annotations").resolve(stem + ".csv"), "CREMA-D");
      for (AnnotationFile.Line line : AnnotationFile.read(csv, ',', true)) {
        String clip = line.field(0, "clip name");
        String emotion = line.field(1, "emotion");
        int label = classes.indexOf(emotion);
        if (label < 0) {
          throw line.error("unknown emotion '" + emotion + "' (expected one of " + classes + ")");
        }
        Path wav = root.resolve("AudioWAV").resolve(clip + ".wav");
        Path frames = root.resolve("Image-01-FPS").resolve(clip);
        String id = "crema-d/" + stem + "/" + clip;
        if (Files.isRegularFile(wav) && Files.isDirectory(frames)) {
          items.add(new LayoutItem(id, label, split, line.where(), List.of(wav, frames), null));
        } else {
          skipped.add(id);
        }
      }
    }
    int rate = 22_050;
    int length = rate * 3;
    UnaryOperator<float[]> crop =
        y -> clip(Arrays.copyOf(tile(y, 3), Math.min(length, 3 * y.length)));
    return new AudioVisualLayout(
        "crema-d", classes, items, skipped, rate, length, crop, 1, options);
  }

  /**
   * Kinetics-Sounds under {@code root}: {@code annotations/train.csv} and {@code
   * annotations/test.csv} with a header holding {@code youtube_id} and {@code label} (class names;
   * class indices in order of first appearance in train.csv, as the reference assigns them), {@code
   * train_wav/<id>.wav}, {@code train_img/Image-01-FPS/<id>/*.jpg} (and {@code test_*}). Rows whose
   * WAV or folder is missing, or whose folder has 3 frames or fewer, are skipped, as the reference
   * skips them. ({@code weight.csv}, a subset of train used by the reference for re-weighting, is
   * not a split and is not replayed.)
   */
  public static AudioVisualLayout kineticsSounds(Path root, LayoutOptions options) {
    List<String> classes = new ArrayList<>();
    List<LayoutItem> items = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (Split split : new Split[] {Split.TRAIN, Split.TEST}) {
      String stem = split == Split.TRAIN ? "train" : "test";
      Path csv = requireFile(root.resolve("annotations").resolve(stem + ".csv"), "Kinetics-Sounds");
      List<AnnotationFile.Line> lines = AnnotationFile.read(csv, ',', true);
      if (lines.isEmpty()) {
        throw new DatasetFormatException(
            csv + ": empty (expected a header with youtube_id and label)");
      }
      int idCol = AnnotationFile.column(lines.get(0), "youtube_id");
      int labelCol = AnnotationFile.column(lines.get(0), "label");
      for (AnnotationFile.Line line : lines.subList(1, lines.size())) {
        String video = line.field(idCol, "youtube_id");
        String className = line.field(labelCol, "label");
        Path wav = root.resolve(stem + "_wav").resolve(video + ".wav");
        Path frames = root.resolve(stem + "_img").resolve("Image-01-FPS").resolve(video);
        String id = "kinetics-sounds/" + stem + "/" + video;
        if (!(Files.isRegularFile(wav)
            && Files.isDirectory(frames)
            && frameFiles(frames).size() > 3)) {
          skipped.add(id);
          continue;
        }
        int label = classes.indexOf(className);
        if (label < 0) {
          if (split == Split.TEST) {
            throw line.error(
                "class '"
                    + className
                    + "' does not occur in "
                    + root.resolve("annotations/train.csv"));
          }
          classes.add(className);
          label = classes.size() - 1;
        }
        items.add(new LayoutItem(id, label, split, line.where(), List.of(wav, frames), null));
      }
    }
    if (classes.isEmpty()) {
      throw new DatasetFormatException(
          root
              + ": no usable Kinetics-Sounds training sample (check train_wav/ and train_img/Image-01-FPS/)");
    }
    int rate = 35_400;
    int length = rate * 10;
    UnaryOperator<float[]> crop =
        y -> {
          float[] s = y.length == 0 ? new float[1] : y;
          while (s.length < length) {
            s = tile(s, 2);
          }
          return clip(Arrays.copyOf(s, length));
        };
    return new AudioVisualLayout(
        "kinetics-sounds", classes, items, skipped, rate, length, crop, 3, options);
  }

  @Override
  public Map<String, Tensor> load(LayoutItem item) {
    Path wavFile = item.files().get(0);
    Path frameDir = item.files().get(1);
    WavAudio wav = WavAudio.read(wavFile);
    float[] audio = crop.apply(Resampler.resample(wav.samples(), wav.rate(), sampleRate));
    float[] spec = spectrogram.compute(audio);
    int bins = spectrogram.bins();
    int columns = spectrogram.frames(audio.length);
    if (pooled != null) {
      try {
        spec = SpectrogramPool.pool(spec, bins, columns, pooled.height(), pooled.width());
      } catch (IllegalArgumentException e) {
        throw new DatasetFormatException(
            wavFile + ": " + e.getMessage() + " (" + item.origin() + ")", e);
      }
      bins = pooled.height();
      columns = pooled.width();
    }

    List<Path> frameFiles = frameFiles(frameDir);
    if (frameFiles.size() < frames) {
      throw new DatasetFormatException(
          frameDir
              + ": "
              + frameFiles.size()
              + " frames, need "
              + frames
              + " ("
              + item.origin()
              + ")");
    }
    int s = images.size();
    int plane = s * s;
    float[] visual = new float[3 * frames * plane];
    for (int f = 0; f < frames; f++) {
      float[] chw = images.load(frameFiles.get(f));
      for (int c = 0; c < 3; c++) {
        // (F, 3, S, S) → (3, F, S, S), the reference's permute((1, 0, 2, 3))
        System.arraycopy(chw, c * plane, visual, (c * frames + f) * plane, plane);
      }
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("audio", codec.encodeFloat32(spec, 1, bins, columns));
    out.put("visual", codec.encodeFloat32(visual, 3, frames, s, s));
    return out;
  }

  /** The files of a frame folder in name order (hidden files left out). */
  static List<Path> frameFiles(Path dir) {
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new DatasetFormatException(
          dir + ": cannot list frame folder (" + e.getMessage() + ")", e);
    }
  }

  private static float[] tile(float[] y, int times) {
    float[] out = new float[y.length * times];
    for (int i = 0; i < times; i++) {
      System.arraycopy(y, 0, out, i * y.length, y.length);
    }
    return out;
  }

  private static float[] clip(float[] y) {
    for (int i = 0; i < y.length; i++) {
      y[i] = Math.max(-1f, Math.min(1f, y[i]));
    }
    return y;
  }
}
