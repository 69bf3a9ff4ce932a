package dev.igm.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.igm.avro.DeadLetter;
import dev.igm.avro.ModelSnapshot;
import dev.igm.avro.MultimodalSample;
import dev.igm.avro.Prediction;
import dev.igm.avro.TrainingMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stored topics outlive code: every current record class must read data written with every
 * historical schema in {@code src/main/avro-history/}.
 */
class SchemaCompatibilityTest {
  private static final Path HISTORY = Paths.get("src/main/avro-history");
  private static final Path CURRENT = Paths.get("src/main/avro");
  private static final List<Class<? extends SpecificRecord>> RECORDS =
      List.of(
          MultimodalSample.class,
          ModelSnapshot.class,
          TrainingMetrics.class,
          Prediction.class,
          DeadLetter.class);

  static Stream<Path> versions() throws IOException {
    try (Stream<Path> s = Files.list(HISTORY)) {
      return s.filter(Files::isDirectory).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("versions")
  void currentReadersReadOldWritersData(Path version) throws IOException {
    Map<String, Schema> old = parseAll(version);
    for (Class<? extends SpecificRecord> type : RECORDS) {
      Schema writer = old.get(type.getName());
      if (writer == null) {
        continue; // the record did not exist in that version
      }
      Schema reader = SpecificData.get().getSchema(type);
      SchemaCompatibility.SchemaPairCompatibility compat =
          SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
      assertThat(compat.getType())
          .as(
              "%s (%s) cannot read %s data: %s",
              type.getSimpleName(), "current", version, compat.getDescription())
          .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);

      SplittableRandom rnd =
          new SplittableRandom(version.hashCode() * 31L + type.getName().hashCode());
      AvroBytes<? extends SpecificRecord> bytes = AvroBytes.resolving(type, writer);
      for (int i = 0; i < 25; i++) {
        GenericRecord written = (GenericRecord) randomValue(writer, rnd);
        SpecificRecord read = bytes.decode(encode(writer, written));
        for (Schema.Field f : writer.getFields()) {
          Schema.Field rf = reader.getField(f.name());
          if (rf != null) {
            assertThat(normalise(read.get(rf.pos())))
                .as("%s.%s written by %s", type.getSimpleName(), f.name(), version)
                .isEqualTo(normalise(written.get(f.name())));
          }
        }
      }
    }
  }

  @Test
  void newestHistoryMatchesTheCurrentSchemas() throws IOException {
    Path newest = versions().reduce((a, b) -> b).orElseThrow();
    Map<String, Schema> latest = parseAll(newest);
    Map<String, Schema> current = parseAll(CURRENT);
    assertThat(latest.keySet()).as("record types in %s", newest).containsAll(current.keySet());
    for (Map.Entry<String, Schema> e : current.entrySet()) {
      assertThat(latest.get(e.getKey()))
          .as(
              "%s changed since %s: copy src/main/avro into a new history folder",
              e.getKey(), newest)
          .isEqualTo(e.getValue());
    }
  }

  /** Parses a folder of .avsc files, named types first so records can refer to them. */
  private static Map<String, Schema> parseAll(Path dir) throws IOException {
    Schema.Parser parser = new Schema.Parser();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = new ArrayList<>(s.filter(p -> p.toString().endsWith(".avsc")).sorted().toList());
    }
    List<Path> ordered = new ArrayList<>();
    for (String first : List.of("Split.avsc", "Tensor.avsc")) {
      files.stream()
          .filter(p -> p.getFileName().toString().equals(first))
          .findFirst()
          .ifPresent(ordered::add);
    }
    files.stream().filter(p -> !ordered.contains(p)).forEach(ordered::add);
    Map<String, Schema> out = new HashMap<>();
    for (Path p : ordered) {
      Schema s = parser.parse(p.toFile());
      out.put(s.getFullName(), s);
    }
    return out;
  }

  private static byte[] encode(Schema schema, GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, enc);
    enc.flush();
    return out.toByteArray();
  }

  /** A random value of any schema (records, unions, maps, arrays, enums, primitives). */
  private static Object randomValue(Schema s, SplittableRandom rnd) {
    switch (s.getType()) {
      case RECORD:
        GenericRecord r = new GenericData.Record(s);
        for (Schema.Field f : s.getFields()) {
          r.put(f.name(), randomValue(f.schema(), rnd));
        }
        return r;
      case UNION:
        return randomValue(s.getTypes().get(rnd.nextInt(s.getTypes().size())), rnd);
      case ARRAY:
        List<Object> a = new ArrayList<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
          a.add(randomValue(s.getElementType(), rnd));
        }
        return a;
      case MAP:
        Map<String, Object> m = new HashMap<>();
        for (int i = rnd.nextInt(3); i > 0; i--) {
          m.put("k" + rnd.nextInt(1000), randomValue(s.getValueType(), rnd));
        }
        return m;
      case ENUM:
        return new GenericData.EnumSymbol(
            s, s.getEnumSymbols().get(rnd.nextInt(s.getEnumSymbols().size())));
      case STRING:
        return "s" + rnd.nextInt();
      case BYTES:
        byte[] b = new byte[rnd.nextInt(16)];
        for (int i = 0; i < b.length; i++) {
          b[i] = (byte) rnd.nextInt(256);
        }
        return ByteBuffer.wrap(b);
      case INT:
        return rnd.nextInt();
      case LONG:
        return rnd.nextLong();
      case FLOAT:
        return (float) rnd.nextDouble();
      case DOUBLE:
        return rnd.nextDouble();
      case BOOLEAN:
        return rnd.nextBoolean();
      case NULL:
        return null;
      default:
        throw new IllegalArgumentException("no generator for " + s);
    }
  }

  /** Compares generic and specific values by content (enums by name, records field by field). */
  private static Object normalise(Object v) {
    if (v instanceof GenericData.EnumSymbol || v instanceof Enum) {
      return v.toString();
    }
    if (v instanceof CharSequence) {
      return v.toString();
    }
    if (v instanceof GenericRecord) {
      GenericRecord g = (GenericRecord) v;
      Map<String, Object> m = new HashMap<>();
      for (Schema.Field f : g.getSchema().getFields()) {
        m.put(f.name(), normalise(g.get(f.name())));
      }
      return m;
    }
    if (v instanceof SpecificRecord) {
      SpecificRecord g = (SpecificRecord) v;
      Map<String, Object> m = new HashMap<>();
      for (Schema.Field f : g.getSchema().getFields()) {
        m.put(f.name(), normalise(g.get(f.pos())));
      }
      return m;
    }
    if (v instanceof List) {
      return ((List<?>) v).stream().map(SchemaCompatibilityTest::normalise).toList();
    }
    if (v instanceof Map) {
      Map<String, Object> m = new HashMap<>();
      ((Map<?, ?>) v).forEach((k, x) -> m.put(k.toString(), normalise(x)));
      return m;
    }
    if (v instanceof java.time.Instant) {
      return ((java.time.Instant) v).toEpochMilli();
    }
    return v;
  }
}
