package ssecluster.fanout;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import ssecluster.history.Appended;
import ssecluster.history.MemoryHistory;
import ssecluster.history.NewMessage;
import ssecluster.namespace.Namespace;
import ssecluster.wire.SseFrames;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A channel's ordering alone, with history in memory, a test clock and timers the test fires: messages of a
 * namespace go out in history's order whatever order they arrive in, each once, and one that never arrives is
 * read from history, or announced as a gap when history no longer holds it.
 */
class NamespaceOrderTest {

  private static final Namespace DOGS = Namespace.parse("pets.dogs");
  private final AtomicLong clock = new AtomicLong(1_764_864_000_000_000L);
  private final MemoryHistory history = new MemoryHistory(3, 300_000_000L, clock::get);
  private final List<String> out = new ArrayList<>();
  private final TreeMap<Long, Runnable> timers = new TreeMap<>();
  private long nextTimer;
  private int duplicates;
  private final NamespaceOrder order = new NamespaceOrder(history, clock::get, new NamespaceOrder.Timers() {
    @Override
    public long set(long delayMillis, Runnable action) {
      timers.put(nextTimer, action);
      return nextTimer++;
    }

    @Override
    public void cancel(long id) {
      timers.remove(id);
    }
  }, new NamespaceOrder.Output() {
    @Override
    public void deliver(Namespace namespace, long seq, Buffer frame) {
      out.add(frame.toString().lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow().substring(6));
    }

    @Override
    public void gap(Namespace namespace, long lastDelivered) {
      out.add("GAP");
    }

    @Override
    public void duplicate() {
      duplicates++;
    }
  });

  /** A message as history places it, and as the event bus would bring it. */
  private record Message(long seq, long previous, Buffer frame) {
  }

  private Message publish(String data) {
    clock.addAndGet(1_000);
    Appended place = history.append(DOGS, List.of(new NewMessage(null, data, 0))).result().get(0);
    return new Message(place.seq(), place.previous(), SseFrames.event(Long.toString(place.seq()), null, data));
  }

  private void arrive(Message message) {
    order.accept(DOGS, message.seq(), message.previous(), message.frame());
  }

  private void fireTimers() {
    while (!timers.isEmpty()) {
      timers.pollFirstEntry().getValue().run();
    }
  }

  @Test
  void messagesArrivingOutOfOrderGoOutInHistorysOrder() {
    order.start();
    Message one = publish("one");
    Message two = publish("two");
    Message three = publish("three");
    arrive(three);
    arrive(one);
    assertEquals(List.of("one"), out);
    arrive(two);
    assertEquals(List.of("one", "two", "three"), out);
    assertEquals(0, order.waiting());
    assertEquals(0, timers.size(), "no read of history pending");
  }

  @Test
  void aMessageThatNeverArrivesIsReadFromHistory() {
    order.start();
    Message one = publish("one");
    publish("two");   // its node died between history and the event bus
    Message three = publish("three");
    arrive(one);
    arrive(three);
    assertEquals(List.of("one"), out);
    fireTimers();
    assertEquals(List.of("one", "two", "three"), out);
  }

  @Test
  void aMessageHistoryNoLongerHoldsIsAGapAndDeliveryGoesOn() {
    order.start();
    Message one = publish("one");
    for (int i = 0; i < 4; i++) {
      publish("lost-" + i);   // history holds 3: these push each other out
    }
    Message last = publish("last");
    arrive(one);
    arrive(last);
    fireTimers();
    assertEquals("one", out.get(0));
    assertEquals("GAP", out.get(1));
    assertEquals("last", out.get(out.size() - 1));
    assertEquals(List.of("one", "GAP", "lost-2", "lost-3", "last"), out);
  }

  @Test
  void repeatsAreDroppedAndCounted() {
    order.start();
    Message one = publish("one");
    Message two = publish("two");
    arrive(one);
    arrive(one);
    arrive(two);
    arrive(one);
    arrive(two);
    assertEquals(List.of("one", "two"), out);
    assertEquals(3, duplicates);
  }

  @Test
  void aChannelWantsWhatWasPlacedAfterItStarted() {
    Message before = publish("before");
    arrive(before);
    assertEquals(List.of(), out, "nothing goes out before the channel is ready");
    order.start();
    Message first = publish("first");
    arrive(first);
    assertEquals(List.of("first"), out, "the message before the start is not waited for");

    // A message placed after the start whose predecessor is late: that one is waited for.
    Message second = publish("second");
    Message third = publish("third");
    arrive(third);
    arrive(second);
    assertEquals(List.of("first", "second", "third"), out);
  }

  @Test
  void aNamespaceFirstHeardWaitsForAPredecessorPlacedAfterTheStart() {
    order.start();
    Message one = publish("one");
    Message two = publish("two");
    arrive(two);
    assertEquals(List.of(), out);
    arrive(one);
    assertEquals(List.of("one", "two"), out);
  }
}
