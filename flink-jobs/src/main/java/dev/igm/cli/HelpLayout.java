package dev.igm.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * Lays the help text out for the terminal it is shown on (picocli wraps every description line at
 * the usage width, so text written as lines of one fixed length broke into ragged half-lines on a
 * narrower terminal):
 *
 * <ul>
 *   <li>prose: consecutive lines that do not start with white space are one paragraph, wrapped as a
 *       whole;
 *   <li>indented lines (tables, lists) keep their own lines;
 *   <li>examples ({@code " igm ..."} lines) never break inside a word: a long one continues on the
 *       next line after a {@code \}, so it still pastes into a shell as one command;
 *   <li>the command list of {@code igm --help} shows each command's first sentence.
 * </ul>
 */
final class HelpLayout {
  private static final java.util.regex.Pattern INLINE_EXAMPLE =
      java.util.regex.Pattern.compile("(Examples?:)\\s+(igm .*)");

  /** Where an example's continuation lines start (under the example's first argument). */
  private static final String CONTINUATION = "      ";

  private HelpLayout() {}

  /** Applies the layout to {@code cl} and every subcommand. */
  static CommandLine apply(CommandLine cl) {
    UsageMessageSpec usage = cl.getCommandSpec().usageMessage();
    int width = usage.width();
    if (!cl.getSubcommands().isEmpty()) {
      Map<String, String> summaries = new java.util.LinkedHashMap<>();
      cl.getSubcommands()
          .forEach((name, sub) -> summaries.put(name, firstSentence(sub.getCommandSpec())));
      cl.getHelpSectionMap()
          .put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, help -> commandList(help, summaries));
    }
    usage.description(reflow(usage.description(), width));
    usage.footer(reflow(usage.footer(), width));
    usage.header(reflow(usage.header(), width));
    for (CommandLine sub : cl.getSubcommands().values()) {
      apply(sub);
    }
    return cl;
  }

  static String[] reflow(String[] lines, int width) {
    List<String> out = new ArrayList<>();
    StringBuilder paragraph = new StringBuilder();
    for (String line : lines) {
      boolean prose = !line.isBlank() && !Character.isWhitespace(line.charAt(0));
      java.util.regex.Matcher inline = INLINE_EXAMPLE.matcher(line);
      if (prose && inline.matches()) { // "Example: igm ..." as a heading and an example line
        flush(paragraph, out, width);
        out.add(inline.group(1));
        out.addAll(example("  " + inline.group(2), width));
        continue;
      }
      if (prose) {
        paragraph.append(paragraph.length() == 0 ? "" : " ").append(line.strip());
        if (line.strip().endsWith(":")) {
          flush(paragraph, out, width); // a heading ("Examples:") keeps its own line
        }
        continue;
      }
      flush(paragraph, out, width);
      if (line.stripLeading().startsWith("igm ")) {
        out.addAll(example(line, width));
      } else {
        out.addAll(indented(line, width - 1));
      }
    }
    flush(paragraph, out, width);
    return out.toArray(String[]::new);
  }

  /**
   * The paragraph as lines of at most {@code width - 1} characters broken at spaces only (picocli's
   * own wrapping also breaks after a dot inside a word: "model.<newline>safetensors").
   */
  private static void flush(StringBuilder paragraph, List<String> out, int width) {
    if (paragraph.length() > 0) {
      out.addAll(wrap(paragraph.toString(), width - 1));
      paragraph.setLength(0);
    }
  }

  /**
   * {@code text} in lines of at most {@code width} characters, broken at spaces (a longer word
   * stands alone).
   */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" +")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      line.append(line.length() == 0 ? "" : " ").append(word);
    }
    if (line.length() > 0) {
      lines.add(line.toString());
    }
    return lines;
  }

  /**
   * An indented line (a list item, a table row) broken at spaces into lines of at most {@code
   * width}; the continuation lines start under its second column (the text after the first run of
   * two or more spaces), else two columns in.
   */
  static List<String> indented(String line, int width) {
    if (line.length() <= width) {
      return List.of(line);
    }
    int lead = line.length() - line.stripLeading().length();
    java.util.regex.Matcher column =
        java.util.regex.Pattern.compile("\\S(\\s{2,})\\S").matcher(line);
    int hang = column.find(lead) ? column.end(1) : lead + 2;
    if (hang > width / 2) {
      hang = lead + 2;
    }
    List<String> out = new ArrayList<>();
    List<String> words = wrap(line.substring(hang), width - hang);
    out.add(line.substring(0, hang) + words.get(0));
    for (String w : words.subList(1, words.size())) {
      out.add(" ".repeat(hang) + w);
    }
    return out;
  }

  /**
   * An example line split at spaces into lines of at most {@code width - 1} characters, joined by
   * {@code \}.
   */
  static List<String> example(String line, int width) {
    List<String> out = new ArrayList<>();
    int limit = Math.max(40, width - 1);
    String rest = line;
    String indent = line.substring(0, line.length() - line.stripLeading().length());
    boolean first = true;
    while (rest.length() > limit) {
      int cut = breakPoint(rest, limit - 2); // room for " \"
      if (cut <= (first ? indent.length() : CONTINUATION.length())) {
        break; // one word longer than the line: leave it whole
      }
      out.add(rest.substring(0, cut) + " \\");
      rest = CONTINUATION + rest.substring(cut + 1).stripLeading();
      first = false;
    }
    out.add(rest);
    return out;
  }

  /** The last space at or before {@code max} that is outside quotes, or -1. */
  private static int breakPoint(String s, int max) {
    int best = -1;
    char quote = 0;
    for (int i = 0; i < s.length() && i <= max; i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        quote = c == quote ? 0 : quote;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == ' ' && i > 0 && s.charAt(i - 1) != ' ') {
        best = i;
      }
    }
    return best;
  }

  /**
   * {@code igm --help}'s command list: each command's first sentence, wrapped in the second column.
   */
  private static String commandList(Help help, Map<String, String> summaries) {
    Map<String, Help> subs = help.subcommands();
    if (subs.isEmpty()) {
      return "";
    }
    int nameWidth = subs.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
    Help.TextTable table =
        Help.TextTable.forColumns(
            help.colorScheme(),
            new Help.Column(nameWidth + 2, 2, Help.Column.Overflow.SPAN),
            new Help.Column(
                help.commandSpec().usageMessage().width() - nameWidth - 2,
                2,
                Help.Column.Overflow.WRAP));
    int textWidth = help.commandSpec().usageMessage().width() - nameWidth - 5;
    for (Map.Entry<String, Help> e : subs.entrySet()) {
      List<String> lines = wrap(summaries.getOrDefault(e.getKey(), ""), textWidth);
      for (int i = 0; i < lines.size(); i++) {
        table.addRowValues(i == 0 ? e.getKey() : "", lines.get(i));
      }
    }
    return table.toString();
  }

  /** The first sentence of the description's first paragraph (as written, before the layout). */
  static String firstSentence(CommandSpec spec) {
    StringBuilder first = new StringBuilder();
    for (String line : spec.usageMessage().description()) {
      if (line.isBlank() || Character.isWhitespace(line.charAt(0))) {
        break;
      }
      first.append(first.length() == 0 ? "" : " ").append(line.strip());
    }
    String text = first.toString();
    int end = -1;
    for (int i = 0; i + 1 < text.length(); i++) {
      if (text.charAt(i) == '.' && text.charAt(i + 1) == ' ') {
        end = i;
        break;
      }
    }
    return end < 0 ? text : text.substring(0, end + 1);
  }
}
