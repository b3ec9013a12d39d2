package ssecluster.status;

import io.vertx.core.spi.cluster.ClusterManager;

import java.util.List;

/** What this node is and where it stands: identity, lifecycle phase and cluster view, for /health. */
public final class NodeState {

  public enum Phase { STARTING, UP, STOPPING }

  private final ClusterManager clusterManager;
  private final String nodeName;
  private final long startedAtMillis = System.currentTimeMillis();
  private volatile Phase phase = Phase.STARTING;
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
