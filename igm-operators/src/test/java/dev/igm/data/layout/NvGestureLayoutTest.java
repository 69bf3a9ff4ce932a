package dev.igm.data.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.codec.TensorCodec;
import dev.igm.data.DatasetFormatException;
import dev.igm.data.NpyFixtures;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NVGesture on a small generated fixture in the reference layout: list files, MJPEG AVIs, flow .npy
 * files.
 */
class NvGestureLayoutTest {
  /** S = 8: frames resized to R = round(8 · 256/224) = 9, centre crop at offset rint(0.5) = 0. */
  private static final LayoutOptions SMALL = new LayoutOptions(8, 50);

  private static final int VIDEO_FRAMES = 6;
  private final TensorCodec codec = TensorCodec.create();

  @TempDir Path root;

  /**
   * Two TRAIN samples (frames 2..4, and 4..9 of which the 6-frame videos hold only 4 and 5), one
   * TEST sample; colour frame k is blue 20k, green 100, red 200; depth frame k is grey 10k + 5;
   * flow (9, 9, 2, 3) with value 1000c + 100t + 10y + x.
   */
  private void fixture() throws IOException {
    list(
        "train",
        "path:./Video_data/class_01/subject1_r0 depth:sk_depth:2:5 color:sk_color:2:5 duo_left:duo_left:3:6 label:1\n"
            + "path:./Video_data/class_25/subject2_r1 depth:sk_depth:4:10 color:sk_color:4:10 duo_left:duo_left:0:80 label:25\n");
    list(
        "test",
        "path:./Video_data/class_03/subject3_r0 depth:sk_depth:0:80 color:sk_color:0:80 duo_left:duo_left:0:80 label:3\n");
    for (String folder :
        new String[] {"class_01/subject1_r0", "class_25/subject2_r1", "class_03/subject3_r0"}) {
      List<BufferedImage> color = new ArrayList<>();
      List<BufferedImage> depth = new ArrayList<>();
      for (int k = 0; k < VIDEO_FRAMES; k++) {
        color.add(AviFixtures.solid(40, 30, new Color(200, 100, 20 * k)));
        depth.add(AviFixtures.grey(40, 30, 10 * k + 5));
      }
      AviFixtures.mjpeg(root.resolve("Video_data/" + folder + "/sk_color.avi"), color);
      AviFixtures.mjpeg(root.resolve("Video_data/" + folder + "/sk_depth.avi"), depth);
    }
    for (String flow : new String[] {"train/0", "train/1", "test/0"}) {
      flow(flow, 9, 3);
    }
  }

  private void list(String stem, String lines) throws IOException {
    LayoutFixtures.text(root.resolve("nvgesture_" + stem + "_correct_v2.lst"), lines);
  }

  /**
   * {@code Video_data/flow_data/<name>.npy} of shape (side, side, 2, frames), value 1000c + 100t +
   * 10y + x.
   */
  private void flow(String name, int side, int frames) throws IOException {
    float[] v = new float[side * side * 2 * frames];
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        for (int c = 0; c < 2; c++) {
          for (int t = 0; t < frames; t++) {
            v[((y * side + x) * 2 + c) * frames + t] = 1000 * c + 100 * t + 10 * y + x;
          }
        }
      }
    }
    Path file = root.resolve("Video_data/flow_data/" + name + ".npy");
    Files.createDirectories(file.getParent());
    Files.write(file, NpyFixtures.npy("<f4", new int[] {side, side, 2, frames}, NpyFixtures.f4(v)));
  }

  @Test
  void listsGiveIdsLabelsSplitsAndFiles() throws IOException {
    fixture();
    DatasetLayout nv = PaperLayouts.open("nvgesture", root, SMALL);
    assertThat(nv.name()).isEqualTo("nvgesture");
    assertThat(nv.modalities()).containsExactly("rgb", "of", "depth");
    assertThat(nv.classNames()).hasSize(25).startsWith("class_01").endsWith("class_25");
    assertThat(nv.items())
        .extracting(LayoutItem::sampleId)
        .containsExactly(
            "nvgesture/train/class_01/subject1_r0",
            "nvgesture/train/class_25/subject2_r1",
            "nvgesture/test/class_03/subject3_r0");
    assertThat(nv.items()).extracting(LayoutItem::label).containsExactly(0, 24, 2);
    assertThat(nv.items())
        .extracting(LayoutItem::split)
        .containsExactly(Split.TRAIN, Split.TRAIN, Split.TEST);
    assertThat(nv.items().get(1).origin()).endsWith("nvgesture_train_correct_v2.lst line 2");
    assertThat(nv.items().get(2).files())
        .containsExactly(
            root.resolve("Video_data/class_03/subject3_r0/sk_color.avi"),
            root.resolve("Video_data/class_03/subject3_r0/sk_depth.avi"),
            root.resolve("Video_data/flow_data/test/0.npy"));
    assertThat(nv.skipped()).isEmpty();
  }

  @Test
  void framesStartAtTheListedFrameAndEmptySlotsStayBlack() throws IOException {
    fixture();
    DatasetLayout nv = PaperLayouts.open("nvgesture", root, SMALL);
    Map<String, Tensor> first = nv.load(nv.items().get(0));
    assertThat(first).containsOnlyKeys("rgb", "of", "depth");
    assertThat(codec.shape(first.get("rgb"))).containsExactly(3, 80, 8, 8);
    assertThat(codec.shape(first.get("depth"))).containsExactly(1, 80, 8, 8);
    float[] rgb = codec.toFloatArray(first.get("rgb"));
    float[] depth = codec.toFloatArray(first.get("depth"));
    for (int t = 0; t < 3; t++) { // frames 2, 3, 4
      int k = 2 + t;
      // channel 0 is blue (OpenCV's order) normalised with the ImageNet "red" statistics, as the
      // reference does
      assertThat(pixel(rgb, 0, t)).isCloseTo(imagenet(20 * k, 0), offset(0.06f));
      assertThat(pixel(rgb, 1, t)).isCloseTo(imagenet(100, 1), offset(0.06f));
      assertThat(pixel(rgb, 2, t)).isCloseTo(imagenet(200, 2), offset(0.06f));
      assertThat(pixel(depth, 0, t)).isCloseTo((10 * k + 5) / 255f, offset(2 / 255f));
    }
    for (int t = 3; t < 80; t++) { // the reference's container is zero past end − start
      assertThat(pixel(rgb, 0, t)).isEqualTo(imagenet(0, 0));
      assertThat(pixel(depth, 0, t)).isZero();
    }

    // frames 4..9 of a 6-frame video: 4 and 5, then black, as OpenCV's failed reads leave the
    // container
    float[] second = codec.toFloatArray(nv.load(nv.items().get(1)).get("depth"));
    assertThat(pixel(second, 0, 0)).isCloseTo(45 / 255f, offset(2 / 255f));
    assertThat(pixel(second, 0, 1)).isCloseTo(55 / 255f, offset(2 / 255f));
    assertThat(pixel(second, 0, 2)).isZero();
  }

  @Test
  void flowIsPermutedToChannelTimeHeightWidthAndCropped() throws IOException {
    fixture();
    DatasetLayout nv = PaperLayouts.open("nvgesture", root, SMALL);
    Tensor of = nv.load(nv.items().get(2)).get("of");
    assertThat(codec.shape(of)).containsExactly(2, 3, 8, 8);
    float[] v = codec.toFloatArray(of);
    // a 9 × 9 flow is already R × R: no resize, crop at 0
    assertThat(v[((1 * 3 + 2) * 8 + 5) * 8 + 7]).isEqualTo(1000 + 200 + 50 + 7);
    assertThat(v[((0 * 3 + 1) * 8 + 0) * 8 + 3]).isEqualTo(100 + 3);
  }

  @Test
  void referenceSizeResizesTo256AndCropsAt16() throws IOException {
    fixture();
    flow("train/0", 256, 1);
    DatasetLayout nv = PaperLayouts.open("nvgesture", root, LayoutOptions.REFERENCE);
    Map<String, Tensor> t = nv.load(nv.items().get(0));
    assertThat(codec.shape(t.get("rgb"))).containsExactly(3, 80, 224, 224);
    assertThat(codec.shape(t.get("of"))).containsExactly(2, 1, 224, 224);
    float[] of = codec.toFloatArray(t.get("of"));
    // the reference's frame[:, 16:240, 16:240] of its 256 × 256 flow
    assertThat(of[0]).isEqualTo(10 * 16 + 16);
    assertThat(of[224 * 224 + 223 * 224 + 223]).isEqualTo(1000 + 10 * 239 + 239);
  }

  @Test
  void nvidiasOriginalListNamesAreAccepted() throws IOException {
    fixture();
    for (String stem : new String[] {"train", "test"}) {
      Files.move(
          root.resolve("nvgesture_" + stem + "_correct_v2.lst"),
          root.resolve("nvgesture_" + stem + "_correct_cvpr2016_v2.lst"));
    }
    assertThat(PaperLayouts.open("nvgesture", root, SMALL).items()).hasSize(3);
  }

  @Test
  void badListLinesNameFileAndLine() throws IOException {
    fixture();
    String good =
        "path:./Video_data/class_03/subject3_r0 depth:sk_depth:0:80 color:sk_color:0:80 label:3\n";
    assertListError(
        good
            + "path:./Video_data/class_04/nobody depth:sk_depth:0:80 color:sk_color:0:80 label:4\n",
        "line 2: sample folder " + root.resolve("Video_data/class_04/nobody"),
        "does not exist");
    assertListError(good.replace("label:3", "label:26"), "line 1: label '26' is not one of 1..25");
    assertListError(
        good.replace("label:3", "label:three"), "line 1: label 'three' is not one of 1..25");
    assertListError(good.replace(" label:3", ""), "line 1: no label");
    assertListError(good.replace("path:", "folder:"), "line 1: no path:<sample folder> field");
    flow("test/1", 9, 1);
    assertListError(
        good + good,
        "line 2: sample folder "
            + root.resolve("Video_data/class_03/subject3_r0")
            + " is listed twice");
    assertListError(
        good.replace("color:sk_color:0:80", "color:sk_color:0:81"),
        "line 1: color frames 0..81 are 81");
    assertListError(
        good.replace("depth:sk_depth:0:80", "depth:sk_depth:9:x"),
        "line 1: depth field 'sk_depth:9:x'");
    assertListError(
        good.replace("sk_color:", "sk_rgb:"),
        "line 1: color video " + root.resolve("Video_data/class_03/subject3_r0/sk_rgb.avi"));
    Files.delete(root.resolve("Video_data/flow_data/test/0.npy"));
    assertListError(
        good,
        "line 1: optical flow "
            + root.resolve("Video_data/flow_data/test/0.npy")
            + " does not exist");
    Files.delete(root.resolve("nvgesture_test_correct_v2.lst"));
    assertThatThrownBy(() -> PaperLayouts.open("nvgesture", root, SMALL))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("nvgesture_test_correct_v2.lst: missing");
  }

  private void assertListError(String testList, String... expected) throws IOException {
    list("test", testList);
    assertThatThrownBy(() -> PaperLayouts.open("nvgesture", root, SMALL))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(root.resolve("nvgesture_test_correct_v2.lst").toString())
        .hasMessageContainingAll(expected);
  }

  @Test
  void badMediaNamesTheFile() throws IOException {
    fixture();
    DatasetLayout nv = PaperLayouts.open("nvgesture", root, SMALL);
    Path color = root.resolve("Video_data/class_01/subject1_r0/sk_color.avi");
    byte[] avi = Files.readAllBytes(color);
    Files.write(color, java.util.Arrays.copyOf(avi, avi.length - 100));
    assertThatThrownBy(() -> nv.load(nv.items().get(0)))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(color + ": truncated AVI");

    Path depth = root.resolve("Video_data/class_25/subject2_r1/sk_depth.avi");
    AviFixtures.write(
        depth, AviFixtures.avi("XVID", 40, 30, 24, List.of(new byte[] {0, 0, 1, (byte) 0xb6})));
    assertThatThrownBy(() -> nv.load(nv.items().get(1)))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(depth + ": AVI video codec 'XVID' is not supported");

    Path flow = root.resolve("Video_data/flow_data/test/0.npy");
    Files.write(flow, NpyFixtures.npy("<f4", new int[] {9, 9, 3, 1}, new byte[9 * 9 * 3 * 4]));
    assertThatThrownBy(() -> nv.load(nv.items().get(2)))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(flow + ": optical flow must be")
        .hasMessageContaining("(H, W, 2, T), found <f4 [9, 9, 3, 1]");
  }

  @Test
  void layoutSourceDescribesTheDataset() throws IOException {
    fixture();
    LayoutSource source = new LayoutSource(PaperLayouts.open("nvgesture", root, SMALL));
    assertThat(source.describe())
        .startsWith("nvgesture: 3 samples, 25 classes, modalities [rgb, of, depth]");
  }

  /** Pixel (0, 0) of channel c, slot t of a [C, 80, 8, 8] tensor. */
  private static float pixel(float[] v, int c, int t) {
    return v[(c * 80 + t) * 64];
  }

  private static float imagenet(int level, int channel) {
    return (level / 255f - ImageTensor.IMAGENET_MEAN[channel]) / ImageTensor.IMAGENET_STD[channel];
  }
}
