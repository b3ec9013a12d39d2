package ssecluster.bus;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Cluster-unique message ids without coordination: {@code <epoch millis>-<node tag>-<sequence>}. The node
 * tag comes from the Hazelcast member id, so two nodes never mint the same id; the millisecond prefix
 * keeps ids roughly time-ordered for people reading logs and streams.
 */
public final class MessageIds {

  private final String nodeTag;
  private final AtomicLong sequence = new AtomicLong();

  public MessageIds(String nodeId) {
    String compact = nodeId.replace("-", "");
    this.nodeTag = compact.length() > 8 ? compact.substring(0, 8) : compact;
  }

  public String next() {
    return System.currentTimeMillis() + "-" + nodeTag + "-" + sequence.incrementAndGet();
  }
}
