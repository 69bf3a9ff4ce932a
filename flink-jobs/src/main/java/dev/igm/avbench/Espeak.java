package dev.igm.avbench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code espeak-ng} speech synthesiser (Debian package {@code espeak-ng}) as a source of spoken
 * words: one process per utterance, its 22,050 Hz 16-bit mono WAV read from standard output.
 */
public final class Espeak {
  /** espeak-ng's output rate. */
  public static final int RATE = 22_050;

  private final String command;
  private final String version;

  private Espeak(String command, String version) {
    this.command = command;
    this.version = version;
  }

  /**
   * The synthesiser {@code command} names (a path, or a name on PATH), checked by running it once.
   */
  public static Espeak locate(String command) {
    String missing =
        command
            + " not found or not runnable: install Debian's espeak-ng package (apt-get install"
            + " espeak-ng) or pass --espeak PATH";
    try {
      Process p = new ProcessBuilder(command, "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalArgumentException(missing + " (" + out + ")");
      }
      return new Espeak(command, out.lines().findFirst().orElse(out));
    } catch (IOException e) {
      throw new IllegalArgumentException(missing, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting " + command, e);
    }
  }

  /** The first line of {@code espeak-ng --version}. */
  public String version() {
    return version;
  }

  /**
   * {@code text} spoken by {@code voice} (e.g. {@code en-gb-scotland+f3}) at {@code wordsPerMinute}
   * and {@code pitch} (0–99), as samples in [−1, 1] at {@link #RATE}.
   */
  public float[] speak(String text, String voice, int wordsPerMinute, int pitch) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                command,
                "-v",
                voice,
                "-s",
                Integer.toString(wordsPerMinute),
                "-p",
                Integer.toString(pitch),
                "--stdout",
                text));
    try {
      Process p = new ProcessBuilder(cmd).start();
      byte[] wav;
      try (InputStream in = p.getInputStream()) {
        wav = in.readAllBytes();
      }
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalArgumentException(
            String.join(" ", cmd) + " failed: " + (err.isEmpty() ? "exit " + p.exitValue() : err));
      }
      return pcm16(wav, String.join(" ", cmd));
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }

  /**
   * The samples of a mono 16-bit PCM WAV at {@link #RATE}. Written to a pipe, espeak-ng cannot seek
   * back to fill in the chunk sizes (they read 0x7ffff…), so the data chunk is taken to run to the
   * end of the bytes.
   */
  static float[] pcm16(byte[] wav, String origin) {
    ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
    if (wav.length < 12 || !ascii(wav, 0, "RIFF") || !ascii(wav, 8, "WAVE")) {
      throw new IllegalStateException(origin + ": output is not a WAV (" + wav.length + " bytes)");
    }
    int pos = 12;
    boolean formatSeen = false;
    while (pos + 8 <= wav.length) {
      int size = b.getInt(pos + 4);
      if (ascii(wav, pos, "fmt ")) {
        int format = b.getShort(pos + 8);
        int channels = b.getShort(pos + 10);
        int rate = b.getInt(pos + 12);
        int bits = b.getShort(pos + 22);
        if (format != 1 || channels != 1 || rate != RATE || bits != 16) {
          throw new IllegalStateException(
              origin
                  + ": expected 16-bit mono PCM at "
                  + RATE
                  + " Hz, got format "
                  + format
                  + ", "
                  + channels
                  + " channel(s), "
                  + rate
                  + " Hz, "
                  + bits
                  + " bits");
        }
        formatSeen = true;
      } else if (ascii(wav, pos, "data")) {
        if (!formatSeen) {
          throw new IllegalStateException(origin + ": WAV data before its format chunk");
        }
        int start = pos + 8;
        int n = (wav.length - start) / 2;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
          out[i] = b.getShort(start + 2 * i) / 32768f;
        }
        return out;
      }
      pos += 8 + size + (size & 1);
    }
    throw new IllegalStateException(origin + ": WAV without a data chunk");
  }

  private static boolean ascii(byte[] a, int at, String s) {
    return new String(a, at, 4, StandardCharsets.US_ASCII).equals(s);
  }

  /** Writes mono samples in [−1, 1] as a 16-bit PCM WAV. */
  static byte[] wav16(float[] samples, int rate) {
    ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII))
        .putInt(36 + 2 * samples.length)
        .put("WAVE".getBytes(StandardCharsets.US_ASCII))
        .put("fmt ".getBytes(StandardCharsets.US_ASCII))
        .putInt(16)
        .putShort((short) 1)
        .putShort((short) 1)
        .putInt(rate)
        .putInt(2 * rate)
        .putShort((short) 2)
        .putShort((short) 16)
        .put("data".getBytes(StandardCharsets.US_ASCII))
        .putInt(2 * samples.length);
    for (float v : samples) {
      b.putShort((short) Math.round(Math.max(-1f, Math.min(1f, v)) * 32767));
    }
    return b.array();
  }
}
