package ssecluster.bus;

import io.vertx.core.Promise;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The addresses this node has found that no node watches, so that publishing can skip them. Every message
 * goes to its namespace and to each ancestor up to the root, and usually most of those have no subscriber.
 * The clustered event bus caches only addresses that some node holds: each publish to an empty one is a
 * Hazelcast lookup on a worker thread, often a remote call. Here an empty answer is kept for
 * {@link #RECHECK_NANOS}, and the lookup runs beside the publish, never in front of it.
 *
 * <p>A kept answer must not outlive the moment a node starts watching the address. Every node that starts
 * watching one first announces it to all hub nodes (the route confirmation in {@code fanout}), which call
 * {@link #watchStarted}; its streams open only after that. A lookup that was already under way then cannot
 * store its answer, because it no longer matches the entry it started from. The recheck interval only
 * bounds what a missed announcement could cost. A node without a hub (the benchmark's light member) uses
 * {@link #NONE} and publishes everywhere, as before.
 */
public final class UnwatchedAddresses {

  /** Publishes everywhere; for members that never hear the announcements. */
  public static final UnwatchedAddresses NONE = new UnwatchedAddresses(null, new LongAdder());

  /** How long an empty answer is trusted before it is asked again. */
  static final long RECHECK_NANOS = 1_000_000_000L;
  /** Beyond this many addresses, new ones are not remembered (their publishes simply go out). */
  static final int MAX_ADDRESSES = 10_000;

  private final ClusterManager clusterManager;
  private final ConcurrentHashMap<String, Answer> answers = new ConcurrentHashMap<>();
  private final LongAdder skipped;

  private enum State { LOOKING_UP, WATCHED, UNWATCHED }

  /**
   * What is known of one address. Compared by identity: a lookup stores its result only over the very
   * entry it put there when it started.
   */
  private static final class Answer {
    final State state;
    final long askedAtNanos;

    Answer(State state, long askedAtNanos) {
      this.state = state;
      this.askedAtNanos = askedAtNanos;
    }
  }

  /** {@code skipped} counts the publishes left out. */
  public UnwatchedAddresses(ClusterManager clusterManager, LongAdder skipped) {
    this.clusterManager = clusterManager;
    this.skipped = skipped;
  }

  /**
   * True when a publish to {@code address} can be left out: nobody watched it at the last lookup, and
   * nobody has announced watching it since. Safe to call from any thread.
   */
  public boolean skip(String address) {
    if (clusterManager == null) {
      return false;
    }
    long now = System.nanoTime();
    Answer answer = answers.get(address);
    if (answer == null || (answer.state != State.LOOKING_UP && now - answer.askedAtNanos > RECHECK_NANOS)) {
      lookUp(address, answer, now);
      return false;
    }
    if (answer.state == State.UNWATCHED) {
      skipped.increment();
      return true;
    }
    return false;
  }

  /** A node starts watching {@code address}: forget that it was empty, and any lookup under way. */
  public void watchStarted(String address) {
    answers.remove(address);
  }

  /** Forget everything, for when registrations may have been lost and are being made again. */
  public void forgetAll() {
    answers.clear();
  }

  private void lookUp(String address, Answer previous, long now) {
    Answer lookingUp = new Answer(State.LOOKING_UP, now);
    boolean mine = previous == null
        ? answers.size() < MAX_ADDRESSES && answers.putIfAbsent(address, lookingUp) == null
        : answers.replace(address, previous, lookingUp);
    if (!mine) {
      return;
    }
    Promise<List<RegistrationInfo>> registrations = Promise.promise();
    clusterManager.getRegistrations(address, registrations);
    registrations.future().onComplete(result -> {
      if (result.succeeded()) {
        State found = result.result().isEmpty() ? State.UNWATCHED : State.WATCHED;
        answers.replace(address, lookingUp, new Answer(found, now));
      } else {
        answers.remove(address, lookingUp);
      }
    });
  }
}
