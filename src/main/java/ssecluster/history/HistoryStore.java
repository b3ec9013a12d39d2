package ssecluster.history;

import io.vertx.core.Future;
import ssecluster.namespace.Namespace;

import java.util.List;

/**
 * The message history of the cluster, per namespace, bounded in count and age. It is also the sequencer:
 * appending gives each message its sequence in its namespace, a number that rises with every message (it is
 * a time in microseconds, made unique), so that every node delivers a namespace's messages in one order and
 * a position means the same on every node. The fan-out and the wire never see which store is in use: this is
 * the seam where another one (Redis, PostgreSQL) can be added.
 *
 * <p>Futures complete on the caller's Vert.x context.
 */
public interface HistoryStore {

  /** False for the store that keeps nothing ({@code --history-size 0}): no sequence, no resume. */
  boolean keeps();

  /**
   * Appends messages of one namespace, in the order given, and answers their places in the same order. A
   * message whose source id the namespace already holds gets that message's place again, and is not added.
   */
  Future<List<Appended>> append(Namespace namespace, List<NewMessage> messages);

  /**
   * What history holds after each namespace's position in {@code from}, for every namespace in the given
   * subtrees (a subtree is a namespace and all its descendants) that history knows. Slices come in no
   * particular order.
   */
  Future<List<NamespaceSlice>> read(List<Namespace> subtrees, ReadFrom from);

  /** What history holds of one namespace after {@code afterSeq}; for closing a gap in live delivery. */
  Future<NamespaceSlice> readNamespace(Namespace namespace, long afterSeq);

  /**
   * When this cluster's history began, in microseconds since the epoch: a position older than that comes from
   * a history this cluster no longer has (it was restarted as a whole) and cannot be placed.
   */
  long startedAtMicros();

  /** What this node holds; cheap (refreshed in the background). */
  HistoryStats stats();

  /** Stops background work. */
  Future<Void> close();
}
