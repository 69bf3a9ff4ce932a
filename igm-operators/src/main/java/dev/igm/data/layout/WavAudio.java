package dev.igm.data.layout;

import dev.igm.data.DatasetFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * A WAV file as mono float samples in [-1, 1], as {@code librosa.load} returns them before
 * resampling: integer PCM divided by 2^(bits−1) (soundfile's scaling), channels averaged.
 *
 * @param samples mono samples
 * @param rate sample rate in Hz
 */
public record WavAudio(float[] samples, int rate) {

  public static WavAudio read(Path file) {
    try (AudioInputStream in = AudioSystem.getAudioInputStream(file.toFile())) {
      AudioFormat f = in.getFormat();
      byte[] bytes = in.readAllBytes();
      return new WavAudio(toMono(bytes, f, file), Math.round(f.getSampleRate()));
    } catch (UnsupportedAudioFileException e) {
      throw new DatasetFormatException(
          file + ": not a WAV file Java can read (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new DatasetFormatException(file + ": cannot read audio (" + e.getMessage() + ")", e);
    }
  }

  private static float[] toMono(byte[] bytes, AudioFormat f, Path file) {
    int channels = f.getChannels();
    int bits = f.getSampleSizeInBits();
    AudioFormat.Encoding enc = f.getEncoding();
    boolean floating = enc.equals(AudioFormat.Encoding.PCM_FLOAT);
    boolean signed = enc.equals(AudioFormat.Encoding.PCM_SIGNED);
    boolean unsigned = enc.equals(AudioFormat.Encoding.PCM_UNSIGNED);
    if (!(floating || signed || unsigned)
        || channels < 1
        || bits % 8 != 0
        || bits < 8
        || bits > 32
        || (floating && bits != 32)) {
      throw new DatasetFormatException(
          file + ": unsupported audio encoding " + f + " (expected PCM 8/16/24/32-bit or float32)");
    }
    int width = bits / 8;
    int frameBytes = width * channels;
    int frames = bytes.length / frameBytes;
    ByteBuffer buf =
        ByteBuffer.wrap(bytes)
            .order(f.isBigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[frames];
    double scale = 1.0 / (1L << (bits - 1));
    for (int i = 0; i < frames; i++) {
      double sum = 0;
      for (int c = 0; c < channels; c++) {
        int pos = i * frameBytes + c * width;
        double v;
        if (floating) {
          v = buf.getFloat(pos);
        } else {
          long raw = 0;
          for (int b = 0; b < width; b++) {
            int byteIndex = f.isBigEndian() ? pos + b : pos + width - 1 - b;
            raw = (raw << 8) | (bytes[byteIndex] & 0xff);
          }
          if (unsigned) {
            raw -= 1L << (bits - 1);
          } else if ((raw & (1L << (bits - 1))) != 0) {
            raw -= 1L << bits; // sign-extend
          }
          v = raw * scale;
        }
        sum += v;
      }
      out[i] = (float) (sum / channels);
    }
    return out;
  }
}
