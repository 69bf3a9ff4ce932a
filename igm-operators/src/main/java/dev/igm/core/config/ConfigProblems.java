package dev.igm.core.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The problems of one configuration (a YAML file, {@code --set} overrides, a model's knobs),
 * collected so that they are reported all at once, not one per run: "3 problems in config/x.yaml:
 * unknown setting 'kafka.bootsrap' (did you mean 'kafka.bootstrap'?); ...".
 */
public final class ConfigProblems {
  private final List<String> problems = new ArrayList<>();
  private String note;

  /**
   * A sentence after the list (e.g. what the known keys are), once, whatever the number of
   * problems.
   */
  public void note(String text) {
    this.note = text;
  }

  /** Adds a problem (duplicates are kept once). */
  public void add(String problem) {
    if (!problems.contains(problem)) {
      problems.add(problem);
    }
  }

  /**
   * Runs {@code check}; a problem it throws ({@link IllegalArgumentException}) is added, and false
   * returned.
   */
  public boolean attempt(Runnable check) {
    try {
      check.run();
      return true;
    } catch (Failure f) {
      f.problems().forEach(this::add);
      if (f.note != null) {
        note = f.note;
      }
      return false;
    } catch (IllegalArgumentException e) {
      add(e.getMessage());
      return false;
    }
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }

  public List<String> list() {
    return List.copyOf(problems);
  }

  /** Throws a {@link Failure} listing every problem, if there is any. */
  public void throwIfAny() {
    if (!problems.isEmpty()) {
      throw new Failure(null, problems, note);
    }
  }

  /**
   * One or more configuration problems. The message lists them all: the problem itself when there
   * is one, else "N problems: a; b; c".
   */
  public static final class Failure extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;
    private final String note;

    public Failure(List<String> problems) {
      this(null, problems, null);
    }

    private Failure(String where, List<String> problems, String note) {
      super(
          message(where, problems)
              + (note == null
                  ? ""
                  : ". " + Character.toUpperCase(note.charAt(0)) + note.substring(1)));
      this.problems = List.copyOf(problems);
      this.note = note;
    }

    public List<String> problems() {
      return problems;
    }

    /**
     * The same problems, said to be in {@code where} (a file name): "N problems in where: ..." or
     * "where: p".
     */
    public Failure in(String where) {
      Failure f = new Failure(where, problems, note);
      f.initCause(this);
      return f;
    }

    private static String message(String where, List<String> problems) {
      if (problems.size() == 1) {
        return (where == null ? "" : where + ": ") + problems.get(0);
      }
      return problems.size()
          + " problems"
          + (where == null ? "" : " in " + where)
          + ": "
          + String.join("; ", problems);
    }
  }
}
