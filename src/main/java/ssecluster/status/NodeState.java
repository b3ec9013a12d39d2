package ssecluster.status;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import ssecluster.history.HistoryStats;
import ssecluster.history.HistoryStore;
import ssecluster.history.NoHistory;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** What this node is and where it stands: identity, lifecycle phase and cluster view, for /health. */
public final class NodeState {

  /**
   * STEPPED_DOWN: up, but cut off from the majority of its cluster or just paused (see cluster.IslandGuard), so
   * it serves no streams and takes no publishes until the cluster is whole again.
   */
  public enum Phase { STARTING, UP, STEPPED_DOWN, STOPPING }

  /** However often /health is asked, Hazelcast is asked at most this often, and never twice at once. */
  private static final long CLUSTER_SAFE_REUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
  /**
   * How long /health waits for Hazelcast's answer before it reports the last one instead: a member that is
   * frozen, not yet removed by the heartbeat timeout, holds the answer for seconds, and a load balancer's
   * check must not time out because of another node.
   */
  private static final long CLUSTER_SAFE_WAIT_MILLIS = 1000;

  private final ClusterManager clusterManager;
  private final String nodeName;
  private final long startedAtMillis = System.currentTimeMillis();
  private volatile Phase phase = Phase.STARTING;
  /** Why the node stepped down; meaningful in STEPPED_DOWN only. */
  private volatile String stepDownReason = "";
  private final AtomicReference<ClusterSafeAnswer> clusterSafe = new AtomicReference<>();
  private volatile boolean lastClusterSafe;
  private volatile RedisStatus redis = new RedisStatus("", false);
  private volatile PostgresStatus postgres = new PostgresStatus("", false);
  private volatile HistoryStore history = NoHistory.INSTANCE;

  public NodeState(ClusterManager clusterManager, String nodeName) {
    this.clusterManager = clusterManager;
    this.nodeName = nodeName;
  }

  public String nodeName() {
    return nodeName;
  }

  /** The cluster-wide id of this node (the Hazelcast member uuid). */
  public String nodeId() {
    return clusterManager.getNodeId();
  }

  /**
   * False while Hazelcast is still copying partitions and their backups between members (just after a node
   * joined or left): a member that dies then can take data with it. The answer takes a remote call to every
   * member on a worker thread, so it is asked only when someone wants it (asking every second was about a third
   * of an idle node's CPU in a cluster of two), and an answer under way or younger than a second is shared.
   * Completes on the caller's context within {@link #CLUSTER_SAFE_WAIT_MILLIS}, with the previous answer
   * (false if there was none) when Hazelcast takes longer.
   */
  public Future<Boolean> clusterSafe(Vertx vertx) {
    Future<Boolean> asked = askedClusterSafe(vertx);
    if (asked.isComplete()) {
      return asked;
    }
    // The shared answer has no context of its own: hand this caller's result back to its context.
    Context context = vertx.getOrCreateContext();
    Promise<Boolean> answer = Promise.promise();
    asked.timeout(CLUSTER_SAFE_WAIT_MILLIS, TimeUnit.MILLISECONDS)
        .otherwise(tooSlow -> lastClusterSafe)
        .onComplete(safe -> context.runOnContext(v -> answer.complete(safe.result())));
    return answer.future();
  }

  private Future<Boolean> askedClusterSafe(Vertx vertx) {
    ClusterSafeAnswer current = clusterSafe.get();
    long now = System.nanoTime();
    if (current != null && (!current.answer().isComplete() || now - current.askedAtNanos < CLUSTER_SAFE_REUSE_NANOS)) {
      return current.answer();
    }
    ClusterSafeAnswer asking = new ClusterSafeAnswer(now);
    if (!clusterSafe.compareAndSet(current, asking)) {
      return clusterSafe.get().answer();
    }
    vertx.<Boolean>executeBlocking(this::askClusterSafe, false)
        .otherwise(false)
        .onSuccess(safe -> lastClusterSafe = safe)
        .onComplete(asking.promise);
    return asking.answer();
  }

  private boolean askClusterSafe() {
    return !(clusterManager instanceof HazelcastClusterManager hazelcast)
        || hazelcast.getHazelcastInstance().getPartitionService().isClusterSafe();
  }

  private static final class ClusterSafeAnswer {
    final long askedAtNanos;
    final Promise<Boolean> promise = Promise.promise();

    ClusterSafeAnswer(long askedAtNanos) {
      this.askedAtNanos = askedAtNanos;
    }

    Future<Boolean> answer() {
      return promise.future();
    }
  }

  public List<String> clusterMembers() {
    return clusterManager.getNodes();
  }

  public long startedAtMillis() {
    return startedAtMillis;
  }

  public Phase phase() {
    return phase;
  }

  public synchronized void phase(Phase phase) {
    this.phase = phase;
  }

  /** What this node holds of the cluster's history (refreshed in the background by the store). */
  public HistoryStats history() {
    return history.stats();
  }

  public boolean historyKept() {
    return history.keeps();
  }

  public void history(HistoryStore history) {
    this.history = history;
  }

  /**
   * UP becomes STEPPED_DOWN, and a node stepped down already takes the newer reason; other phases stay (a
   * node starting or stopping serves nothing anyway). True when this call made the node step down.
   */
  public synchronized boolean stepDown(String reason) {
    if (phase != Phase.UP && phase != Phase.STEPPED_DOWN) {
      return false;
    }
    stepDownReason = reason;
    boolean steppedDown = phase == Phase.UP;
    phase = Phase.STEPPED_DOWN;
    return steppedDown;
  }

  /** STEPPED_DOWN becomes UP again; true when it did. */
  public synchronized boolean serveAgain() {
    if (phase != Phase.STEPPED_DOWN) {
      return false;
    }
    phase = Phase.UP;
    return true;
  }

  /** Why the node does not serve now, for /health and refused requests; null while it serves (or starts or stops). */
  public String stepDownReason() {
    return phase == Phase.STEPPED_DOWN ? stepDownReason : null;
  }

  public RedisStatus redis() {
    return redis;
  }

  public void redis(RedisStatus redis) {
    this.redis = redis;
  }

  public PostgresStatus postgres() {
    return postgres;
  }

  public void postgres(PostgresStatus postgres) {
    this.postgres = postgres;
  }
}
