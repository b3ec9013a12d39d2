package ssecluster.status;

/**
 * This node's view of Redis: written by the ingest verticles, read through {@link NodeSnapshot}.
 * Redis being away is reported, never a reason to fail the node: SSE and the other publish paths go on.
 */
public final class RedisStatus {

  public enum State { DISABLED, CONNECTING, CONNECTED, DISCONNECTED }

  private final String url;
  private volatile State state;
  private volatile boolean pubsubLeader;
  private volatile boolean streamReader;
  private volatile String lastError;

  public RedisStatus(String url, boolean enabled) {
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

  public void pubsubLeader(boolean leader) {
    pubsubLeader = leader;
  }

  public void streamReader(boolean reader) {
    streamReader = reader;
  }

  /** True while this node is the one that reads the ingest stream for the cluster. */
  public boolean streamReader() {
    return streamReader;
  }

  public State state() {
    return state;
  }

  public boolean pubsubLeader() {
    return pubsubLeader;
  }

  /** The Redis URL, its password masked. */
  public String url() {
    return url;
  }

  /** Why the last connection failed or ended; null when none did. */
  public String lastError() {
    return lastError;
  }

  public static String maskPassword(String url) {
    return url.replaceAll("//([^@/]*)@", "//***@");
  }
}
