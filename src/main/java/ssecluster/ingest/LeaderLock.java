package ssecluster.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Lock;

import java.util.function.BooleanSupplier;

/**
 * One node of the cluster at a time does a job (reading Redis PUBSUB or the stream, listening to PostgreSQL,
 * draining its outbox): the one that holds a cluster-wide lock. Every node tries to take it each
 * {@link #TRY_EVERY_MILLIS} ms while it may lead (it reaches the source); Hazelcast frees it when its holder leaves
 * or dies, and a holder that can no longer do the job gives it up ({@link #release}), waiting a little before it
 * tries again so that a node that can do the job gets it first.
 * Confined to the verticle's context.
 */
public final class LeaderLock {

  public static final long TRY_EVERY_MILLIS = 1000;
  /**
   * A try for the lock does not wait: we try again each second anyway, and a waiting try parks a lock
   * operation on the partition owner, which Hazelcast fails with two warnings and stack traces whenever
   * that partition migrates, that is at every member joining or leaving (every {@code run.sh publish}).
   */
  private static final long WAIT_MILLIS = 0;

  private final Vertx vertx;
  private final String name;
  private final BooleanSupplier mayLead;
  private final Runnable onLeading;
  private long timer = -1;
  private boolean trying;
  private boolean stopped;
  private long notBeforeMillis;
  private Lock lock;

  /** {@code onLeading} runs when this node takes the lock; {@code mayLead} says whether it should try now. */
  public LeaderLock(Vertx vertx, String name, BooleanSupplier mayLead, Runnable onLeading) {
    this.vertx = vertx;
    this.name = name;
    this.mayLead = mayLead;
    this.onLeading = onLeading;
  }

  public void start() {
    timer = vertx.setPeriodic(TRY_EVERY_MILLIS, id -> tryToLead());
    tryToLead();
  }

  public boolean held() {
    return lock != null;
  }

  private void tryToLead() {
    if (stopped || trying || lock != null || System.currentTimeMillis() < notBeforeMillis || !mayLead.getAsBoolean()) {
      return;
    }
    trying = true;
    vertx.sharedData().getLockWithTimeout(name, WAIT_MILLIS).onComplete(result -> {
      trying = false;
      if (result.failed()) {
        return;   // another node leads; try again on the next tick
      }
      if (stopped) {
        result.result().release();
        return;
      }
      lock = result.result();
      onLeading.run();
    });
  }

  /** Gives the lock up (after the job stopped), and does not try again for {@code pauseMillis}. */
  public void release(long pauseMillis) {
    notBeforeMillis = System.currentTimeMillis() + pauseMillis;
    Lock held = lock;
    lock = null;
    if (held != null) {
      held.release();
    }
  }

  public void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    release(0);
  }
}
