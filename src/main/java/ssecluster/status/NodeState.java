package ssecluster.status;

import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.List;

/** What this node is and where it stands: identity, lifecycle phase and cluster view, for /health. */
public final class NodeState {

  public enum Phase { STARTING, UP, STOPPING }

  private final ClusterManager clusterManager;
  private final String nodeName;
  private final long startedAtMillis = System.currentTimeMillis();
  private volatile Phase phase = Phase.STARTING;
  private volatile boolean clusterSafe;
  private volatile RedisStatus redis = new RedisStatus("", false);

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
   * joined or left): a member that dies then can take data with it. The last value measured by
   * {@link #measureClusterSafe}.
   */
  public boolean clusterSafe() {
    return clusterSafe;
  }

  /** Asks every member (remote calls, blocking): run it on a worker, never on an event loop. */
  public void measureClusterSafe() {
    clusterSafe = !(clusterManager instanceof HazelcastClusterManager hazelcast)
        || hazelcast.getHazelcastInstance().getPartitionService().isClusterSafe();
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

  public void phase(Phase phase) {
    this.phase = phase;
  }

  public RedisStatus redis() {
    return redis;
  }

  public void redis(RedisStatus redis) {
    this.redis = redis;
  }
}
