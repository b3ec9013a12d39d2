package ssecluster.fanout;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import ssecluster.history.Frontier;
import ssecluster.history.ReadFrom;
import ssecluster.history.ResumePlan;
import ssecluster.history.StoredMessage;
import ssecluster.namespace.Namespace;
import ssecluster.namespace.Subscription;
import ssecluster.wire.SharedFrames;
import ssecluster.wire.SseFrames;
import ssecluster.wire.StreamSink;
import ssecluster.wire.StreamStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One subscriber with a sink that records what it is given: which frames go out shared, which under the
 * stream's own ids, what a resumed stream is sent and in which order, and when it goes back to shared frames.
 */
class SubscriberTest {

  private static final long T = 1_764_864_000_000_000L;
  private static final Namespace A = Namespace.parse("a");
  private static final Namespace B = Namespace.parse("b");

  /** Records every write: "shared:" or "own:" and the SSE text. */
  static final class RecordingSink implements StreamSink {
    final List<String> writes = new ArrayList<>();
    boolean closed;

    @Override
    public boolean send(SharedFrames frames) {
      writes.add("shared:" + frames.sse());
      return !closed;
    }

    @Override
    public boolean send(Buffer frames, int events) {
      writes.add("own:" + frames);
      return !closed;
    }

    @Override
    public Future<Void> writable() {
      return Future.succeededFuture();
    }

    @Override
    public boolean keepalive() {
      return !closed;
    }

    @Override
    public boolean isClosed() {
      return closed;
    }

    @Override
    public void end() {
      closed = true;
    }

    @Override
    public StreamStatus status() {
      return new StreamStatus("/", List.of(), "", "", "test", 0, 0);
    }

    /** The ids and data of everything written, in order. */
    List<String> events() {
      List<String> events = new ArrayList<>();
      for (String write : writes) {
        String text = write.substring(write.indexOf(':') + 1);
        String id = null;
        for (String line : text.split("\n")) {
          if (line.startsWith("id: ")) {
            id = line.substring(4);
          } else if (line.startsWith("event: sse-")) {
            id = line.substring(7);
          } else if (line.startsWith("data: ")) {
            events.add(id + "=" + line.substring(6));
            id = null;
          }
        }
      }
      return events;
    }
  }

  /** A channel's delivery: the frame carries the channel's id. */
  private static Delivery delivery(Namespace namespace, long seq, String channelId, String data) {
    return new Delivery(namespace, seq, channelId, SseFrames.event(channelId, null, data));
  }

  private static boolean deliver(Subscriber subscriber, Delivery... deliveries) {
    Buffer joined = Buffer.buffer();
    for (Delivery d : deliveries) {
      joined.appendBuffer(d.frame());
    }
    SharedFrames frames = new SharedFrames(joined, deliveries.length);
    return subscriber.deliver(frames, List.of(deliveries));
  }

  @Test
  void aStreamOfOneNamespaceSendsTheChannelsFramesAsTheyAre() {
    RecordingSink sink = new RecordingSink();
    Subscriber subscriber = new Subscriber(sink, Subscription.of(List.of(A)), true, false, 1 << 20);
    assertTrue(deliver(subscriber, delivery(A, T, Long.toString(T), "x")));
    assertEquals(List.of("shared:" + SseFrames.event(Long.toString(T), null, "x")), sink.writes);
  }

  @Test
  void aMultiplexedStreamNamesItsPlaceInEachNamespace() {
    RecordingSink sink = new RecordingSink();
    Subscriber subscriber = new Subscriber(sink, Subscription.of(List.of(A, B)), true, false, 1 << 20);
    deliver(subscriber, delivery(A, T, Long.toString(T), "a1"));
    deliver(subscriber, delivery(B, T + 36, Long.toString(T + 36), "b1"));
    assertEquals(List.of(T + "=a1", (T + 36) + "~a:10=b1"), sink.events());
    assertTrue(sink.writes.stream().allMatch(w -> w.startsWith("own:")));
  }

  @Test
  void aResumedStreamGetsWhatItMissedThenTheLiveMessagesItDidNotHaveEachOnce() {
    RecordingSink sink = new RecordingSink();
    Subscriber subscriber = new Subscriber(sink, Subscription.of(List.of(A)), true, true, 1 << 20);
    // Live messages arrive while history is read: held.
    deliver(subscriber, delivery(A, T + 2, Long.toString(T + 2), "a2"));
    deliver(subscriber, delivery(A, T + 3, Long.toString(T + 3), "a3"));
    assertEquals(List.of(), sink.writes);

    ResumePlan plan = new ResumePlan(null, List.of(
        new ResumePlan.Replayed(A, new StoredMessage(T + 1, null, "a1")),
        new ResumePlan.Replayed(A, new StoredMessage(T + 2, null, "a2"))),
        new ReadFrom(Map.of("a", T), T - 10_000_000), T);
    subscriber.beginReplay(plan);
    sink.send(subscriber.replayFrames(plan.messages()), 2);
    assertTrue(subscriber.goLive());
    assertEquals(List.of((T + 1) + "=a1", (T + 2) + "=a2", (T + 3) + "=a3"), sink.events(), "a2 once");

    // The channel's id is the stream's own again: frames go out shared from now on.
    deliver(subscriber, delivery(A, T + 4, Long.toString(T + 4), "a4"));
    assertTrue(sink.writes.get(sink.writes.size() - 1).startsWith("shared:"));
  }

  @Test
  void aResumedStreamAheadOfItsChannelKeepsItsOwnIdsUntilTheChannelCatchesUp() {
    Namespace dogs = Namespace.parse("a.dogs");
    Namespace cats = Namespace.parse("a.cats");
    RecordingSink sink = new RecordingSink();
    Subscriber subscriber = new Subscriber(sink, Subscription.of(List.of(A)), true, true, 1 << 20);
    ResumePlan plan = new ResumePlan(null, List.of(new ResumePlan.Replayed(cats, new StoredMessage(T + 5, null, "c5"))),
        new ReadFrom(Map.of("a.dogs", T), T - 10_000_000), T);
    subscriber.beginReplay(plan);
    sink.send(subscriber.replayFrames(plan.messages()), 1);
    subscriber.goLive();

    // The channel had not delivered c5 yet when it delivered d6: its id does not name cats, the stream's must.
    Frontier channel = new Frontier();
    String channelId = channel.deliver(dogs, T + 6);
    deliver(subscriber, delivery(dogs, T + 6, channelId, "d6"));
    assertEquals((T + 6) + "~a.cats:1", sink.events().get(1).split("=")[0]);
    assertTrue(sink.writes.get(sink.writes.size() - 1).startsWith("own:"));

    // Then the channel delivers c5 (dropped: the stream has it) and c7: the ids agree again.
    deliver(subscriber, delivery(cats, T + 5, channel.deliver(cats, T + 5), "c5"));
    String agreed = channel.deliver(cats, T + 7);
    deliver(subscriber, delivery(cats, T + 7, agreed, "c7"));
    // c5 was replayed under an id naming dogs too (the client was at T in dogs, within the window).
    assertEquals(List.of((T + 5) + "~a.dogs:5=c5", (T + 6) + "~a.cats:1=d6", agreed + "=c7"), sink.events());
    deliver(subscriber, delivery(dogs, T + 8, channel.deliver(dogs, T + 8), "d8"));
    assertTrue(sink.writes.get(sink.writes.size() - 1).startsWith("shared:"));
  }

  @Test
  void aResumedStreamThatHoldsTooMuchIsDropped() {
    RecordingSink sink = new RecordingSink();
    Subscriber subscriber = new Subscriber(sink, Subscription.of(List.of(A)), true, true, 100);
    assertTrue(deliver(subscriber, delivery(A, T, Long.toString(T), "x".repeat(50))));
    assertFalse(deliver(subscriber, delivery(A, T + 1, Long.toString(T + 1), "x".repeat(50))));
    assertTrue(sink.closed);
  }

  @Test
  void serviceEventsPassThroughAResumedStreamUntouched() {
    RecordingSink sink = new RecordingSink();
    Subscriber subscriber = new Subscriber(sink, Subscription.of(List.of(A, B)), true, false, 1 << 20);
    Delivery gap = new Delivery(A, Delivery.SERVICE_EVENT, null, SseFrames.serviceEvent("sse-gap", "{}"));
    deliver(subscriber, gap);
    assertEquals(List.of("sse-gap={}"), sink.events());
  }
}
