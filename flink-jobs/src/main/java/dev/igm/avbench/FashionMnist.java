package dev.igm.avbench;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST (Zalando, 28×28 grey-scale clothing images, 10 classes) as Debian's {@code
 * dataset-fashion-mnist} package installs it: {@code
 * /usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz}, the IDX
 * format of MNIST (big-endian magic 0x803 / 0x801, then the dimensions, then unsigned bytes).
 */
public final class FashionMnist {
  /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
  public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  public static final int SIDE = 28;

  private final byte[][] images;
  private final int[] labels;

  private FashionMnist(byte[][] images, int[] labels) {
    this.images = images;
    this.labels = labels;
  }

  /** The training (60,000 images) or test (10,000) part under {@code dir}. */
  public static FashionMnist read(Path dir, boolean test) {
    String stem = test ? "t10k" : "train";
    Path imageFile = dir.resolve(stem + "-images-idx3-ubyte.gz");
    Path labelFile = dir.resolve(stem + "-labels-idx1-ubyte.gz");
    for (Path f : new Path[] {imageFile, labelFile}) {
      if (!Files.isRegularFile(f)) {
        throw new IllegalArgumentException(
            f
                + " not found: install Debian's dataset-fashion-mnist package"
                + " (apt-get install dataset-fashion-mnist) or pass --fashion-mnist DIR with its four .gz files");
      }
    }
    try (DataInputStream img = open(imageFile);
        DataInputStream lab = open(labelFile)) {
      expect(img.readInt(), 0x803, imageFile);
      int n = img.readInt();
      int rows = img.readInt();
      int cols = img.readInt();
      expect(lab.readInt(), 0x801, labelFile);
      int m = lab.readInt();
      if (rows != SIDE || cols != SIDE || n != m || n <= 0) {
        throw new IllegalArgumentException(
            imageFile
                + ": "
                + n
                + " images of "
                + rows
                + "x"
                + cols
                + " with "
                + m
                + " labels; expected 28x28 images, one label each");
      }
      byte[][] images = new byte[n][SIDE * SIDE];
      int[] labels = new int[n];
      for (int i = 0; i < n; i++) {
        img.readFully(images[i]);
        labels[i] = lab.readUnsignedByte();
        if (labels[i] > 9) {
          throw new IllegalArgumentException(
              labelFile + ": label " + labels[i] + " at " + i + " is not 0..9");
        }
      }
      return new FashionMnist(images, labels);
    } catch (EOFException e) {
      throw new IllegalArgumentException(imageFile + " or " + labelFile + ": truncated", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(imageFile + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  private static DataInputStream open(Path f) throws IOException {
    InputStream in = Files.newInputStream(f);
    return new DataInputStream(
        new java.io.BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16));
  }

  private static void expect(int magic, int want, Path f) {
    if (magic != want) {
      throw new IllegalArgumentException(
          f
              + ": not an IDX file (magic 0x"
              + Integer.toHexString(magic)
              + ", expected 0x"
              + Integer.toHexString(want)
              + ")");
    }
  }

  public int size() {
    return labels.length;
  }

  public int label(int i) {
    return labels[i];
  }

  /** Image {@code i}, 28×28 row-major, 0 = background (black), 255 = ink. */
  public byte[] image(int i) {
    return images[i];
  }

  /** Indices of the images of class {@code c}, in file order. */
  public int[] indicesOf(int c) {
    return java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] == c).toArray();
  }
}
