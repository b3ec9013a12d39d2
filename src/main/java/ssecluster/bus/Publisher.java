package ssecluster.bus;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import ssecluster.namespace.Namespace;
import ssecluster.status.NodeCounters;
import ssecluster.wire.SseFrames;

import java.util.ArrayList;
import java.util.List;

/**
 * The one path every message takes into the cluster. It gives the message an id, encodes its SSE frame
 * once, and publishes that frame to the namespace's address and to each ancestor's address up to the
 * root, because the event bus has no wildcards: a subscriber of {@code pets} listens on {@code pets} and
 * so must be sent {@code pets.dogs} messages there. Every node's namespace channel then writes the same
 * bytes to all of its connections. Addresses that no node watches are left out (see
 * {@link UnwatchedAddresses}).
 */
public final class Publisher {

  private final EventBus eventBus;
  private final MessageIds ids;
  private final int maxDataBytes;
  private final NodeCounters counters;
  private final UnwatchedAddresses unwatched;

  public Publisher(EventBus eventBus, MessageIds ids, int maxDataBytes, NodeCounters counters, UnwatchedAddresses unwatched) {
    this.eventBus = eventBus;
    this.unwatched = unwatched;
    this.ids = ids;
    this.maxDataBytes = maxDataBytes;
    this.counters = counters;
  }

  /** Publishes with a fresh id and returns it. */
  public String publish(Publication publication) {
    return publish(publication, ids.next(), false);
  }

  /**
   * Publishes with a caller-chosen id, for sources that may deliver the same message twice (a Redis stream
   * entry claimed after its reader died): namespace channels drop a repeated id. The future completes once
   * the frame has left this node for every address: written to the connection of a node that subscribes,
   * or delivered here. An event-bus publish is otherwise fire-and-forget, and a source that acknowledges
   * right after calling it can lose the message if this node dies before the frame is written.
   */
  public Future<String> publishRepeatable(Publication publication, String id) {
    List<Future<Void>> written = new ArrayList<>();
    PreparedMessage message = prepare(publication, id, true);
    for (Namespace target : publication.namespace().selfAndAncestors()) {
      if (unwatched.skip(target.address())) {
        continue;
      }
      written.add(eventBus.<Buffer>publisher(target.address(), message.options()).write(message.frame())
          .recover(Publisher::nobodySubscribes));
    }
    counters.published.increment();
    return Future.all(written).map(id);
  }

  private String publish(Publication publication, String id, boolean mayRepeat) {
    PreparedMessage message = prepare(publication, id, mayRepeat);
    for (Namespace target : publication.namespace().selfAndAncestors()) {
      if (unwatched.skip(target.address())) {
        continue;
      }
      eventBus.publish(target.address(), message.frame(), message.options());
    }
    counters.published.increment();
    return id;
  }

  /** The frame, encoded once, and the headers that travel with it to every address. */
  private record PreparedMessage(Buffer frame, DeliveryOptions options) {
  }

  private PreparedMessage prepare(Publication publication, String id, boolean mayRepeat) {
    checkSize(publication.data());
    Buffer frame = SseFrames.event(id, publication.event(), publication.data());
    DeliveryOptions options = new DeliveryOptions()
        .addHeader(BusAddresses.HEADER_ID, id)
        .addHeader(BusAddresses.HEADER_NAMESPACE, publication.namespace().name());
    if (mayRepeat) {
      options.addHeader(BusAddresses.HEADER_MAY_REPEAT, "1");
    }
    return new PreparedMessage(frame, options);
  }

  /** An address without subscribers anywhere is not a failure to deliver: there was nobody to tell. */
  private static Future<Void> nobodySubscribes(Throwable failure) {
    return failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS
        ? Future.succeededFuture()
        : Future.failedFuture(failure);
  }

  public int maxDataBytes() {
    return maxDataBytes;
  }

  private void checkSize(String data) {
    // chars <= UTF-8 bytes <= 3 * chars (per UTF-16 unit), so most strings need no byte count at all.
    if (data.length() > maxDataBytes
        || ((long) data.length() * 3 > maxDataBytes && utf8Length(data) > maxDataBytes)) {
      throw new PublishRejectedException("data larger than " + maxDataBytes + " bytes");
    }
  }

  private static long utf8Length(String s) {
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
