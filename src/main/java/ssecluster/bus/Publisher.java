package ssecluster.bus;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import ssecluster.history.Appended;
import ssecluster.history.HistoryStore;
import ssecluster.history.NewMessage;
import ssecluster.namespace.Namespace;
import ssecluster.status.NodeCounters;
import ssecluster.wire.SseFrames;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one path every message takes into the cluster. It checks the message, has history give it its place
 * (its sequence, which is its id, and the sequence before it), encodes its SSE frame once, and publishes that
 * frame to the namespace's address and to each ancestor's address up to the root, because the event bus has
 * no wildcards: a subscriber of {@code pets} listens on {@code pets} and so must be sent {@code pets.dogs}
 * messages there. Every node's namespace channel then puts the namespace's messages in sequence order and
 * writes the same bytes to all of its connections. Addresses that no node watches are left out (see
 * {@link UnwatchedAddresses}).
 *
 * <p>With history off ({@link HistoryStore#keeps()} false) a message is published at once under an id made
 * here, and nodes deliver in the order messages reach them.
 */
public final class Publisher {

  private final Vertx vertx;
  private final HistoryStore history;
  private final MessageIds ids;
  private final int maxDataBytes;
  private final NodeCounters counters;
  private final UnwatchedAddresses unwatched;
  private final HistoryAppends<Outgoing> appends;

  /** A message between its arrival and its announcement. */
  private record Outgoing(Publication publication, NewMessage message, Promise<String> id, Context context,
                          boolean confirmWrites) {
  }

  public Publisher(Vertx vertx, HistoryStore history, MessageIds ids, int maxDataBytes, NodeCounters counters,
                   UnwatchedAddresses unwatched) {
    this.vertx = vertx;
    this.history = history;
    this.ids = ids;
    this.maxDataBytes = maxDataBytes;
    this.counters = counters;
    this.unwatched = unwatched;
    this.appends = new HistoryAppends<>(history, Outgoing::message, new HistoryAppends.Outcome<>() {
      @Override
      public void appended(Namespace namespace, List<Outgoing> items, List<Appended> places) {
        for (int i = 0; i < items.size(); i++) {
          announce(items.get(i), places.get(i));
        }
      }

      @Override
      public void failed(Namespace namespace, List<Outgoing> items, Throwable failure) {
        PublishUnavailableException unavailable = new PublishUnavailableException(
            "history could not take the message (" + failure.getMessage() + ")", failure);
        items.forEach(item -> complete(item, Future.failedFuture(unavailable)));
      }
    });
  }

  /**
   * Publishes a message; the future completes with its id once history holds it and it is on its way to every
   * node. Fails with {@link PublishRejectedException} for a message that breaks a rule, and with
   * {@link PublishUnavailableException} when history cannot take it now.
   */
  public Future<String> publish(Publication publication) {
    return publish(publication, randomSourceId(), false);
  }

  /**
   * Publishes a message that its source may hand over twice (a Redis stream entry claimed after its reader
   * died): {@code sourceId} names it there, and history keeps it once. The future completes only once the frame
   * has left this node for every address (written to the connection of each subscribing node, or delivered
   * here), so that a source that acknowledges then cannot lose the message if this node dies at once.
   */
  public Future<String> publishRepeatable(Publication publication, String sourceId) {
    return publish(publication, NewMessage.sourceIdOf(sourceId), true);
  }

  private Future<String> publish(Publication publication, long sourceId, boolean confirmWrites) {
    try {
      checkSize(publication.data());
    } catch (PublishRejectedException rejected) {
      return Future.failedFuture(rejected);
    }
    if (!history.keeps()) {
      return publishUnsequenced(publication, sourceId, confirmWrites);
    }
    Outgoing outgoing = new Outgoing(publication, new NewMessage(publication.event(), publication.data(), sourceId),
        Promise.promise(), vertx.getOrCreateContext(), confirmWrites);
    if (!appends.append(publication.namespace(), outgoing)) {
      return Future.failedFuture(new PublishUnavailableException("too many messages to '" + publication.namespace()
          + "' are waiting for history on this node; try again shortly", null));
    }
    return outgoing.id().future();
  }

  /** Sends an appended message to every address that wants it, in the order history placed them. */
  private void announce(Outgoing outgoing, Appended place) {
    String id = Long.toString(place.seq());
    DeliveryOptions options = new DeliveryOptions()
        .addHeader(BusAddresses.HEADER_ID, id)
        .addHeader(BusAddresses.HEADER_NAMESPACE, outgoing.publication().namespace().name())
        .addHeader(BusAddresses.HEADER_PREVIOUS, Long.toString(place.previous()));
    Future<Void> written = send(outgoing.publication(), SseFrames.event(id, outgoing.publication().event(),
        outgoing.publication().data()), options, outgoing.confirmWrites());
    if (!place.repeated()) {
      counters.published.increment();
    }
    complete(outgoing, written.map(id));
  }

  private Future<String> publishUnsequenced(Publication publication, long sourceId, boolean confirmWrites) {
    String id = ids.next();
    DeliveryOptions options = new DeliveryOptions()
        .addHeader(BusAddresses.HEADER_ID, confirmWrites ? "r" + Long.toHexString(sourceId) : id)
        .addHeader(BusAddresses.HEADER_NAMESPACE, publication.namespace().name());
    if (confirmWrites) {
      options.addHeader(BusAddresses.HEADER_MAY_REPEAT, "1");
    }
    Future<Void> written = send(publication, SseFrames.event(id, publication.event(), publication.data()), options,
        confirmWrites);
    counters.published.increment();
    return written.map(id);
  }

  /** Publishes the frame to the namespace and its ancestors; with {@code confirm}, completes once it left. */
  private Future<Void> send(Publication publication, Buffer frame, DeliveryOptions options, boolean confirm) {
    List<Future<Void>> written = confirm ? new ArrayList<>() : null;
    for (Namespace target : publication.namespace().selfAndAncestors()) {
      if (unwatched.skip(target.address())) {
        continue;
      }
      if (confirm) {
        written.add(vertx.eventBus().<Buffer>publisher(target.address(), options).write(frame)
            .recover(Publisher::nobodySubscribes));
      } else {
        vertx.eventBus().publish(target.address(), frame, options);
      }
    }
    return confirm ? Future.all(written).mapEmpty() : Future.succeededFuture();
  }

  /** Completes the publisher's future on its own context. */
  private static void complete(Outgoing outgoing, Future<String> result) {
    result.onComplete(done -> {
      if (Vertx.currentContext() == outgoing.context()) {
        outgoing.id().handle(done);
      } else {
        outgoing.context().runOnContext(v -> outgoing.id().handle(done));
      }
    });
  }

  /** An address without subscribers anywhere is not a failure to deliver: there was nobody to tell. */
  private static Future<Void> nobodySubscribes(Throwable failure) {
    return failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS
        ? Future.succeededFuture()
        : Future.failedFuture(failure);
  }

  /** Names a message that has no id at its source, so that history keeps it once even if an append is retried. */
  private static long randomSourceId() {
    long id;
    do {
      id = ThreadLocalRandom.current().nextLong();
    } while (id == 0);
    return id;
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
