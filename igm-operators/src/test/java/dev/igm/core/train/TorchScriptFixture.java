package dev.igm.core.train;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a tiny TorchScript archive without Python: {@code z = relu(linear(flatten(x, 1), weight,
 * bias))}, the same function as a one-layer {@code mlp} encoder.
 *
 * <p>No torch is installed here and no jar ships a {@code .pt} file, so the test builds what {@code
 * torch.jit.save} would: a zip with {@code data.pkl} (the module object in pickle protocol 2:
 * {@code __torch__.Encoder} rebuilt from a dict of its attributes, tensors as {@code
 * torch._utils._rebuild_tensor_v2} over persistent storages), {@code code/__torch__.py} (the class
 * in TorchScript source), {@code constants.pkl}, {@code data/<key>} (raw little-endian storages)
 * and {@code version}. libtorch's own loader reads it, so the encoder under test goes through
 * exactly the path a user's file would.
 */
final class TorchScriptFixture {
  private static final String CODE =
      String.join(
          "\n",
          "class Encoder(Module):",
          "  __parameters__ = [\"weight\", \"bias\", ]",
          "  __buffers__ = []",
          "  training : bool",
          "  weight : Tensor",
          "  bias : Tensor",
          "  def forward(self: __torch__.Encoder,",
          "    x: Tensor) -> Tensor:",
          "    return torch.relu(torch.linear(torch.flatten(x, 1), self.weight, self.bias))",
          "");

  private TorchScriptFixture() {}

  /**
   * Writes the module with {@code weight} ({@code out x in}, row-major) and {@code bias} ({@code
   * out}).
   */
  static Path linearRelu(Path file, int in, int out, float[] weight, float[] bias)
      throws IOException {
    Pickle p = new Pickle();
    p.op(0x80).op(2); // PROTO 2
    p.global("__torch__", "Encoder").op(')').op(0x81); // EMPTY_TUPLE NEWOBJ
    p.op('}').op('('); // EMPTY_DICT MARK
    p.string("training").op(0x88); // NEWTRUE
    p.string("weight").tensor("0", new int[] {out, in}, new int[] {in, 1});
    p.string("bias").tensor("1", new int[] {out}, new int[] {1});
    p.op('u').op('b').op('.'); // SETITEMS BUILD STOP
    try (OutputStream os = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(os)) {
      put(zip, "data.pkl", p.bytes());
      put(zip, "code/__torch__.py", CODE.getBytes(StandardCharsets.UTF_8));
      put(zip, "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
      put(zip, "data/0", littleEndian(weight));
      put(zip, "data/1", littleEndian(bias));
      put(zip, "version", "3\n".getBytes(StandardCharsets.US_ASCII));
    }
    return file;
  }

  /** Stored, not deflated: what torch.jit.save writes. */
  private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
    ZipEntry e = new ZipEntry("archive/" + name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(data.length);
    e.setCompressedSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    e.setCrc(crc.getValue());
    zip.putNextEntry(e);
    zip.write(data);
    zip.closeEntry();
  }

  private static byte[] littleEndian(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  /** The few pickle opcodes TorchScript's unpickler needs. */
  private static final class Pickle {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Pickle op(int code) {
      out.write(code);
      return this;
    }

    Pickle int32(int v) {
      op('J'); // BININT
      for (int i = 0; i < 4; i++) {
        out.write((v >>> (8 * i)) & 0xFF);
      }
      return this;
    }

    Pickle string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      op('X'); // BINUNICODE
      for (int i = 0; i < 4; i++) {
        out.write((b.length >>> (8 * i)) & 0xFF);
      }
      out.writeBytes(b);
      return this;
    }

    Pickle global(String module, String name) {
      op('c');
      out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
      return this;
    }

    Pickle ints(int[] v) {
      op('(');
      for (int x : v) {
        int32(x);
      }
      return op('t'); // TUPLE
    }

    /** {@code _rebuild_tensor_v2(storage, 0, size, stride, requires_grad=True, OrderedDict())}. */
    Pickle tensor(String key, int[] size, int[] stride) {
      int numel = 1;
      for (int d : size) {
        numel *= d;
      }
      global("torch._utils", "_rebuild_tensor_v2").op('(');
      op('(')
          .string("storage")
          .global("torch", "FloatStorage")
          .string(key)
          .string("cpu")
          .int32(numel)
          .op('t');
      op('Q'); // BINPERSID
      int32(0).ints(size).ints(stride).op(0x88);
      global("collections", "OrderedDict").op(')').op('R');
      return op('t').op('R');
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
