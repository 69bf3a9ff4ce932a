package dev.igm.data.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.igm.data.DatasetFormatException;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AVI reader on generated files: Motion-JPEG (with and without Huffman tables), uncompressed,
 * broken files.
 */
class AviVideoTest {
  @TempDir Path dir;

  @Test
  void motionJpegFramesInStreamOrderAsBlueGreenRed() throws IOException {
    Path file =
        AviFixtures.mjpeg(
            dir.resolve("a.avi"),
            List.of(
                AviFixtures.solid(16, 8, new Color(250, 0, 0)),
                AviFixtures.solid(16, 8, new Color(0, 0, 250))));
    AviVideo v = AviVideo.read(file);
    assertThat(v.frameCount()).isEqualTo(2);
    AviVideo.Frame red = v.frame(0);
    assertThat(red.width()).isEqualTo(16);
    assertThat(red.height()).isEqualTo(8);
    assertThat(red.bgr()[2][0]).isBetween(245, 255);
    assertThat(red.bgr()[0][0]).isBetween(0, 6);
    assertThat(v.frame(1).bgr()[0][0]).isBetween(245, 255);
  }

  @Test
  void greyFramesKeepTheirLevelInEveryChannel() throws IOException {
    Path file = AviFixtures.mjpeg(dir.resolve("g.avi"), List.of(AviFixtures.grey(8, 8, 128)));
    int[][] bgr = AviVideo.read(file).frame(0).bgr();
    for (int c = 0; c < 3; c++) {
      assertThat(bgr[c][0]).isBetween(127, 129); // getRGB would have applied a gamma curve
    }
  }

  @Test
  void framesWithoutHuffmanTablesUseTheStandardOnes() throws IOException {
    byte[] jpeg = AviFixtures.jpeg(AviFixtures.solid(16, 16, new Color(30, 140, 220)));
    byte[] bare = AviFixtures.withoutHuffmanTables(jpeg);
    assertThat(bare.length).isLessThan(jpeg.length);
    Path withTables =
        AviFixtures.write(dir.resolve("t.avi"), AviFixtures.avi("MJPG", 16, 16, 24, List.of(jpeg)));
    Path without =
        AviFixtures.write(dir.resolve("b.avi"), AviFixtures.avi("MJPG", 16, 16, 24, List.of(bare)));
    assertThat(AviVideo.read(without).frame(0).bgr())
        .isDeepEqualTo(AviVideo.read(withTables).frame(0).bgr());
  }

  @Test
  void emptyFrameChunkRepeatsThePreviousFrame() throws IOException {
    byte[] jpeg = AviFixtures.jpeg(AviFixtures.solid(8, 8, Color.GREEN));
    Path file =
        AviFixtures.write(
            dir.resolve("d.avi"), AviFixtures.avi("MJPG", 8, 8, 24, List.of(jpeg, new byte[0])));
    AviVideo v = AviVideo.read(file);
    assertThat(v.frameCount()).isEqualTo(2);
    assertThat(v.frame(1).bgr()).isDeepEqualTo(v.frame(0).bgr());
  }

  @Test
  void uncompressedBottomUpFrames() throws IOException {
    // 2 × 2, rows padded to 8 bytes, bottom row first: bottom = blue, white; top = red, black
    byte[] dib = {
      (byte) 255, 0, 0, (byte) 255, (byte) 255, (byte) 255, 0, 0, 0, 0, (byte) 255, 0, 0, 0, 0, 0
    };
    Path file =
        AviFixtures.write(dir.resolve("r.avi"), AviFixtures.avi(null, 2, 2, 24, List.of(dib)));
    int[][] bgr = AviVideo.read(file).frame(0).bgr();
    assertThat(new int[] {bgr[0][0], bgr[1][0], bgr[2][0]})
        .containsExactly(0, 0, 255); // top left red
    assertThat(new int[] {bgr[0][2], bgr[1][2], bgr[2][2]})
        .containsExactly(255, 0, 0); // bottom left blue
    assertThat(bgr[1][3]).isEqualTo(255);
  }

  @Test
  void brokenFilesNameTheFile() throws IOException {
    Path junk =
        Files.write(
            dir.resolve("junk.avi"),
            new byte[] {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E'});
    assertThatThrownBy(() -> AviVideo.read(junk))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessage(junk + ": not an AVI file (no RIFF 'AVI ' header)");

    Path raw16 =
        AviFixtures.write(
            dir.resolve("16.avi"), AviFixtures.avi(null, 2, 2, 16, List.of(new byte[8])));
    assertThatThrownBy(() -> AviVideo.read(raw16))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(raw16 + ": AVI video codec uncompressed 16-bit is not supported");

    Path badJpeg =
        AviFixtures.write(
            dir.resolve("j.avi"), AviFixtures.avi("MJPG", 8, 8, 24, List.of(new byte[] {1, 2, 3})));
    assertThatThrownBy(() -> AviVideo.read(badJpeg).frame(0))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(badJpeg + " frame 0: ");

    Path noVideo =
        AviFixtures.write(
            dir.resolve("n.avi"),
            AviFixtures.chunk("RIFF", "AVI ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    assertThatThrownBy(() -> AviVideo.read(noVideo))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(noVideo + ": AVI has no video stream");
  }
}
