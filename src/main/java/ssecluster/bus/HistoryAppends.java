package ssecluster.bus;

import ssecluster.history.Appended;
import ssecluster.history.HistoryStore;
import ssecluster.history.NewMessage;
import ssecluster.namespace.Namespace;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Appends this node's messages to history, one call in flight per namespace: messages that arrive meanwhile go
 * together in the next call. So a namespace's messages from this node keep the order they were published in
 * (a Redis stream's order, a client that publishes one after another), a busy namespace costs one round trip
 * per batch rather than per message, and each batch is handed on only after the one before it. Thread-safe.
 *
 * @param <T> what the caller queues: a message and whatever it needs once the message has its place
 */
final class HistoryAppends<T> {

  /** Messages of one namespace waiting here at most; more are refused until history catches up. */
  static final int MAX_WAITING = 10_000;
  /** Messages in one append call at most. */
  static final int MAX_BATCH = 256;

  /** What happens to a batch once history answered: in order per namespace, one batch at a time. */
  interface Outcome<T> {
    void appended(Namespace namespace, List<T> items, List<Appended> places);

    void failed(Namespace namespace, List<T> items, Throwable failure);
  }

  private final HistoryStore history;
  private final Function<T, NewMessage> messageOf;
  private final Outcome<T> outcome;
  private final ConcurrentHashMap<Namespace, Queue<T>> queues = new ConcurrentHashMap<>();

  private static final class Queue<T> {
    List<T> waiting = new ArrayList<>();
    boolean inFlight;
  }

  HistoryAppends(HistoryStore history, Function<T, NewMessage> messageOf, Outcome<T> outcome) {
    this.history = history;
    this.messageOf = messageOf;
    this.outcome = outcome;
  }

  /** Queues an item; false when the namespace already has {@link #MAX_WAITING} waiting (nothing was queued). */
  boolean append(Namespace namespace, T item) {
    List<T> batch = null;
    while (batch == null) {
      Queue<T> queue = queues.computeIfAbsent(namespace, n -> new Queue<>());
      synchronized (queue) {
        if (queues.get(namespace) != queue) {
          continue;   // retired by the batch that emptied it just now: take the new one
        }
        if (queue.waiting.size() >= MAX_WAITING) {
          return false;
        }
        queue.waiting.add(item);
        if (queue.inFlight) {
          return true;
        }
        queue.inFlight = true;
        batch = take(queue);
      }
    }
    send(namespace, batch);
    return true;
  }

  private static <T> List<T> take(Queue<T> queue) {
    if (queue.waiting.size() <= MAX_BATCH) {
      List<T> batch = queue.waiting;
      queue.waiting = new ArrayList<>();
      return batch;
    }
    List<T> batch = new ArrayList<>(queue.waiting.subList(0, MAX_BATCH));
    queue.waiting.subList(0, MAX_BATCH).clear();
    return batch;
  }

  private void send(Namespace namespace, List<T> batch) {
    List<NewMessage> messages = new ArrayList<>(batch.size());
    batch.forEach(item -> messages.add(messageOf.apply(item)));
    history.append(namespace, messages).onComplete(result -> {
      try {
        if (result.succeeded()) {
          outcome.appended(namespace, batch, result.result());
        } else {
          outcome.failed(namespace, batch, result.cause());
        }
      } finally {
        next(namespace);
      }
    });
  }

  private void next(Namespace namespace) {
    Queue<T> queue = queues.get(namespace);
    List<T> batch;
    synchronized (queue) {
      if (queue.waiting.isEmpty()) {
        queue.inFlight = false;
        queues.remove(namespace, queue);
        return;
      }
      batch = take(queue);
    }
    send(namespace, batch);
  }
}
