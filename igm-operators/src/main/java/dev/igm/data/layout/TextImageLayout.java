package dev.igm.data.layout;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.igm.avro.Split;
import dev.igm.avro.Tensor;
import dev.igm.codec.TensorCodec;
import dev.igm.data.DatasetFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text-image layouts of the reference code: Twitter2015 ({@code datasets/twitter_dataset.py})
 * and Sarcasm ({@code datasets/sarcasm_dataset.py}). Modalities:
 *
 * <ul>
 *   <li>{@code text}: int64 {@code [maxWords]}, the cleaned text's word ids (see {@link
 *       CaptionTokenizer}; vocabulary from the TRAIN texts);
 *   <li>{@code image}: float32 {@code [3, S, S]}, resized to S×S (bicubic) and normalised with the
 *       CLIP statistics, the reference's evaluation transform ({@code datasets/__init__.py}).
 * </ul>
 *
 * A missing image is an error naming the annotation line (the reference would fail on it while
 * training).
 */
public final class TextImageLayout extends AbstractLayout {
  private final CaptionTokenizer tokenizer;
  private final ImageTensor images;
  private final TensorCodec codec = TensorCodec.create();

  private TextImageLayout(
      String name, List<String> classNames, List<LayoutItem> items, LayoutOptions options) {
    super(name, classNames, List.of("text", "image"), items, List.of());
    this.tokenizer =
        CaptionTokenizer.fit(
            items.stream().filter(i -> i.split() == Split.TRAIN).map(LayoutItem::text).toList(),
            options.maxWords());
    this.images =
        new ImageTensor(
            options.imageSize(),
            ImageTensor.Filter.BICUBIC,
            ImageTensor.CLIP_MEAN,
            ImageTensor.CLIP_STD);
  }

  /**
   * Twitter2015 under {@code root}: {@code annotations/train.tsv}, optional {@code
   * annotations/dev.tsv} (VALID; the reference does not use it), {@code annotations/test.tsv};
   * tab-separated with a header naming the columns {@code Label}, {@code ImageID}, {@code String}
   * (the original release's {@code #1 Label}, {@code #2 ImageID}, {@code #3 String} are accepted
   * too; the first {@code String} column is the tweet); labels 0, 1, 2; images in {@code
   * twitter2015_images/<ImageID>}. Text: {@code clean_str} then {@code pre_caption}.
   */
  public static TextImageLayout twitter2015(Path root, LayoutOptions options) {
    List<LayoutItem> items = new ArrayList<>();
    Path imageRoot = root.resolve("twitter2015_images");
    for (Split split : Split.values()) {
      String stem =
          switch (split) {
            case TRAIN -> "train";
            case VALID -> "dev";
            case TEST -> "test";
          };
      Path tsv = root.resolve("annotations").resolve(stem + ".tsv");
      if (split == Split.VALID && !Files.exists(tsv)) {
        continue;
      }
      requireFile(tsv, "Twitter2015");
      List<AnnotationFile.Line> lines = AnnotationFile.read(tsv, '\t', false);
      if (lines.isEmpty()) {
        throw new DatasetFormatException(
            tsv + ": empty (expected a header with Label, ImageID and String)");
      }
      AnnotationFile.Line header = lines.get(0);
      int labelCol = AnnotationFile.column(header, "Label", "#1 Label");
      int imageCol = AnnotationFile.column(header, "ImageID", "#2 ImageID");
      int textCol = AnnotationFile.column(header, "String", "#3 String");
      for (AnnotationFile.Line line : lines.subList(1, lines.size())) {
        int label = label(line, line.field(labelCol, "label"), 3);
        String imageId = line.field(imageCol, "image id");
        String text =
            CaptionTokenizer.preCaption(
                CaptionTokenizer.asciiWords(line.field(textCol, "text")), options.maxWords());
        Path image = requireImage(imageRoot.resolve(imageId), line);
        String id = "twitter2015/" + stem + "/" + (line.number() - 1) + "-" + imageId;
        items.add(new LayoutItem(id, label, split, line.where(), List.of(image), text));
      }
    }
    return new TextImageLayout("twitter2015", List.of("0", "1", "2"), items, options);
  }

  /**
   * Sarcasm under {@code root}: {@code annotations/train_data.json}, optional {@code
   * annotations/valid_data.json} (VALID), {@code annotations/test_data.json}; each a JSON array of
   * {@code {"image": ..., "text": ..., "label": 0|1}}; images in {@code images/<file name of
   * "image">}. Text: {@code pre_caption}.
   */
  public static TextImageLayout sarcasm(Path root, LayoutOptions options) {
    List<LayoutItem> items = new ArrayList<>();
    Path imageRoot = root.resolve("images");
    ObjectMapper mapper = new ObjectMapper();
    for (Split split : Split.values()) {
      String stem =
          switch (split) {
            case TRAIN -> "train_data";
            case VALID -> "valid_data";
            case TEST -> "test_data";
          };
      Path json = root.resolve("annotations").resolve(stem + ".json");
      if (split == Split.VALID && !Files.exists(json)) {
        continue;
      }
      requireFile(json, "Sarcasm");
      try (JsonParser p = mapper.getFactory().createParser(json.toFile())) {
        if (p.nextToken() != JsonToken.START_ARRAY) {
          throw new DatasetFormatException(
              json
                  + " line "
                  + p.currentLocation().getLineNr()
                  + ": expected a JSON array of samples");
        }
        int index = 0;
        while (p.nextToken() == JsonToken.START_OBJECT) {
          int lineNr = p.currentLocation().getLineNr();
          JsonNode n = mapper.readTree(p);
          AnnotationFile.Line line = new AnnotationFile.Line(json, lineNr, List.of());
          String image = text(n, "image", line);
          String text = CaptionTokenizer.preCaption(text(n, "text", line), options.maxWords());
          int label = label(line, text(n, "label", line), 2);
          String fileName = image.substring(image.lastIndexOf('/') + 1);
          Path imageFile = requireImage(imageRoot.resolve(fileName), line);
          String id = "sarcasm/" + stem + "/" + index + "-" + fileName;
          items.add(new LayoutItem(id, label, split, line.where(), List.of(imageFile), text));
          index++;
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
          throw new DatasetFormatException(
              json + " line " + p.currentLocation().getLineNr() + ": expected a sample object");
        }
      } catch (IOException e) {
        throw new DatasetFormatException(json + ": not valid JSON (" + e.getMessage() + ")", e);
      }
    }
    return new TextImageLayout("sarcasm", List.of("0", "1"), items, options);
  }

  /** Words in the vocabulary built from the TRAIN texts, padding and unknown included. */
  public int vocabularySize() {
    return tokenizer.vocabularySize();
  }

  @Override
  public Map<String, Tensor> load(LayoutItem item) {
    int s = images.size();
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("text", codec.encodeInt64(tokenizer.encode(item.text()), tokenizer.maxWords()));
    out.put("image", codec.encodeFloat32(images.load(item.files().get(0)), 3, s, s));
    return out;
  }

  private static int label(AnnotationFile.Line line, String value, int classes) {
    try {
      int label = (int) Double.parseDouble(value); // pandas may have written 1.0
      if (label < 0 || label >= classes || label != Double.parseDouble(value)) {
        throw line.error("label '" + value + "' is not one of 0.." + (classes - 1));
      }
      return label;
    } catch (NumberFormatException e) {
      throw line.error("label '" + value + "' is not a number");
    }
  }

  private static String text(JsonNode n, String field, AnnotationFile.Line line) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull() || v.isContainerNode()) {
      throw line.error("sample has no \"" + field + "\" value");
    }
    return v.asText();
  }

  private static Path requireImage(Path image, AnnotationFile.Line line) {
    if (!Files.isRegularFile(image)) {
      throw line.error("image " + image + " does not exist");
    }
    return image;
  }
}
