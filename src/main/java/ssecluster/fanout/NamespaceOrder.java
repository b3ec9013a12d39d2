package ssecluster.fanout;

import io.vertx.core.buffer.Buffer;
import ssecluster.history.HistoryStore;
import ssecluster.history.NamespaceSlice;
import ssecluster.history.StoredMessage;
import ssecluster.namespace.Namespace;
import ssecluster.wire.SseFrames;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Puts the messages a channel receives in their namespaces' order: history gave each message its sequence and
 * the sequence before it, and a message goes out only after the one before it. Messages of one namespace
 * published on different nodes travel on different connections and may arrive the other way round; the later
 * one then waits for the earlier. One that does not come (its node died between history and the event bus)
 * is read from history after {@link #GAP_WAIT_MILLIS}; one that history no longer holds is announced as a gap,
 * and delivery goes on. Repeats (a message that reached the channel twice) are dropped.
 *
 * <p>The channel wants the messages given their place after it started ({@link #start}): those are what its
 * streams were promised. So a namespace first heard of starts with its first message when the message before
 * it is older than that; else that one is waited for too.
 *
 * <p>Confined to the channel's context; time, timers and history come in, so that the ordering can be tested
 * alone.
 */
final class NamespaceOrder {

  /** How long a message waits for the one before it before that one is read from history. */
  static final long GAP_WAIT_MILLIS = 100;
  /** Messages of one namespace waiting at most; more and history is read at once. */
  static final int MAX_WAITING = 10_000;
  /** Namespaces remembered at most; beyond this, those silent for {@link #FORGET_AFTER_MICROS} are forgotten. */
  static final int MAX_NAMESPACES = 10_000;
  /** How long a namespace must have been silent to be forgotten; its next message starts it again. */
  static final long FORGET_AFTER_MICROS = 60_000_000;
  /** Reads of history for one gap before it is given up as lost. */
  private static final int MAX_READS = 3;

  /** Where ordered messages go. */
  interface Output {
    void deliver(Namespace namespace, long seq, Buffer frame);

    /** Messages after {@code lastDelivered} are lost for good; delivery goes on after them. */
    void gap(Namespace namespace, long lastDelivered);

    void duplicate();
  }

  /** Timers of the channel's context. */
  interface Timers {
    long set(long delayMillis, Runnable action);

    void cancel(long id);
  }

  private record Waiting(long previous, Buffer frame) {
  }

  private static final class State {
    long last;
    final TreeMap<Long, Waiting> waiting = new TreeMap<>();
    long timer = -1;
    boolean reading;
    int reads;
    long heardMicros;
  }

  private final HistoryStore history;
  private final LongSupplier clockMicros;
  private final Timers timers;
  private final Output output;
  /** Least recently heard first. */
  private final LinkedHashMap<Namespace, State> states = new LinkedHashMap<>(16, 0.75f, true);
  /** Messages placed before this are not wanted: when the channel started, or last forgot a namespace. */
  private long wantedAfterMicros = Long.MAX_VALUE;

  NamespaceOrder(HistoryStore history, LongSupplier clockMicros, Timers timers, Output output) {
    this.history = history;
    this.clockMicros = clockMicros;
    this.timers = timers;
    this.output = output;
  }

  /** The channel is ready: its streams want what is placed from now on. Until then nothing goes out. */
  void start() {
    wantedAfterMicros = clockMicros.getAsLong();
  }

  void accept(Namespace namespace, long seq, long previous, Buffer frame) {
    if (wantedAfterMicros == Long.MAX_VALUE) {
      return;   // not ready: no stream is attached yet
    }
    long now = clockMicros.getAsLong();
    State known = states.get(namespace);
    if (known == null) {
      forgetSilent(now);
      known = new State();
      known.last = Math.min(previous, wantedAfterMicros);
      states.put(namespace, known);
    }
    State state = known;
    state.heardMicros = now;
    if (seq <= state.last || state.waiting.containsKey(seq)) {
      output.duplicate();
      return;
    }
    if (previous <= state.last) {
      deliver(namespace, state, seq, frame);
      drain(namespace, state);
      return;
    }
    state.waiting.put(seq, new Waiting(previous, frame));
    if (state.waiting.size() > MAX_WAITING) {
      readHistory(namespace, state);
    } else if (state.timer < 0 && !state.reading) {
      state.timer = timers.set(GAP_WAIT_MILLIS, () -> {
        state.timer = -1;
        readHistory(namespace, state);
      });
    }
  }

  /** Messages waiting (all namespaces); for tests and status. */
  int waiting() {
    int count = 0;
    for (State state : states.values()) {
      count += state.waiting.size();
    }
    return count;
  }

  private void deliver(Namespace namespace, State state, long seq, Buffer frame) {
    state.last = seq;
    output.deliver(namespace, seq, frame);
  }

  /** Delivers waiting messages whose predecessor has gone out. */
  private void drain(Namespace namespace, State state) {
    while (!state.waiting.isEmpty()) {
      Map.Entry<Long, Waiting> first = state.waiting.firstEntry();
      if (first.getKey() <= state.last) {
        state.waiting.pollFirstEntry();
        output.duplicate();
      } else if (first.getValue().previous() <= state.last) {
        state.waiting.pollFirstEntry();
        deliver(namespace, state, first.getKey(), first.getValue().frame());
      } else {
        return;
      }
    }
    state.reads = 0;
    if (state.timer >= 0) {
      timers.cancel(state.timer);
      state.timer = -1;
    }
  }

  /** The message the first waiting one needs did not come: history has it, unless it is gone. */
  private void readHistory(Namespace namespace, State state) {
    if (state.reading || state.waiting.isEmpty()) {
      return;
    }
    if (state.timer >= 0) {
      timers.cancel(state.timer);
      state.timer = -1;
    }
    state.reading = true;
    state.reads++;
    long neededUpTo = state.waiting.lastKey();
    history.readNamespace(namespace, state.last).onComplete(read -> {
      state.reading = false;
      boolean lost = false;
      if (read.succeeded()) {
        lost = read.result().droppedAfter(state.last);
        if (lost) {
          output.gap(namespace, state.last);   // before the messages that come after the lost ones
        }
        fill(namespace, state, read.result(), neededUpTo);
      }
      if (state.waiting.isEmpty()) {
        return;
      }
      if (lost || state.reads >= MAX_READS || state.waiting.size() > MAX_WAITING) {
        // Gone from history (or history cannot say): the clients are told, and delivery goes on.
        if (!lost) {
          output.gap(namespace, state.last);
        }
        state.last = state.waiting.firstEntry().getValue().previous();
        drain(namespace, state);
      } else {
        state.timer = timers.set(GAP_WAIT_MILLIS, () -> {
          state.timer = -1;
          readHistory(namespace, state);
        });
      }
    });
  }

  private void fill(Namespace namespace, State state, NamespaceSlice slice, long neededUpTo) {
    for (StoredMessage message : slice.messages()) {
      if (message.seq() > neededUpTo) {
        break;
      }
      if (message.seq() > state.last) {
        Waiting arrived = state.waiting.remove(message.seq());
        Buffer frame = arrived != null ? arrived.frame()
            : SseFrames.event(Long.toString(message.seq()), message.event(), message.data());
        deliver(namespace, state, message.seq(), frame);
        drain(namespace, state);
      }
    }
  }

  /**
   * Forgets namespaces silent for long when there are many. What was placed before now is then no longer
   * wanted for a namespace heard anew: a message placed more than a minute after the last one heard of it
   * would have arrived already.
   */
  private void forgetSilent(long now) {
    if (states.size() < MAX_NAMESPACES) {
      return;
    }
    var oldest = states.entrySet().iterator();
    while (oldest.hasNext()) {
      State state = oldest.next().getValue();
      if (now - state.heardMicros < FORGET_AFTER_MICROS) {
        return;
      }
      if (state.waiting.isEmpty() && !state.reading) {
        oldest.remove();
        wantedAfterMicros = Math.max(wantedAfterMicros, now);
      }
    }
  }
}
