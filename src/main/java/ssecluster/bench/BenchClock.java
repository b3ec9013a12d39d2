package ssecluster.bench;

import java.time.Instant;

/**
 * Microseconds since the epoch, read from the monotonic clock anchored once at start-up: publisher and
 * subscribers live in the same bench process, so send and receive times come from one clock and the
 * difference is exact to the microsecond, immune to wall-clock steps.
 */
public final class BenchClock {

  private static final long ANCHOR_NANOS = System.nanoTime();
  private static final long ANCHOR_MICROS;

  static {
    Instant now = Instant.now();
    ANCHOR_MICROS = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  private BenchClock() {
  }

  public static long nowMicros() {
    return ANCHOR_MICROS + (System.nanoTime() - ANCHOR_NANOS) / 1_000;
  }
}
