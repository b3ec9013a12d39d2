package ssecluster;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Keeps a warning that can repeat many times a second (a flood of bad input, an overload) from flooding the
 * log: the first one goes out, then at most one per interval, saying how many were left out meanwhile.
 * Thread-safe.
 */
public final class LogThrottle {

  private final long intervalMillis;
  private final AtomicLong nextAllowedMillis = new AtomicLong();
  private final AtomicLong suppressed = new AtomicLong();

  public LogThrottle(long intervalMillis) {
    this.intervalMillis = intervalMillis;
  }

  /**
   * Logs {@code message} through {@code log} if the interval has passed since the last one, with the count of
   * those left out since; otherwise only counts it.
   */
  public void log(Consumer<String> log, String message) {
    long now = System.currentTimeMillis();
    long allowed = nextAllowedMillis.get();
    if (now < allowed || !nextAllowedMillis.compareAndSet(allowed, now + intervalMillis)) {
      suppressed.incrementAndGet();
      return;
    }
    long left = suppressed.getAndSet(0);
    log.accept(left == 0 ? message : message + " (and " + left + " more like it since the last report)");
  }
}
