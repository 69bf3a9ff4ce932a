package dev.igm.data.layout;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text → int64 token ids for the text modality of Twitter2015 and Sarcasm. Cleaning follows the
 * reference ({@code pre_caption}: lower case; drop {@code , . ' ! ? " ( ) * # : ; ~}; {@code -} and
 * {@code /} become spaces; {@code <person>} → {@code person}; collapse spaces; keep the first
 * {@code maxWords} words; Twitter2015 first keeps only the ASCII words ({@code clean_str})). The
 * reference then runs a BERT WordPiece tokenizer; this product uses a plain word vocabulary instead
 * (documented simplification): words of the TRAIN texts by descending frequency, ties in
 * alphabetical order, ids from 2; 0 = padding, 1 = unknown word. Every text becomes exactly {@code
 * maxWords} ids, zero-padded at the end, so the modality has one fixed shape.
 */
public final class CaptionTokenizer {
  public static final long PAD = 0;
  public static final long UNKNOWN = 1;

  private static final Pattern PUNCTUATION = Pattern.compile("[,.'!?\"()*#:;~]");
  private static final Pattern SPACES = Pattern.compile("\\s{2,}");
  private static final Pattern ASCII_WORD = Pattern.compile("\\b[A-Za-z]+\\b");

  private final Map<String, Long> ids;
  private final int maxWords;

  private CaptionTokenizer(Map<String, Long> ids, int maxWords) {
    this.ids = ids;
    this.maxWords = maxWords;
  }

  /** Builds the vocabulary from already cleaned TRAIN captions. */
  public static CaptionTokenizer fit(Collection<String> cleanedTrainCaptions, int maxWords) {
    if (maxWords < 1) {
      throw new IllegalArgumentException("max words must be >= 1, got " + maxWords);
    }
    Map<String, Integer> counts = new HashMap<>();
    for (String c : cleanedTrainCaptions) {
      for (String w : words(c)) {
        counts.merge(w, 1, Integer::sum);
      }
    }
    List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
    sorted.sort(
        (a, b) ->
            a.getValue().equals(b.getValue())
                ? a.getKey().compareTo(b.getKey())
                : b.getValue() - a.getValue());
    Map<String, Long> ids = new HashMap<>();
    long next = 2;
    for (Map.Entry<String, Integer> e : sorted) {
      ids.put(e.getKey(), next++);
    }
    return new CaptionTokenizer(ids, maxWords);
  }

  /** {@code pre_caption(text, maxWords)} of the reference. */
  public static String preCaption(String text, int maxWords) {
    String c =
        PUNCTUATION
            .matcher(text.toLowerCase(Locale.ROOT))
            .replaceAll("")
            .replace('-', ' ')
            .replace('/', ' ')
            .replace("<person>", "person");
    c = SPACES.matcher(c).replaceAll(" ");
    c = c.strip();
    String[] w = c.split(" ");
    return w.length > maxWords ? String.join(" ", java.util.Arrays.copyOf(w, maxWords)) : c;
  }

  /**
   * {@code clean_str} of the reference's Twitter2015 reader: only the ASCII-letter words,
   * space-joined.
   */
  public static String asciiWords(String text) {
    Matcher m = ASCII_WORD.matcher(text);
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group());
    }
    return String.join(" ", out);
  }

  /** Ids of a cleaned caption, exactly {@code maxWords} long. */
  public long[] encode(String cleanedCaption) {
    long[] out = new long[maxWords];
    List<String> w = words(cleanedCaption);
    for (int i = 0; i < Math.min(w.size(), maxWords); i++) {
      out[i] = ids.getOrDefault(w.get(i), UNKNOWN);
    }
    return out;
  }

  /** Vocabulary size including the padding and unknown ids. */
  public int vocabularySize() {
    return ids.size() + 2;
  }

  public int maxWords() {
    return maxWords;
  }

  private static List<String> words(String cleaned) {
    List<String> out = new ArrayList<>();
    for (String w : cleaned.split(" ")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }
}
