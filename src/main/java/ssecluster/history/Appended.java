package ssecluster.history;

/**
 * The place history gave an appended message: its sequence and the sequence of the message before it in the
 * same namespace (0 for the first). {@code repeated} is true when the namespace already held a message with
 * the same source id, whose place this is; nothing new was added then.
 */
public record Appended(long seq, long previous, boolean repeated) {
}
