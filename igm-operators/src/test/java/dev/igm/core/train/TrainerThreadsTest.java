package dev.igm.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A trainer's worker threads (covariance updates, prequential scoring beside a step, the T refresh
 * beside the steps) are its own: close ends them.
 */
class TrainerThreadsTest {

  private static Set<Thread> workers() {
    Set<Thread> out = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("igm-") && t.isAlive()) {
        out.add(t);
      }
    }
    return out;
  }

  @Test
  void closeStopsTheThreadsTheTrainerStarted() throws Exception {
    Set<Thread> before = workers();
    IgmTrainer t = new IgmTrainer(Synthetic.config("igm").build());
    for (LabeledSample s : Synthetic.samples(8 * 4, 1)) {
      t.offerScored(s); // covariance updates and beside-the-step scoring
    }
    Set<Thread> mine = workers();
    mine.removeAll(before);
    // and, once a T refresh was started beside the steps, its per-modality worker(s)
    assertThat(mine)
        .extracting(Thread::getName)
        .contains("igm-covariance", "igm-scoring")
        .allMatch(
            n ->
                n.equals("igm-covariance")
                    || n.equals("igm-scoring")
                    || n.startsWith("igm-t-refresh-"));
    t.close();
    for (Thread th : mine) {
      th.join(10_000); // close waited for the executor to terminate; the thread itself exits right
      // after
      assertThat(th.isAlive()).as(th.getName()).isFalse();
    }
  }

  @Test
  void aTrainerWithoutCovariancesStartsNoCovarianceThread() {
    Set<Thread> before = workers();
    try (IgmTrainer t = new IgmTrainer(Synthetic.config("joint").build())) {
      Synthetic.train(t, Synthetic.samples(8 * 3, 2));
      Set<Thread> mine = workers();
      mine.removeAll(before);
      assertThat(mine).isEmpty();
    }
  }
}
