package dev.igm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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
      BenchTrainCommand.class,
      DemoCommand.class,
      FitCommand.class,
      ReplayCommand.class,
      ReportCommand.class,
      ServeCommand.class,
      TrainCommand.class,
    })
public final class IgmCli implements Callable<Integer> {
  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  public static void main(String[] args) {
    int code = run(args);
    if (calledByFlink()) {
      // flink run, POST /jars/:id/run and application mode call main() inside a Flink JVM (the client's or the
      // JobManager's): exiting would take that JVM down; a failure is reported by throwing instead.
      if (code != 0) {
        throw new IllegalStateException("igm " + String.join(" ", args) + " failed with exit code " + code);
      }
      return;
    }
    System.exit(code); // a command line run: Kafka and Flink client threads must not keep the JVM alive
  }

  /** Whether Flink's program runner ({@code PackagedProgram}) called {@link #main}. */
  static boolean calledByFlink() {
    return StackWalker.getInstance().walk(frames ->
        frames.anyMatch(f -> f.getClassName().startsWith("org.apache.flink.client.program.PackagedProgram")));
  }

  /** Runs the command line without exiting (tests call this). */
  public static int run(String... args) {
    return new CommandLine(new IgmCli())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(IgmCli::reportError)
        .execute(args);
  }

  /**
   * Bad input (an unknown method, a malformed table, a missing view) is the user's to fix: one line naming the
   * problem and exit code 2. Anything else is a failure of the product: the stack trace and exit code 1.
   */
  private static int reportError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    if (e instanceof dev.igm.kafka.KafkaAccess.Refused) {
      // Kafka refused or did not answer (credentials, certificate, listener): the user's to fix, said in one line
      cmd.getErr().println("igm " + cmd.getCommandName() + ": " + e.getMessage());
      return 1;
    }
    if (e instanceof IllegalArgumentException || e instanceof java.io.FileNotFoundException
        || e instanceof java.nio.file.NoSuchFileException) {
      cmd.getErr().println("igm " + cmd.getCommandName() + ": " + e.getMessage());
      return 2;
    }
    e.printStackTrace(cmd.getErr());
    return 1;
  }

  /** Version from the jar manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = IgmCli.class.getPackage().getImplementationVersion();
      return new String[] {"igm " + (v == null ? "dev" : v)};
    }
  }
}
