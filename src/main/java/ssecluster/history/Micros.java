package ssecluster.history;

import java.time.Instant;

/** Wall-clock time in microseconds since the epoch, the unit of message sequences and positions. */
public final class Micros {

  private Micros() {
  }

  public static long now() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  public static long ofMillis(long millis) {
    return millis * 1_000L;
  }
}
