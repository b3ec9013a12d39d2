package ssecluster.bus;

/**
 * Event-bus names used by the service besides the namespace addresses themselves. Internal addresses
 * contain ':' so that they can never collide with a namespace.
 */
public final class BusAddresses {

  /** Request/reply entry point for publishers that want confirmation (the {@code run.sh publish} CLI). */
  public static final String PUBLISH_REQUEST = "sse:publish";

  /** Where a node that starts watching an address asks the others to confirm they route it there. */
  public static final String ROUTE_CHECK = "sse:route-check";

  /** Where a node says it is about to leave the cluster, so the others expect it to go. */
  public static final String LEAVING = "sse:leaving";

  /** Header of a routing probe (its token): never a message for clients, nor a publish to re-route. */
  public static final String HEADER_PROBE = "sse-probe";
  /** Header naming the node that sent a routing probe. */
  public static final String HEADER_PROBE_NODE = "sse-probe-node";

  /** Header carrying the message id; its presence marks a message already shaped by the {@link Publisher}. */
  public static final String HEADER_ID = "sse-id";
  /** Header carrying the namespace the message was published to (its ancestors receive it too). */
  public static final String HEADER_NAMESPACE = "sse-ns";
  /**
   * The sequence of the message before this one in its namespace, when history gives sequences: a namespace
   * channel delivers a message only after that one, so every node delivers a namespace in one order.
   */
  public static final String HEADER_PREVIOUS = "sse-prev";
  /**
   * Present, with history off, when the source may deliver the same message twice (a Redis stream entry
   * claimed after its reader died); the header id then names it at its source, and channels de-duplicate.
   */
  public static final String HEADER_MAY_REPEAT = "sse-may-repeat";

  private BusAddresses() {
  }
}
