package dev.igm.data.layout;

import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.codec.TensorCodec;
import dev.igm.data.DatasetFormatException;
import dev.igm.data.NpyArray;
import dev.igm.data.NpyReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NVGesture as the reference code reads it ({@code datasets/nvGesture.py}, {@code
 * configs/nvGesture.json}: 25 classes), under {@code root} (the reference's {@code data_root}):
 *
 * <ul>
 *   <li>{@code nvgesture_train_correct_v2.lst}, {@code nvgesture_test_correct_v2.lst} (TRAIN, TEST;
 *       NVIDIA ships them as {@code nvgesture_*_correct_cvpr2016_v2.lst}, accepted too). One sample
 *       a line, space-separated {@code key:value} fields: {@code
 *       path:./Video_data/class_01/subject13_r0}, per sensor {@code <sensor>:<file stem>:<start
 *       frame>:<end frame>} (e.g. {@code color:sk_color:138:218}, {@code depth:sk_depth:138:218};
 *       others such as {@code duo_left} are ignored, as the reference ignores them) and {@code
 *       label:1..25} (class = label − 1);
 *   <li>{@code Video_data/<class>/<subject>/sk_color.avi} and {@code sk_depth.avi} (the folder and
 *       stems from the line; {@code ./Video_data} in a path is {@code root/Video_data}, other
 *       relative paths are resolved against root);
 *   <li>{@code Video_data/flow_data/train/<i>.npy} and {@code .../test/<i>.npy}, the pre-computed
 *       optical flow of the i-th line (counted from 0) of that split's list, shape {@code (H, W, 2,
 *       T)}.
 * </ul>
 *
 * Modalities, in the order the reference's dataset returns them:
 *
 * <ul>
 *   <li>{@code rgb}: float32 {@code [3, 80, S, S]}. Frames {@code start .. end−1} of {@code
 *       sk_color.avi} into 80 slots; slots past {@code end − start} or past the end of the video
 *       stay black (the reference's zero-filled container). Each frame resized to R×R with OpenCV's
 *       bilinear resize (R = 256 for S = 224, in general round(S·256/224)), centre-cropped to S×S,
 *       scaled to [0, 1] and normalised with the ImageNet statistics. The channels are in OpenCV's
 *       order, blue, green, red, because the reference feeds OpenCV's frames to torchvision without
 *       converting them, so the ImageNet red statistics apply to blue;
 *   <li>{@code of}: float32 {@code [2, T, S, S]}, the flow as stored (no scaling), each plane
 *       resized to R×R (the identity for the reference's 256×256 flow) and centre-cropped, which
 *       for S = 224 is the reference's fixed {@code [16:240, 16:240]};
 *   <li>{@code depth}: float32 {@code [1, 80, S, S]}, {@code sk_depth.avi} sampled and cropped as
 *       rgb, its first (blue) channel scaled to [0, 1], not normalised (as the reference).
 * </ul>
 *
 * This is the reference's evaluation path for every split. Its training path differs only by
 * randomness, which belongs to the consumer, not to a replayed record: a random 224 crop instead of
 * the centre one (the same for all three modalities of a sample) and a random window of 64 of the
 * 80 frame slots for rgb and depth (the flow keeps all T). Its horizontal flip has probability 0
 * and never happens. A line whose frame range exceeds 80 frames, which the reference's container
 * cannot hold, is an error. The videos must be Motion-JPEG or uncompressed AVI ({@link AviVideo});
 * Java's JPEG decoder may differ from FFmpeg's by a level or two per pixel.
 */
public final class NvGestureLayout extends AbstractLayout {
  /** Frame slots per video sample (the reference's container). */
  static final int FRAMES = 80;

  static final int CLASSES = 25;
  private static final float[] NONE_MEAN = {0f};
  private static final float[] NONE_STD = {1f};

  /** Frames {@code start .. end−1} of one sensor's video. */
  private record Video(Path file, int start, int end) {}

  private record Clip(Video color, Video depth, Path flow) {}

  private final Map<String, Clip> clips;
  private final int size;
  private final int resized;
  private final int offset;
  private final TensorCodec codec = TensorCodec.create();

  private NvGestureLayout(List<LayoutItem> items, Map<String, Clip> clips, LayoutOptions options) {
    super("nvgesture", classFolderNames(), List.of("rgb", "of", "depth"), items, List.of());
    this.clips = Map.copyOf(clips);
    this.size = options.imageSize();
    this.resized = Math.round(size * 256f / 224f);
    this.offset =
        (int) Math.rint((resized - size) / 2.0); // torchvision CenterCrop rounds half to even
  }

  /** Reads both list files and checks that every sample's videos and flow file exist. */
  public static NvGestureLayout open(Path root, LayoutOptions options) {
    List<LayoutItem> items = new ArrayList<>();
    Map<String, Clip> clips = new HashMap<>();
    for (Split split : new Split[] {Split.TRAIN, Split.TEST}) {
      String stem = split == Split.TRAIN ? "train" : "test";
      Path list = listFile(root, stem);
      int index = 0;
      for (AnnotationFile.Line line : AnnotationFile.read(list, ' ', false)) {
        Map<String, String> fields = fields(line);
        String path = fields.get("path");
        if (path == null) {
          throw line.error("no path:<sample folder> field");
        }
        Path folder = root.resolve(path).normalize();
        if (!Files.isDirectory(folder)) {
          throw line.error("sample folder " + folder + " does not exist");
        }
        Video color = video(line, fields, "color", folder);
        Video depth = video(line, fields, "depth", folder);
        Path flow =
            existing(
                line,
                root.resolve("Video_data/flow_data").resolve(stem).resolve(index + ".npy"),
                "optical flow");
        int label = label(line, fields.get("label"));
        String id = "nvgesture/" + stem + "/" + sampleName(root, folder);
        if (clips.put(id, new Clip(color, depth, flow)) != null) {
          throw line.error("sample folder " + folder + " is listed twice");
        }
        items.add(
            new LayoutItem(
                id, label, split, line.where(), List.of(color.file(), depth.file(), flow), null));
        index++;
      }
    }
    return new NvGestureLayout(items, clips, options);
  }

  /**
   * {@code class_01} .. {@code class_25}, the {@code Video_data} folder names (label 1 is class 0).
   */
  private static List<String> classFolderNames() {
    List<String> names = new ArrayList<>();
    for (int c = 1; c <= CLASSES; c++) {
      names.add(String.format("class_%02d", c));
    }
    return names;
  }

  @Override
  public Map<String, Tensor> load(LayoutItem item) {
    Clip clip = clips.get(item.sampleId());
    if (clip == null) {
      throw new IllegalArgumentException(
          "sample " + item.sampleId() + " is not part of layout nvgesture");
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put(
        "rgb",
        codec.encodeFloat32(
            frames(clip.color(), 3, ImageTensor.IMAGENET_MEAN, ImageTensor.IMAGENET_STD),
            3,
            FRAMES,
            size,
            size));
    NpyArray flow = readFlow(clip.flow());
    out.put("of", codec.encodeFloat32(flow(flow), 2, flow.shape()[3], size, size));
    out.put(
        "depth",
        codec.encodeFloat32(frames(clip.depth(), 1, NONE_MEAN, NONE_STD), 1, FRAMES, size, size));
    return out;
  }

  /**
   * {@code [channels, 80, S, S]}: the first {@code channels} of blue, green, red, normalised per
   * channel.
   */
  private float[] frames(Video v, int channels, float[] mean, float[] std) {
    AviVideo video = AviVideo.read(v.file());
    int plane = size * size;
    float[] out = new float[channels * FRAMES * plane];
    float[] black = new float[plane];
    for (int t = 0; t < FRAMES; t++) {
      int f = v.start() + t;
      AviVideo.Frame frame =
          t < v.end() - v.start() && f < video.frameCount() ? video.frame(f) : null;
      for (int c = 0; c < channels; c++) {
        float[] pixels =
            frame == null ? black : resizeCrop8(frame.bgr()[c], frame.width(), frame.height());
        int base = (c * FRAMES + t) * plane;
        for (int i = 0; i < plane; i++) {
          out[base + i] = (pixels[i] / 255f - mean[c]) / std[c];
        }
      }
    }
    return out;
  }

  /** Resize and crop of an 8-bit plane, rounded back to 8 bits as OpenCV's uint8 output is. */
  private float[] resizeCrop8(int[] plane, int width, int height) {
    float[] src = new float[plane.length];
    for (int i = 0; i < plane.length; i++) {
      src[i] = plane[i];
    }
    float[] out = CvLinearResize.resizeCrop(src, width, height, resized, offset, size);
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.min(255, Math.max(0, Math.round(out[i])));
    }
    return out;
  }

  private static NpyArray readFlow(Path file) {
    NpyArray a;
    try (InputStream in = Files.newInputStream(file)) {
      a = NpyReader.read(in, file.toString());
    } catch (IOException e) {
      throw new DatasetFormatException(
          file + ": cannot read optical flow (" + e.getMessage() + ")", e);
    }
    int[] s = a.shape();
    if (s.length != 4 || s[2] != 2 || s[0] < 1 || s[1] < 1 || s[3] < 1 || a.isString()) {
      throw new DatasetFormatException(
          file
              + ": optical flow must be a numeric array of shape (H, W, 2, T), found "
              + a.dtype()
              + " "
              + Arrays.toString(s));
    }
    return a;
  }

  /**
   * {@code (H, W, 2, T)} → {@code [2, T, S, S]}, the reference's {@code permute(3, 2, 0, 1)} then
   * {@code (1, 0, 2, 3)}.
   */
  private float[] flow(NpyArray a) {
    int[] s = a.shape();
    int h = s[0];
    int w = s[1];
    int frames = s[3];
    int plane = size * size;
    float[] out = new float[2 * frames * plane];
    float[] src = new float[h * w];
    for (int c = 0; c < 2; c++) {
      for (int t = 0; t < frames; t++) {
        for (int i = 0; i < h * w; i++) {
          src[i] = (float) a.getDouble((i * 2 + c) * frames + t);
        }
        float[] cropped = CvLinearResize.resizeCrop(src, w, h, resized, offset, size);
        System.arraycopy(cropped, 0, out, (c * frames + t) * plane, plane);
      }
    }
    return out;
  }

  /** The reference's list file name, else NVIDIA's original one. */
  private static Path listFile(Path root, String stem) {
    Path reference = root.resolve("nvgesture_" + stem + "_correct_v2.lst");
    Path nvidia = root.resolve("nvgesture_" + stem + "_correct_cvpr2016_v2.lst");
    if (Files.isRegularFile(reference) || !Files.isRegularFile(nvidia)) {
      return requireFile(reference, "NVGesture");
    }
    return nvidia;
  }

  /**
   * The line's {@code key:value} fields by key; {@code path} keeps everything after its first
   * colon.
   */
  private static Map<String, String> fields(AnnotationFile.Line line) {
    Map<String, String> fields = new HashMap<>();
    for (String f : line.fields()) {
      String field = f.strip();
      if (field.isEmpty()) {
        continue;
      }
      int colon = field.indexOf(':');
      if (colon <= 0) {
        throw line.error("field '" + field + "' is not key:value");
      }
      fields.put(field.substring(0, colon), field.substring(colon + 1));
    }
    return fields;
  }

  /** {@code <file stem>:<start>:<end>} of a sensor, the file required to exist. */
  private static Video video(
      AnnotationFile.Line line, Map<String, String> fields, String sensor, Path folder) {
    String value = fields.get(sensor);
    if (value == null) {
      throw line.error("no " + sensor + ":<file>:<start>:<end> field");
    }
    String[] parts = value.split(":");
    int start;
    int end;
    try {
      start = parts.length == 3 ? Integer.parseInt(parts[1]) : -1;
      end = parts.length == 3 ? Integer.parseInt(parts[2]) : -1;
    } catch (NumberFormatException e) {
      start = -1;
      end = -1;
    }
    if (start < 0 || end < start) {
      throw line.error(
          sensor
              + " field '"
              + value
              + "' is not <file>:<start frame>:<end frame> with 0 <= start <= end");
    }
    if (end - start > FRAMES) {
      throw line.error(
          sensor
              + " frames "
              + start
              + ".."
              + end
              + " are "
              + (end - start)
              + ", more than the "
              + FRAMES
              + " the reference holds per sample");
    }
    return new Video(
        existing(line, folder.resolve(parts[0] + ".avi"), sensor + " video"), start, end);
  }

  /**
   * The folder relative to {@code Video_data} (e.g. {@code class_01/subject13_r0}), else as
   * written.
   */
  private static String sampleName(Path root, Path folder) {
    Path videoData = root.resolve("Video_data").normalize();
    Path name = folder.startsWith(videoData) ? videoData.relativize(folder) : folder;
    return name.toString().replace('\\', '/');
  }

  private static Path existing(AnnotationFile.Line line, Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw line.error(what + " " + file + " does not exist");
    }
    return file;
  }

  private static int label(AnnotationFile.Line line, String value) {
    if (value == null) {
      throw line.error("no label:<1.." + CLASSES + "> field");
    }
    try {
      int label = Integer.parseInt(value.strip());
      if (label >= 1 && label <= CLASSES) {
        return label - 1;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw line.error("label '" + value + "' is not one of 1.." + CLASSES);
  }
}
