package ssecluster.ingest.redis;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Reconnect delays: short at first so a Redis restart costs little, doubling up to a cap so a Redis that
 * stays away is not hammered, with jitter so the nodes of a cluster do not reconnect in lockstep.
 */
final class Backoff {

  static final long FIRST_MILLIS = 200;
  static final long MAX_MILLIS = 3000;

  private long next = FIRST_MILLIS;

  long nextDelayMillis() {
    long delay = next;
    next = Math.min(MAX_MILLIS, next * 2);
    return delay + ThreadLocalRandom.current().nextLong(delay / 5 + 1);
  }

  void reset() {
    next = FIRST_MILLIS;
  }
}
