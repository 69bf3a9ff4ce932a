package dev.igm.report;

/** How many dead letters one pipeline stage sent for one reason. */
public record DeadLetterCount(String stage, String reason, long count) {
  /** "stage: reason", as charts label it. */
  public String label() {
    return stage + ": " + reason;
  }
}
