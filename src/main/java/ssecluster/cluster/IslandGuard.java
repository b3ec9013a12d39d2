package ssecluster.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spi.properties.ClusterProperty;
import com.hazelcast.spi.properties.HazelcastProperties;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import ssecluster.bus.BusAddresses;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps a node that lost its cluster from serving as a silent island.
 *
 * <p>A node cut off from the others (a network split) or paused past Hazelcast's failure detector (a long GC
 * pause, a stopped process, a stalled VM) is removed by the others; it then removes them in turn and goes on as a
 * cluster of its own, whose clients hear nothing published elsewhere, with no error, until Hazelcast merges the
 * two again. The guard tells the node to step down ({@link Decisions}) while either holds:
 * <ul>
 *   <li><b>it lost the majority</b>: the data members it sees are fewer than half of those its cluster had
 *   recently ({@link Majority}). Exactly half keeps serving: a cluster of two that lost one to a crash must go
 *   on, and cannot tell a crash from a split (so odd cluster sizes are safer);</li>
 *   <li><b>it was paused</b>: a watchdog thread found that it slept far longer than it asked to (past the freeze
 *   threshold), so its view of the cluster is stale whatever it says. It steps down at once, and serves again
 *   only once every member it sees has answered that the cluster is safe, which a member that removed this node
 *   refuses to answer. A merge after a split is confirmed the same way, after the node's registrations were
 *   made again ({@link Decisions#merged()}).</li>
 * </ul>
 * Hazelcast's own split-brain protection is a fixed minimum size per data structure; this rule follows the size
 * the cluster had, and decides serving as a whole.
 */
public final class IslandGuard extends VerticleBase {

  /** What the node does with the guard's decisions. Called on the guard's context. */
  public interface Decisions {
    /** The node must not serve, for this reason; called again at every check while that lasts. */
    void stepDown(String reason);

    /** The node may serve again. */
    void serveAgain();

    /** The node merged back into the cluster after a split: make its registrations whole again. */
    Future<Void> merged();
  }

  private static final Logger log = Logger.getLogger(IslandGuard.class.getName());

  private static final long CHECK_EVERY_MILLIS = 1000;
  private static final long WATCHDOG_TICK_MILLIS = 250;
  private static final String MERGED = "it merged back into its cluster after a split; it serves again once every"
      + " member confirms it";

  private final HazelcastClusterManager clusterManager;
  private final long freezeThresholdMillis;
  private final Decisions decisions;

  // Confined to the guard's context.
  private HazelcastInstance hazelcast;
  private Majority majority;
  private boolean serving = true;
  private boolean merging;
  /** Why the node waits for the cluster to confirm it (after a pause or a merge), or null. */
  private String unconfirmed;
  /** Bumped at each pause or merge: a confirmation asked before the latest one does not count. */
  private int unconfirmedSince;
  private boolean confirming;
  private long checkTimer = -1;
  private UUID membershipListener;
  private UUID lifecycleListener;

  private Thread watchdog;
  private volatile boolean stopped;

  /** {@code freezeThresholdMillis} 0 turns the pause watchdog off. */
  public IslandGuard(HazelcastClusterManager clusterManager, long freezeThresholdMillis, Decisions decisions) {
    this.clusterManager = clusterManager;
    this.freezeThresholdMillis = freezeThresholdMillis;
    this.decisions = decisions;
  }

  @Override
  public Future<?> start() {
    hazelcast = clusterManager.getHazelcastInstance();
    HazelcastProperties properties = new HazelcastProperties(hazelcast.getConfig());
    long failureDetectorMillis = properties.getMillis(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS);
    // Hazelcast removes the members of the other side one by one, within about one failure-detector timeout;
    // a cluster that shrank stays "had" for twice that, so an island forming in steps never passes for a majority.
    majority = new Majority(2 * failureDetectorMillis);
    if (freezeThresholdMillis >= failureDetectorMillis) {
      log.warning("The freeze threshold (" + freezeThresholdMillis + " ms) is not below Hazelcast's failure detector"
          + " (hazelcast.max.no.heartbeat.seconds, " + failureDetectorMillis + " ms): a pause that gets this node"
          + " removed may go unnoticed until its member list shows it");
    }
    membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        String address = addressOf(event.getMember());
        context.runOnContext(v -> {
          majority.joined(address);
          check();
        });
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        context.runOnContext(v -> check());
      }
    });
    lifecycleListener = hazelcast.getLifecycleService().addLifecycleListener(event -> {
      switch (event.getState()) {
        case MERGING -> context.runOnContext(v -> mergeStarted());
        case MERGED -> context.runOnContext(v -> mergeEnded());
        case MERGE_FAILED -> context.runOnContext(v -> mergeFailed());
        default -> {
          // starting and shutting down are the node's own doing
        }
      }
    });
    if (freezeThresholdMillis > 0) {
      watchdog = new Thread(this::watchForPauses, "sse-freeze-watchdog");
      watchdog.setDaemon(true);
      watchdog.start();
    }
    checkTimer = vertx.setPeriodic(CHECK_EVERY_MILLIS, id -> check());
    check();
    // Members that leave on purpose say so first (ExpectedDepartures.announce): they stop counting as "had".
    return vertx.eventBus().<Object>consumer(BusAddresses.LEAVING, message -> {
      if (message.body() instanceof JsonObject notice) {
        majority.leaving(notice.getString(ExpectedDepartures.NOTICE_ADDRESS, ""), System.currentTimeMillis());
        check();
      }
    }).completion();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(checkTimer);
    if (watchdog != null) {
      watchdog.interrupt();
    }
    try {
      hazelcast.getCluster().removeMembershipListener(membershipListener);
      hazelcast.getLifecycleService().removeLifecycleListener(lifecycleListener);
    } catch (RuntimeException notActive) {
      // Hazelcast is gone already, and its listeners with it.
    }
    return Future.succeededFuture();
  }

  /** Decides, and tells the node when the answer changed (and at every check while it must not serve). */
  private void check() {
    if (stopped) {
      return;
    }
    Set<String> members;
    try {
      members = dataMembers();
    } catch (RuntimeException notActive) {
      return;   // Hazelcast is shutting down: the node is stopping
    }
    String reason = refusal(members);
    if (reason != null) {
      if (serving) {
        serving = false;
        log.warning("This node stops serving: " + reason + ". Its streams end so that their clients reconnect to"
            + " another node; publishes and new streams here get 503 until the cluster is whole again");
      }
      decisions.stepDown(reason);
    } else if (!serving) {
      serving = true;
      log.info("This node serves again: it sees " + members.size() + " data members, a majority of its cluster,"
          + " and every member confirmed it");
      decisions.serveAgain();
    }
    if (unconfirmed != null && !merging && !confirming) {
      confirm();
    }
  }

  private String refusal(Set<String> members) {
    if (merging) {
      return "it is merging back into its cluster after a split";
    }
    String minority = majority.check(members, System.currentTimeMillis());
    return minority != null ? minority : unconfirmed;
  }

  private Set<String> dataMembers() {
    Set<String> addresses = new HashSet<>();
    for (Member member : hazelcast.getCluster().getMembers()) {
      if (!member.isLiteMember()) {
        addresses.add(addressOf(member));
      }
    }
    return addresses;
  }

  /**
   * Asks every member whether the cluster is safe (all partitions and backups in place). A member that removed
   * this node refuses to run its question, so yes means they all hold it as a member, now. One question at a
   * time, on a worker (a frozen member holds the answer until the failure detector removes it); after a no, the
   * next check asks again.
   */
  private void confirm() {
    confirming = true;
    int asked = unconfirmedSince;
    vertx.executeBlocking(() -> hazelcast.getPartitionService().isClusterSafe(), false)
        .otherwise(false)
        .onComplete(answer -> {
          confirming = false;
          if (answer.result() && asked == unconfirmedSince) {
            unconfirmed = null;
            check();
          }
        });
  }

  private void mergeStarted() {
    merging = true;
    needConfirmation(MERGED);
    check();
  }

  private void mergeEnded() {
    log.info("This node merged back into its cluster; registering its event-bus consumers again");
    decisions.merged().onComplete(renewed -> {
      if (renewed.failed()) {
        log.log(Level.WARNING, "Could not register event-bus consumers again after the merge: " + renewed.cause(),
            renewed.cause());
      }
      merging = false;
      // A confirmation started during the merge would not count; the next one is asked after it.
      needConfirmation(MERGED);
      check();
    });
  }

  /** Hazelcast could not merge (it tries again later): the member list says where the node stands. */
  private void mergeFailed() {
    log.warning("Merging back into the cluster failed; Hazelcast tries again after hazelcast.merge.next.run.delay.seconds");
    merging = false;
    needConfirmation(MERGED);
    check();
  }

  private void paused(long pausedMillis) {
    needConfirmation(String.format("it was paused for %.1f s (more than the %.1f s freeze threshold), so its view of"
        + " the cluster may be stale; it serves again once every member confirms it", pausedMillis / 1000.0,
        freezeThresholdMillis / 1000.0));
    check();
  }

  private void needConfirmation(String reason) {
    unconfirmed = reason;
    unconfirmedSince++;
  }

  /**
   * Sleeps a tick at a time and measures how long it really slept. A process that was stopped, frozen by a long
   * GC pause or a stalled VM finds it slept far longer. The monotonic clock: a wall-clock step is no pause.
   */
  private void watchForPauses() {
    long tickNanos = TimeUnit.MILLISECONDS.toNanos(WATCHDOG_TICK_MILLIS);
    long last = System.nanoTime();
    while (!stopped) {
      LockSupport.parkNanos(tickNanos);
      long now = System.nanoTime();
      long overslept = TimeUnit.NANOSECONDS.toMillis(now - last - tickNanos);
      last = now;
      if (overslept > freezeThresholdMillis && !stopped) {
        long pausedMillis = overslept + WATCHDOG_TICK_MILLIS;
        // Logged here, at once: the event loops may be busy catching up after the pause.
        log.warning("This node was paused for " + pausedMillis + " ms (GC pause, stopped process or stalled VM?)");
        context.runOnContext(v -> paused(pausedMillis));
      }
    }
  }

  static String addressOf(Member member) {
    return member.getAddress().toString();
  }

  /**
   * The majority rule: which data members (by Hazelcast address) the cluster had recently, and whether the
   * members seen now are at least half of them. Members that announced their leaving stop counting when they go.
   * A cluster that shrank while this node kept a majority (a member died) keeps the larger size for
   * {@code forgetAfterMillis}, then the smaller one becomes the size it had; a node that lost the majority keeps
   * the size it had, as long as that lasts.
   */
  static final class Majority {

    /** How long after its leaving notice a member's departure counts as on purpose. */
    private static final long LEAVING_GRACE_MILLIS = 30_000;

    private final long forgetAfterMillis;
    private final Set<String> had = new HashSet<>();
    private final Map<String, Long> leavingUntilMillis = new HashMap<>();
    /** When the members seen became fewer than those had while still a majority; -1 when not. */
    private long shrunkSinceMillis = -1;

    Majority(long forgetAfterMillis) {
      this.forgetAfterMillis = forgetAfterMillis;
    }

    /** Null while {@code members} are at least half of the members the cluster had, else why not. */
    String check(Set<String> members, long nowMillis) {
      leavingUntilMillis.values().removeIf(until -> until < nowMillis);
      had.removeIf(address -> !members.contains(address) && leavingUntilMillis.containsKey(address));
      had.addAll(members);
      if (2 * members.size() < had.size()) {
        shrunkSinceMillis = -1;
        return "it sees " + members.size() + " of the " + had.size() + " data members its cluster had, not a"
            + " majority: it is cut off from the others (a network split, or it was paused past the failure detector)";
      }
      if (members.size() == had.size()) {
        shrunkSinceMillis = -1;
      } else if (shrunkSinceMillis < 0) {
        shrunkSinceMillis = nowMillis;
      } else if (nowMillis - shrunkSinceMillis >= forgetAfterMillis) {
        had.retainAll(members);
        shrunkSinceMillis = -1;
      }
      return null;
    }

    /** A member said it is about to leave the cluster on purpose. */
    void leaving(String address, long nowMillis) {
      if (!address.isEmpty()) {
        leavingUntilMillis.put(address, nowMillis + LEAVING_GRACE_MILLIS);
      }
    }

    /** A member joined at this address: a new node whose going must count again. */
    void joined(String address) {
      leavingUntilMillis.remove(address);
    }
  }
}
