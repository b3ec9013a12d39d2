package ssecluster.status;

/**
 * This node's view of PostgreSQL: written by the PostgreSQL ingest verticles, read through {@link NodeSnapshot}.
 * The database being away is reported, never a reason to fail the node.
 */
public final class PostgresStatus {

  public enum State { DISABLED, CONNECTING, CONNECTED, DISCONNECTED }

  private final String url;
  private volatile State state;
  private volatile boolean listener;
  private volatile boolean outboxDrainer;
  private volatile String lastError;

  public PostgresStatus(String url, boolean enabled) {
    this.url = maskPassword(url);
    this.state = enabled ? State.CONNECTING : State.DISABLED;
  }

  public void connected() {
    state = State.CONNECTED;
  }

  public void disconnected(String error) {
    state = State.DISCONNECTED;
    lastError = error;
  }

  public State state() {
    return state;
  }

  /** True while this node is the one that LISTENs on the channel for the cluster. */
  public boolean listener() {
    return listener;
  }

  public void listener(boolean listening) {
    listener = listening;
  }

  /** True while this node is the one that drains the outbox table for the cluster. */
  public boolean outboxDrainer() {
    return outboxDrainer;
  }

  public void outboxDrainer(boolean draining) {
    outboxDrainer = draining;
  }

  /** The PostgreSQL URL, its password masked. */
  public String url() {
    return url;
  }

  /** Why the last connection failed or ended; null when none did. */
  public String lastError() {
    return lastError;
  }

  /** {@code postgresql://user:secret@host/db} → {@code postgresql://user:***@host/db}; the user stays readable. */
  public static String maskPassword(String url) {
    return url.replaceAll("//([^:@/]*):[^@/]*@", "//$1:***@").replaceAll("(?i)([?&]password=)[^&]*", "$1***");
  }
}
