package ssecluster.history;

/** What this node holds of the cluster's history (its own partitions, backups not counted). */
public record HistoryStats(long namespaces, long messages, long bytes) {

  public static final HistoryStats NONE = new HistoryStats(0, 0, 0);
}
