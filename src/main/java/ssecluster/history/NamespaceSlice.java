package ssecluster.history;

import ssecluster.namespace.Namespace;

import java.util.List;

/**
 * What history holds of one namespace after a position: the messages (oldest first), and whether any
 * message after that position was dropped (for size or age) before it could be read.
 *
 * @param known       false when history has no record of the namespace at all
 * @param droppedUpTo the newest sequence history dropped from this namespace (0 if none)
 */
public record NamespaceSlice(Namespace namespace, boolean known, long droppedUpTo, List<StoredMessage> messages) {

  public static NamespaceSlice unknown(Namespace namespace) {
    return new NamespaceSlice(namespace, false, 0, List.of());
  }

  /** True when a message after {@code position} is gone: the reader cannot be given everything it missed. */
  public boolean droppedAfter(long position) {
    return droppedUpTo > position;
  }
}
