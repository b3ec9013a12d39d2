package ssecluster.fanout;

import io.vertx.core.buffer.Buffer;
import ssecluster.namespace.Namespace;

/**
 * One message as a namespace channel hands it to its event loops: its namespace and sequence, the id the
 * channel gave it (what its streams send) and the SSE frame with that id, encoded once for all of them.
 * {@code seq} is negative for the service's own events ({@code sse-gap}), which carry no id and are not
 * positions.
 */
public record Delivery(Namespace namespace, long seq, String id, Buffer frame) {

  /** The sequence of the service's own events, which are not messages. */
  static final long SERVICE_EVENT = -1;

  boolean isServiceEvent() {
    return seq < 0;
  }
}
