package ssecluster.history;

import io.vertx.core.Future;
import ssecluster.namespace.Namespace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * History in this JVM's memory, with the same rules as the cluster's (sequence, bounds, repeats, subtrees): for
 * fast unit tests of what sits on top of the {@link HistoryStore} seam, with a clock the test controls.
 * Not for production: a node's memory dies with it.
 */
public final class MemoryHistory implements HistoryStore {

  private final int capacity;
  private final long ttlMicros;
  private final LongSupplier clockMicros;
  private final long startedAtMicros;
  private final Map<Namespace, Log> logs = new HashMap<>();

  private static final class Log {
    final List<StoredMessage> messages = new ArrayList<>();
    final List<Long> sources = new ArrayList<>();
    long lastSeq;
    long droppedUpTo;
  }

  public MemoryHistory(int capacity, long ttlMicros, LongSupplier clockMicros) {
    this.capacity = capacity;
    this.ttlMicros = ttlMicros;
    this.clockMicros = clockMicros;
    this.startedAtMicros = clockMicros.getAsLong();
  }

  @Override
  public boolean keeps() {
    return true;
  }

  @Override
  public synchronized Future<List<Appended>> append(Namespace namespace, List<NewMessage> messages) {
    Log log = logs.computeIfAbsent(namespace, n -> new Log());
    long now = clockMicros.getAsLong();
    List<Appended> appended = new ArrayList<>();
    for (NewMessage message : messages) {
      int held = message.sourceId() == 0 ? -1 : log.sources.lastIndexOf(message.sourceId());
      if (held >= 0) {
        long previous = held > 0 ? log.messages.get(held - 1).seq() : log.droppedUpTo;
        appended.add(new Appended(log.messages.get(held).seq(), previous, true));
        continue;
      }
      long seq = Math.max(log.lastSeq + 1, now);
      appended.add(new Appended(seq, log.lastSeq, false));
      log.messages.add(new StoredMessage(seq, message.event(), message.data()));
      log.sources.add(message.sourceId());
      log.lastSeq = seq;
      while (log.messages.size() > capacity) {
        dropOldest(log);
      }
    }
    expire(log, now);
    return Future.succeededFuture(appended);
  }

  @Override
  public synchronized Future<List<NamespaceSlice>> read(List<Namespace> subtrees, ReadFrom from) {
    List<NamespaceSlice> slices = new ArrayList<>();
    for (Map.Entry<Namespace, Log> entry : logs.entrySet()) {
      Namespace namespace = entry.getKey();
      if (subtrees.stream().anyMatch(root -> root.covers(namespace))) {
        slices.add(slice(namespace, entry.getValue(), from.positionOf(namespace.name())));
      }
    }
    return Future.succeededFuture(slices);
  }

  @Override
  public synchronized Future<NamespaceSlice> readNamespace(Namespace namespace, long afterSeq) {
    Log log = logs.get(namespace);
    return Future.succeededFuture(log == null ? NamespaceSlice.unknown(namespace) : slice(namespace, log, afterSeq));
  }

  private NamespaceSlice slice(Namespace namespace, Log log, long position) {
    expire(log, clockMicros.getAsLong());
    List<StoredMessage> after = log.messages.stream().filter(m -> m.seq() > position).toList();
    return new NamespaceSlice(namespace, true, log.droppedUpTo, after);
  }

  private void expire(Log log, long now) {
    while (!log.messages.isEmpty() && log.messages.get(0).seq() < now - ttlMicros) {
      dropOldest(log);
    }
  }

  private static void dropOldest(Log log) {
    log.droppedUpTo = log.messages.remove(0).seq();
    log.sources.remove(0);
  }

  @Override
  public long startedAtMicros() {
    return startedAtMicros;
  }

  @Override
  public synchronized HistoryStats stats() {
    long messages = 0;
    long bytes = 0;
    for (Log log : logs.values()) {
      messages += log.messages.size();
      for (StoredMessage message : log.messages) {
        bytes += message.data().length();
      }
    }
    return new HistoryStats(logs.size(), messages, bytes);
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
