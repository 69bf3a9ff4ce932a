package dev.igm.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Plain Avro binary encoding (no schema-registry header) of one record type, as written to the
 * Kafka topics. Thread-compatible: use one instance per thread.
 *
 * @param <T> the generated record class
 */
public final class AvroBytes<T extends SpecificRecord> {
  private final SpecificDatumWriter<T> writer;
  private final SpecificDatumReader<T> reader;
  private final Class<T> type;
  private BinaryEncoder encoder;
  private BinaryDecoder decoder;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(1024);

  private AvroBytes(Class<T> type, Schema writerSchema) {
    this.type = type;
    Schema readerSchema = SpecificData.get().getSchema(type);
    this.writer = new SpecificDatumWriter<>(readerSchema);
    this.reader =
        new SpecificDatumReader<>(writerSchema == null ? readerSchema : writerSchema, readerSchema);
  }

  /** Reads and writes {@code type} with its own (current) schema. */
  public static <T extends SpecificRecord> AvroBytes<T> of(Class<T> type) {
    return new AvroBytes<>(type, null);
  }

  /** Reads data written with an older {@code writerSchema} into the current {@code type}. */
  public static <T extends SpecificRecord> AvroBytes<T> resolving(
      Class<T> type, Schema writerSchema) {
    return new AvroBytes<>(type, writerSchema);
  }

  public Class<T> type() {
    return type;
  }

  public byte[] encode(T record) {
    out.reset();
    if (encoder == null) {
      // Made once: configuring an encoder again, even with the same stream, wraps the stream in a
      // new channel each time (a tenth of what encoding a prediction costs).
      encoder = EncoderFactory.get().binaryEncoder(out, null);
    }
    try {
      writer.write(record, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      // A record that fails halfway (a null where the schema has none) leaves its first fields in
      // the encoder's buffer: that encoder must not write the next record.
      encoder = null;
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
    return out.toByteArray();
  }

  /**
   * Decodes one record; the whole array must be consumed.
   *
   * @throws IOException when the bytes are not a valid record of this schema (corrupt, truncated,
   *     trailing bytes)
   */
  public T decode(byte[] bytes) throws IOException {
    if (bytes == null) {
      throw new IOException("null record value");
    }
    decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
    T value;
    try {
      value = reader.read(null, decoder);
    } catch (RuntimeException e) {
      // Avro throws unchecked exceptions (negative lengths, bad union index, OOM guards) for
      // corrupt input.
      throw new IOException("corrupt Avro " + type.getSimpleName() + ": " + e, e);
    }
    if (!decoder.isEnd()) {
      throw new IOException(
          "corrupt Avro "
              + type.getSimpleName()
              + ": trailing bytes after the record ("
              + bytes.length
              + " bytes in all)");
    }
    return value;
  }
}
