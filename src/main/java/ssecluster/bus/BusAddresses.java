package ssecluster.bus;

/**
 * Event-bus names used by the service besides the namespace addresses themselves. Internal addresses
 * contain ':' so that they can never collide with a namespace.
 */
public final class BusAddresses {

  /** Request/reply entry point for publishers that want confirmation (the {@code run.sh publish} CLI). */
  public static final String PUBLISH_REQUEST = "sse:publish";

  /** Header carrying the message id; its presence marks a message already shaped by the {@link Publisher}. */
  public static final String HEADER_ID = "sse-id";
  /** Header carrying the namespace the message was published to (its ancestors receive it too). */
  public static final String HEADER_NAMESPACE = "sse-ns";
  /** Present when the source may deliver the same message (same id) twice; channels then de-duplicate. */
  public static final String HEADER_MAY_REPEAT = "sse-may-repeat";

  private BusAddresses() {
  }
}
