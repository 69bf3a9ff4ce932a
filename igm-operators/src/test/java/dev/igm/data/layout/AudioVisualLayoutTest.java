package dev.igm.data.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.codec.TensorCodec;
import dev.igm.data.DatasetFormatException;
import dev.igm.data.ReplayPlan;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CREMA-D and Kinetics-Sounds on small generated fixtures in the reference layouts. */
class AudioVisualLayoutTest {
  private static final LayoutOptions SMALL = new LayoutOptions(8, 50);
  private final TensorCodec codec = TensorCodec.create();

  @TempDir Path root;

  /** Two TRAIN clips (one more whose WAV is missing), one TEST clip; 16 kHz WAVs, 2 frames each. */
  private void cremaFixture() throws IOException {
    LayoutFixtures.text(
        root.resolve("annotations/train.csv"),
        "\uFEFF1001_DFA_ANG_XX,ANG\n1002_IEO_HAP_HI,HAP\n1003_MTI_SAD_XX,SAD\n");
    LayoutFixtures.text(root.resolve("annotations/test.csv"), "1004_TAI_NEU_XX,NEU\n");
    for (String clip : new String[] {"1001_DFA_ANG_XX", "1002_IEO_HAP_HI", "1004_TAI_NEU_XX"}) {
      LayoutFixtures.wav(root.resolve("AudioWAV/" + clip + ".wav"), 16_000, 1.2, 1000);
      LayoutFixtures.jpeg(
          root.resolve("Image-01-FPS/" + clip + "/frame_00002.jpg"), 40, 30, Color.BLACK);
      LayoutFixtures.jpeg(
          root.resolve("Image-01-FPS/" + clip + "/frame_00001.jpg"),
          40,
          30,
          new Color(255, 0, 128));
    }
    Files.createDirectories(
        root.resolve("Image-01-FPS/1003_MTI_SAD_XX")); // no WAV: skipped as the reference skips it
  }

  @Test
  void cremaDIndexesAnnotationsAndDecodesSpectrogramAndFrames() throws IOException {
    cremaFixture();
    DatasetLayout crema = PaperLayouts.open("cremad", root, SMALL);
    assertThat(crema.modalities()).containsExactly("audio", "visual");
    assertThat(crema.classNames()).containsExactly("NEU", "HAP", "SAD", "FEA", "DIS", "ANG");
    assertThat(crema.items())
        .extracting(LayoutItem::sampleId)
        .containsExactly(
            "crema-d/train/1001_DFA_ANG_XX",
            "crema-d/train/1002_IEO_HAP_HI",
            "crema-d/test/1004_TAI_NEU_XX");
    assertThat(crema.items()).extracting(LayoutItem::label).containsExactly(5, 1, 0);
    assertThat(crema.items())
        .extracting(LayoutItem::split)
        .containsExactly(Split.TRAIN, Split.TRAIN, Split.TEST);
    assertThat(crema.skipped()).containsExactly("crema-d/train/1003_MTI_SAD_XX");

    Map<String, Tensor> t = crema.load(crema.items().get(0));
    // 1.2 s at 22,050 Hz tiled 3× and cut to 3 s = 66,150 samples → 1 + 66150/353 = 188 frames
    assertThat(codec.shape(t.get("audio"))).containsExactly(1, 257, 188);
    float[] spec = codec.toFloatArray(t.get("audio"));
    int peak = 0;
    for (int f = 0; f < 257; f++) {
      if (spec[f * 188 + 90] > spec[peak * 188 + 90]) {
        peak = f;
      }
    }
    assertThat(peak).as("1 kHz peak bin at 22,050 Hz, n_fft 512").isEqualTo(23);
    assertThat(codec.shape(t.get("visual"))).containsExactly(3, 1, 8, 8);
    float[] visual = codec.toFloatArray(t.get("visual"));
    // the first frame in name order is the pink one: ImageNet-normalised (255, 0, 128) (JPEG chroma
    // loss allowed)
    assertThat(visual[0])
        .isCloseTo((1f - 0.485f) / 0.229f, org.assertj.core.data.Offset.offset(0.08f));
    assertThat(visual[64])
        .isCloseTo((0f - 0.456f) / 0.224f, org.assertj.core.data.Offset.offset(0.08f));
    assertThat(visual[128])
        .isCloseTo((128 / 255f - 0.406f) / 0.225f, org.assertj.core.data.Offset.offset(0.08f));
  }

  @Test
  void layoutRowsArePlannedLikeTables() throws IOException {
    cremaFixture();
    LayoutSource source = new LayoutSource(PaperLayouts.open("cremad", root, SMALL));
    ReplayPlan plan = ReplayPlan.of(source.index(), 2, 42, false);
    assertThat(plan.entries()).hasSize(2 * 2 + 1);
    assertThat(plan.entries().get(4).sampleId()).isEqualTo("crema-d/test/1004_TAI_NEU_XX@1");
    assertThat(source.tensors(plan.entries().get(0).row())).containsOnlyKeys("audio", "visual");
  }

  @Test
  void badAnnotationNamesFileAndLine() throws IOException {
    cremaFixture();
    LayoutFixtures.text(
        root.resolve("annotations/test.csv"), "1004_TAI_NEU_XX,NEU\n1005_X,BORED\n");
    assertThatThrownBy(() -> PaperLayouts.open("cremad", root, SMALL))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("test.csv line 2")
        .hasMessageContaining("unknown emotion 'BORED'");
  }

  @Test
  void corruptMediaNamesTheFile() throws IOException {
    cremaFixture();
    DatasetLayout crema = PaperLayouts.open("cremad", root, SMALL);
    Path wav = root.resolve("AudioWAV/1001_DFA_ANG_XX.wav");
    Files.write(wav, new byte[] {1, 2, 3, 4, 5});
    assertThatThrownBy(() -> crema.load(crema.items().get(0)))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining(wav.toString());
    Path frame = root.resolve("Image-01-FPS/1002_IEO_HAP_HI/frame_00001.jpg");
    Files.write(frame, new byte[] {(byte) 0xff, (byte) 0xd8, 0, 1, 2});
    assertThatThrownBy(() -> crema.load(crema.items().get(1)))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining(frame.toString());
  }

  @Test
  void kineticsSoundsTenSecondsThreeFramesClassesInTrainOrder() throws IOException {
    LayoutFixtures.text(
        root.resolve("annotations/train.csv"),
        "youtube_id,label\nvidA,playing drums\nvidB,barking\nvidC,barking\n");
    LayoutFixtures.text(root.resolve("annotations/test.csv"), "youtube_id,label\nvidD,barking\n");
    for (String[] v :
        new String[][] {
          {"train", "vidA"}, {"train", "vidB"}, {"train", "vidC"}, {"test", "vidD"}
        }) {
      LayoutFixtures.wav(root.resolve(v[0] + "_wav/" + v[1] + ".wav"), 8_000, 0.3, 440);
      int frames = v[1].equals("vidC") ? 3 : 4; // the reference needs more than 3 frames
      for (int f = 0; f < frames; f++) {
        LayoutFixtures.jpeg(
            root.resolve(v[0] + "_img/Image-01-FPS/" + v[1] + "/" + f + ".jpg"),
            12,
            10,
            Color.GRAY);
      }
    }
    DatasetLayout ks = PaperLayouts.open("kinetics-sounds", root, SMALL);
    assertThat(ks.classNames()).containsExactly("playing drums", "barking");
    assertThat(ks.items())
        .extracting(LayoutItem::sampleId)
        .containsExactly(
            "kinetics-sounds/train/vidA",
            "kinetics-sounds/train/vidB",
            "kinetics-sounds/test/vidD");
    assertThat(ks.skipped()).containsExactly("kinetics-sounds/train/vidC");
    Map<String, Tensor> t = ks.load(ks.items().get(2));
    assertThat(codec.shape(t.get("audio")))
        .containsExactly(1, 257, 1003); // 10 s at 35,400 Hz, hop 353
    assertThat(codec.shape(t.get("visual"))).containsExactly(3, 3, 8, 8);
  }

  @Test
  void aSpectrogramSizePoolsTheLogStftAndAFrameCountTakesMoreFrames() throws IOException {
    cremaFixture();
    DatasetLayout full = PaperLayouts.open("cremad", root, SMALL);
    DatasetLayout reduced =
        PaperLayouts.open(
            "cremad", root, new LayoutOptions(8, 50, LayoutOptions.GridSize.parse("64x48"), 2));
    Map<String, Tensor> f = full.load(full.items().get(0));
    Map<String, Tensor> r = reduced.load(reduced.items().get(0));
    assertThat(codec.shape(r.get("audio"))).containsExactly(1, 64, 48);
    float[] spec = codec.toFloatArray(f.get("audio"));
    // row 5 of 64 averages bins floor(5·257/64) = 20 .. ceil(6·257/64) − 1 = 24; column 7 of 48
    // frames 27 .. 31
    double sum = 0;
    for (int bin = 20; bin <= 24; bin++) {
      for (int t = 27; t <= 31; t++) {
        sum += spec[bin * 188 + t];
      }
    }
    assertThat(codec.toFloatArray(r.get("audio"))[5 * 48 + 7])
        .isCloseTo((float) (sum / 25), org.assertj.core.data.Offset.offset(1e-5f));
    // the 1 kHz tone (bin 23) lands in row 5 (bins 20..24), the highest of every column
    float[] pooled = codec.toFloatArray(r.get("audio"));
    for (int row = 0; row < 64; row++) {
      if (row != 5) {
        assertThat(pooled[row * 48 + 20]).isLessThan(pooled[5 * 48 + 20]);
      }
    }
    assertThat(codec.shape(r.get("visual"))).containsExactly(3, 2, 8, 8);
    float[] visual = codec.toFloatArray(r.get("visual"));
    // channel 0: frame 0 (pink, red = 255) then frame 1 (black), 64 values each
    assertThat(visual[0])
        .isCloseTo((1f - 0.485f) / 0.229f, org.assertj.core.data.Offset.offset(0.08f));
    assertThat(visual[64])
        .isCloseTo((0f - 0.485f) / 0.229f, org.assertj.core.data.Offset.offset(0.08f));
    assertThat(visual[2 * 64])
        .as("channel 1, frame 0")
        .isCloseTo((0f - 0.456f) / 0.224f, org.assertj.core.data.Offset.offset(0.08f));
    assertThat(codec.toFloatArray(f.get("visual"))).hasSize(3 * 64).startsWith(visual[0]);

    assertThatThrownBy(
            () ->
                PaperLayouts.open(
                    "cremad",
                    root,
                    new LayoutOptions(8, 50, new LayoutOptions.GridSize(64, 189), 0)))
        .hasMessageContaining("exceeds crema-d's spectrogram of 257x188");
    DatasetLayout threeFrames =
        PaperLayouts.open("cremad", root, new LayoutOptions(8, 50, null, 3));
    assertThatThrownBy(() -> threeFrames.load(threeFrames.items().get(0)))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("2 frames, need 3");
  }

  @Test
  void audioVisualOptionsAreRefusedByOtherLayouts() {
    assertThatThrownBy(
            () -> PaperLayouts.open("twitter2015", root, new LayoutOptions(8, 50, null, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("audio-visual layouts");
    assertThatThrownBy(() -> LayoutOptions.GridSize.parse("64by64")).hasMessageContaining("HxW");
    assertThat(LayoutOptions.GridSize.parse(" 64X32 "))
        .isEqualTo(new LayoutOptions.GridSize(64, 32));
  }
}
