package dev.igm.cli;

import dev.igm.core.config.DidYouMean;
import dev.igm.data.DatasetFormatException;
import dev.igm.kafka.KafkaAccess;
import dev.igm.local.EmbeddedFlink;
import dev.igm.local.ShutdownActions;
import dev.igm.replay.ReplayException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code igm} command line: one entry point for every job and tool of the product. */
@Command(
    name = "igm",
    mixinStandardHelpOptions = true,
    versionProvider = IgmCli.Version.class,
    description = {
      "Continuous multimodal training from Kafka on Apache Flink with IGM",
      "(Interactive Multimodal Learning via Flat Gradient Modification, IJCAI-25).",
      "",
      "Run 'igm <command> --help' for the options of a command."
    },
    subcommands = {
      // one line per command; keep the list in this order
      BenchServeCommand.class,
      BenchSoakCommand.class,
      BenchStepCommand.class,
      BenchTrainCommand.class,
      DemoCommand.class,
      FitCommand.class,
      MakeAvDatasetCommand.class,
      ReplayCommand.class,
      ReportCommand.class,
      ServeCommand.class,
      TrainCommand.class,
    })
public final class IgmCli implements Callable<Integer> {
  /** Exit code of a command stopped by a signal (Ctrl-C), as a shell reports SIGINT. */
  static final int INTERRUPTED = 130;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description =
          "On an error, print the stack trace too (normally one line says what went wrong).")
  static boolean verbose;

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  public static void main(String[] args) {
    int code = run(args);
    if (calledByFlink()) {
      // flink run, POST /jars/:id/run and application mode call main() inside a Flink JVM (the
      // client's or the
      // JobManager's): exiting would take that JVM down; a failure is reported by throwing instead.
      if (code != 0) {
        throw new IllegalStateException(
            "igm " + String.join(" ", args) + " failed with exit code " + code);
      }
      return;
    }
    System.exit(
        code); // a command line run: Kafka and Flink client threads must not keep the JVM alive
  }

  /** Whether Flink's program runner ({@code PackagedProgram}) called {@link #main}. */
  static boolean calledByFlink() {
    return EmbeddedFlink.insideFlinkProgram();
  }

  /** Runs the command line without exiting (tests call this). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /**
   * The command line with the product's error handling (what {@link #run} executes; tests set its
   * out/err).
   */
  public static CommandLine commandLine() {
    verbose = false;
    return HelpLayout.apply(
        new CommandLine(new IgmCli())
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setUsageHelpAutoWidth(true)
            .setParameterExceptionHandler(IgmCli::reportBadArguments)
            .setExecutionExceptionHandler(IgmCli::reportError));
  }

  /**
   * A mistyped command or option: one line naming it, the nearest known names, and where help is;
   * exit code 2. (The full usage text after a typo buries the one line that matters.)
   */
  private static int reportBadArguments(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    String where = cmd.getCommandSpec().qualifiedName();
    StringBuilder line = new StringBuilder(where).append(": ");
    // a mistyped option also leaves the option it meant missing: name the typo, not the consequence
    String unknownOption =
        e instanceof CommandLine.UnmatchedArgumentException ? null : unknownOption(cmd, args);
    if (unknownOption != null
        || e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String word =
          unknownOption != null
              ? unknownOption
              : ((CommandLine.UnmatchedArgumentException) e).getUnmatched().get(0);
      boolean option = word.startsWith("-");
      if (option) {
        word = word.replaceFirst("=.*", "");
      }
      List<String> known =
          new ArrayList<>(
              option ? cmd.getCommandSpec().optionsMap().keySet() : cmd.getSubcommands().keySet());
      line.append("unknown ")
          .append(
              option ? "option '" : (cmd.getSubcommands().isEmpty() ? "argument '" : "command '"))
          .append(word)
          .append("'");
      List<String> near = DidYouMean.nearest(word, known);
      if (!near.isEmpty()) {
        line.append("; did you mean ").append(DidYouMean.quoted(near)).append("?");
      }
    } else {
      line.append(e.getMessage());
    }
    cmd.getErr().println(line);
    cmd.getErr()
        .println(
            "Run '"
                + where
                + " --help' for the "
                + (cmd.getSubcommands().isEmpty() ? "options." : "commands."));
    return 2;
  }

  /**
   * The first argument that looks like an option ({@code -x}, {@code --xy[=v]}) and is none of
   * {@code cmd}'s.
   */
  private static String unknownOption(CommandLine cmd, String[] args) {
    boolean after = cmd.getParent() == null;
    for (String a : args) {
      if (!after) {
        after =
            a.equals(cmd.getCommandName()); // options before the subcommand belong to the parent
        continue;
      }
      if (a.equals("--")) {
        return null;
      }
      String name = a.replaceFirst("=.*", "");
      if (name.startsWith("-")
          && name.length() > 1
          && !name.matches("-\\d.*")
          && !cmd.getCommandSpec().optionsMap().containsKey(name)) {
        return name;
      }
    }
    return null;
  }

  /**
   * Bad input (an unknown method, a malformed table, a missing file) is the user's to fix: one line
   * naming the problem and exit code 2. An unreachable or refusing Kafka: one line and exit code 1.
   * A signal: exit 130. Anything else is a failure of the product: the stack trace and exit code 1.
   * {@code --verbose} adds the stack trace to all.
   */
  private static int reportError(
      Exception thrown, CommandLine cmd, CommandLine.ParseResult parsed) {
    Throwable e = unwrap(thrown);
    String name = cmd.getCommandSpec().qualifiedName();
    int code;
    if (ShutdownActions.shuttingDown()) {
      cmd.getErr().println(name + ": interrupted");
      code = INTERRUPTED;
    } else if (userError(e)) {
      cmd.getErr().println(name + ": " + describe(e));
      code = 2;
    } else if (e instanceof KafkaAccess.Refused || e instanceof ReplayException) {
      cmd.getErr().println(name + ": " + e.getMessage());
      code = 1;
    } else {
      e.printStackTrace(cmd.getErr());
      return 1;
    }
    if (verbose) {
      e.printStackTrace(cmd.getErr());
    }
    return code;
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof UncheckedIOException
            || e instanceof ExecutionException
            || e instanceof CompletionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static boolean userError(Throwable e) {
    return e instanceof IllegalArgumentException
        || e instanceof FileNotFoundException
        || e instanceof FileSystemException
        || e instanceof DatasetFormatException;
  }

  /** The message, with what a bare file-system exception leaves out (it carries only the path). */
  private static String describe(Throwable e) {
    if (e instanceof NoSuchFileException f) {
      return "no such file: " + f.getFile();
    }
    if (e instanceof AccessDeniedException f) {
      return "permission denied: " + f.getFile();
    }
    if (e instanceof FileSystemException f) {
      return f.getFile()
          + ": "
          + (f.getReason() != null ? f.getReason() : e.getClass().getSimpleName());
    }
    return e.getMessage();
  }

  /** The product's version (from the build) and, when run from a git checkout, its commit. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = "unknown";
      try (InputStream in = IgmCli.class.getResourceAsStream("/igm-version.properties")) {
        if (in != null) {
          Properties p = new Properties();
          p.load(in);
          version = p.getProperty("version", version);
        }
      } catch (IOException e) {
        // keep "unknown"
      }
      String commit = gitCommit();
      return new String[] {
        "igm " + version + (commit == null ? "" : " (git " + commit + ")"),
        "Flink "
            + org.apache.flink.runtime.util.EnvironmentInformation.getVersion()
            + ", Kafka clients "
            + org.apache.kafka.common.utils.AppInfoParser.getVersion()
            + ", Java "
            + System.getProperty("java.version")
      };
    }

    /**
     * The checked-out commit of the project root ({@code bin/igm} runs from one), without running
     * git.
     */
    private static String gitCommit() {
      String root = System.getProperty("igm.project.root");
      if (root == null) {
        return null;
      }
      try {
        Path git = Path.of(root, ".git");
        if (!Files.isDirectory(git)) {
          return null;
        }
        String head = Files.readString(git.resolve("HEAD")).trim();
        if (head.startsWith("ref: ")) {
          Path ref = git.resolve(head.substring(5));
          if (Files.exists(ref)) {
            head = Files.readString(ref).trim();
          } else {
            head = packedRef(git, head.substring(5));
          }
        }
        return head == null || head.length() < 7 ? null : head.substring(0, 7);
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }

    private static String packedRef(Path git, String ref) throws IOException {
      Path packed = git.resolve("packed-refs");
      if (!Files.exists(packed)) {
        return null;
      }
      for (String line : Files.readAllLines(packed)) {
        if (line.endsWith(" " + ref)) {
          return line.substring(0, line.indexOf(' '));
        }
      }
      return null;
    }
  }
}
