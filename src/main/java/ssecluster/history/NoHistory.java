package ssecluster.history;

import io.vertx.core.Future;
import ssecluster.namespace.Namespace;

import java.util.List;

/** {@code --history-size 0}: nothing is kept and nothing is sequenced, at no cost. */
public final class NoHistory implements HistoryStore {

  public static final NoHistory INSTANCE = new NoHistory();

  private NoHistory() {
  }

  @Override
  public boolean keeps() {
    return false;
  }

  @Override
  public Future<List<Appended>> append(Namespace namespace, List<NewMessage> messages) {
    return Future.failedFuture(new IllegalStateException("history is off"));
  }

  @Override
  public Future<List<NamespaceSlice>> read(List<Namespace> subtrees, ReadFrom from) {
    return Future.succeededFuture(List.of());
  }

  @Override
  public Future<NamespaceSlice> readNamespace(Namespace namespace, long afterSeq) {
    return Future.succeededFuture(NamespaceSlice.unknown(namespace));
  }

  @Override
  public long startedAtMicros() {
    return Long.MAX_VALUE;
  }

  @Override
  public HistoryStats stats() {
    return HistoryStats.NONE;
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
