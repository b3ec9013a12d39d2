package ssecluster.ingest;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Reconnect delays: short at first so a restart of Redis or PostgreSQL costs little, doubling up to a cap so
 * a source that stays away is not hammered, with jitter so the nodes of a cluster do not reconnect in lockstep.
 */
public final class Backoff {

  public static final long FIRST_MILLIS = 200;
  public static final long MAX_MILLIS = 3000;

  private long next = FIRST_MILLIS;

  public long nextDelayMillis() {
    long delay = next;
    next = Math.min(MAX_MILLIS, next * 2);
    return delay + ThreadLocalRandom.current().nextLong(delay / 5 + 1);
  }

  public void reset() {
    next = FIRST_MILLIS;
  }
}
