package ssecluster.history;

/**
 * One message as history holds it: its sequence in its namespace, its optional event name and its data.
 * The sequence is also the message's cluster-wide id within its namespace (see {@link HistoryStore}).
 */
public record StoredMessage(long seq, String event, String data) {
}
