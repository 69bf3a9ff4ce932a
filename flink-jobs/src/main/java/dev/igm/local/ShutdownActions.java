package dev.igm.local;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What must happen when the JVM ends before a command finishes (Ctrl-C, SIGTERM): cancel the
 * running job, stop the local broker, delete the run's temporary files. One JVM shutdown hook runs
 * every registered action, newest first, as try-with-resources would have on a normal exit: the job
 * started last is cancelled before the broker it reads from stops and before the folders it writes
 * into are deleted. (Separate JVM hooks run in no defined order.)
 *
 * <p>A command registers an action when it acquires the resource and closes the registration when
 * it releases the resource normally; only what is still registered runs at shutdown. Release first,
 * close the registration last: the JVM halts as soon as the hook is done, so a command thread that
 * withdrew its action and was then cut off halfway through its own release would leave it undone.
 */
public final class ShutdownActions {
  private static final Logger LOG = LoggerFactory.getLogger(ShutdownActions.class);
  private static final List<Registration> ACTIONS = new ArrayList<>();
  private static boolean hookInstalled;
  private static volatile boolean shuttingDown;

  private ShutdownActions() {}

  /** A registered action; {@link #close()} removes it without running it. */
  public static final class Registration implements AutoCloseable {
    private final String name;
    private final Runnable action;

    private Registration(String name, Runnable action) {
      this.name = name;
      this.action = action;
    }

    @Override
    public void close() {
      synchronized (ACTIONS) {
        ACTIONS.remove(this);
      }
    }
  }

  /** Registers {@code action}, run at JVM shutdown unless the registration is closed first. */
  public static Registration register(String name, Runnable action) {
    Registration r = new Registration(name, action);
    synchronized (ACTIONS) {
      if (!hookInstalled) {
        Runtime.getRuntime().addShutdownHook(new Thread(ShutdownActions::runAll, "igm-shutdown"));
        hookInstalled = true;
      }
      ACTIONS.add(r);
    }
    return r;
  }

  /** Whether the JVM is shutting down (a command interrupted by a signal, not one that failed). */
  public static boolean shuttingDown() {
    return shuttingDown;
  }

  private static void runAll() {
    shuttingDown = true;
    synchronized (ACTIONS) {
      if (!ACTIONS.isEmpty()) {
        System.err.println(
            "igm: stopping ("
                + ACTIONS.size()
                + " thing"
                + (ACTIONS.size() == 1 ? "" : "s")
                + " to stop or clean up) ...");
      }
    }
    while (true) {
      Registration next;
      synchronized (ACTIONS) {
        if (ACTIONS.isEmpty()) {
          return;
        }
        next = ACTIONS.remove(ACTIONS.size() - 1);
      }
      try {
        LOG.debug("Shutdown: {}", next.name);
        next.action.run();
      } catch (Throwable t) {
        LOG.warn("Shutdown action '{}' failed", next.name, t);
      }
    }
  }
}
