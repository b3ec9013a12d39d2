package ssecluster.fanout;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import ssecluster.bus.BusAddresses;
import ssecluster.history.Frontier;
import ssecluster.history.HistoryStore;
import ssecluster.history.Micros;
import ssecluster.namespace.InvalidNamespaceException;
import ssecluster.namespace.Namespace;
import ssecluster.status.NodeCounters;
import ssecluster.wire.SseFrames;

import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * One namespace's event-bus consumer on this node, and the event loops whose streams want its messages. It
 * puts the messages in their namespaces' order ({@link NamespaceOrder}, when history gives sequences), names
 * each with the id its streams send ({@link Frontier}: the message's own id unless several namespaces under
 * this one are being heard), and hands the frame, encoded once, to every interested loop. Confined to the
 * hub's context.
 */
final class NamespaceChannel {

  private static final Logger log = Logger.getLogger(NamespaceChannel.class.getName());
  /**
   * How long a renewed channel's old consumer stays after its successor is registered. A message that
   * arrived just before the successor was added is queued for the old consumer alone; unregistering it at
   * once would drop that message.
   */
  private static final long RETIRE_OLD_CONSUMER_AFTER_MILLIS = 1_000;
  /** How long ids are still checked after an old consumer is gone: far longer than a message takes in flight. */
  private static final long RENEWAL_OVERLAP_MILLIS = 10_000;
  private static final long FOREIGN_WARNING_EVERY_MILLIS = 60_000;

  private final Vertx vertx;
  private final String address;
  private final Namespace namespace;
  private final RouteConfirmations routes;
  private final NodeCounters counters;
  private final Map<LoopFanout, Integer> streamsPerLoop = new HashMap<>();
  /** Orders sequenced messages (history on); null with history off, when messages go out as they arrive. */
  private final NamespaceOrder order;
  private final Frontier frontier = new Frontier();
  /** The id last sent, for the gap notice. */
  private String lastId;
  /** With history off: ids of messages that may come twice (see {@link BusAddresses#HEADER_MAY_REPEAT}). */
  private final RecentIds recentRepeatableIds = new RecentIds(100_000, 10 * 60_000L);
  private MessageConsumer<Object> consumer;
  /** Registered here and routed here by every other node: see {@link RouteConfirmations}. */
  private final Future<Void> ready;
  /** Renewals whose old consumer is still registered: every id is checked then (history off). */
  private int renewalsUnderway;
  private long checkAllIdsUntilMillis;
  private long foreignWarnedAtMillis;
  /** Nobody here needs the channel any more; a renewal that ends after this keeps no consumer. */
  private boolean closed;

  NamespaceChannel(Vertx vertx, String address, RouteConfirmations routes, HistoryStore history, NodeCounters counters) {
    this.vertx = vertx;
    this.address = address;
    this.namespace = Namespace.parse(address);
    this.routes = routes;
    this.counters = counters;
    this.order = !history.keeps() ? null : new NamespaceOrder(history, Micros::now, new NamespaceOrder.Timers() {
      @Override
      public long set(long delayMillis, Runnable action) {
        return vertx.setTimer(delayMillis, id -> action.run());
      }

      @Override
      public void cancel(long id) {
        vertx.cancelTimer(id);
      }
    }, new NamespaceOrder.Output() {
      @Override
      public void deliver(Namespace of, long seq, Buffer frame) {
        deliverInOrder(of, seq, frame);
      }

      @Override
      public void gap(Namespace of, long lastDelivered) {
        announceGap(of);
      }

      @Override
      public void duplicate() {
        counters.duplicatesSuppressed.increment();
      }
    });
    this.consumer = vertx.eventBus().consumer(address, this::onMessage);
    this.ready = consumer.completion().compose(v -> routes.confirm(address)).onSuccess(v -> {
      if (order != null) {
        order.start();
      }
    });
  }

  Future<Void> addInterest(LoopFanout loop) {
    streamsPerLoop.merge(loop, 1, Integer::sum);
    return ready;
  }

  /** True when nobody on this node needs the channel any more. */
  boolean removeInterest(LoopFanout loop) {
    streamsPerLoop.computeIfPresent(loop, (l, n) -> n > 1 ? n - 1 : null);
    return streamsPerLoop.isEmpty();
  }

  /** No stream on this node wants the channel now. */
  boolean unwatched() {
    return streamsPerLoop.isEmpty();
  }

  void close() {
    closed = true;
    consumer.unregister();
  }

  /**
   * A second consumer first, then the old one goes, a little later: no gap in which a message reaches
   * neither. A message that reaches both is delivered once (same sequence, or same id with history off). The
   * address is announced again, so that no node keeps an answer, taken while the registration was lost, that
   * nobody watches it. If the new registration fails, the old consumer stays.
   */
  Future<Void> renew() {
    MessageConsumer<Object> old = consumer;
    MessageConsumer<Object> successor = vertx.eventBus().consumer(address, this::onMessage);
    consumer = successor;
    renewalsUnderway++;
    return successor.completion()
        .onSuccess(registered -> {
          routes.confirm(address);
          vertx.setTimer(RETIRE_OLD_CONSUMER_AFTER_MILLIS, id -> {
            old.unregister();
            renewalDone();
          });
        })
        .onFailure(failure -> {
          successor.unregister();
          if (closed) {
            old.unregister();   // closed meanwhile (which may be why the successor failed): keep nothing
          } else if (consumer == successor) {
            log.warning("Could not register the consumer of '" + address + "' again (" + failure
                + "); keeping the one it was to replace");
            consumer = old;
          } else {
            old.unregister();   // a later renewal replaced the successor, and retires that one
          }
          renewalDone();
        });
  }

  private void renewalDone() {
    renewalsUnderway--;
    checkAllIdsUntilMillis = System.currentTimeMillis() + RENEWAL_OVERLAP_MILLIS;
  }

  private void onMessage(Message<Object> message) {
    if (routes.consumeProbe(message)) {
      return;
    }
    String id = message.headers().get(BusAddresses.HEADER_ID);
    if (id == null || !(message.body() instanceof Buffer frame)) {
      foreign(message);
      return;
    }
    Namespace of = namespaceOf(message);
    if (of == null) {
      return;
    }
    String previous = message.headers().get(BusAddresses.HEADER_PREVIOUS);
    if (order != null && previous != null) {
      order.accept(of, Long.parseLong(id), Long.parseLong(previous), frame);
    } else {
      deliverAsArrived(of, id, message, frame);
    }
  }

  private Namespace namespaceOf(Message<Object> message) {
    String name = message.headers().get(BusAddresses.HEADER_NAMESPACE);
    if (name == null || name.equals(address)) {
      return namespace;
    }
    try {
      return Namespace.parse(name);
    } catch (InvalidNamespaceException e) {
      return null;
    }
  }

  private void deliverInOrder(Namespace of, long seq, Buffer frame) {
    String id = frontier.deliver(of, seq);
    lastId = id;
    // The publisher's frame carries the message's own id; only a channel hearing several namespaces differs.
    Buffer framed = id.length() <= 19 && id.equals(Long.toString(seq)) ? frame : SseFrames.withId(frame, id);
    dispatch(new Delivery(of, seq, id, framed));
  }

  /** History off: no sequences, messages go out in the order they arrive. */
  private void deliverAsArrived(Namespace of, String id, Message<Object> message, Buffer frame) {
    long now = System.currentTimeMillis();
    boolean checkId = renewalsUnderway > 0 || now < checkAllIdsUntilMillis
        || message.headers().contains(BusAddresses.HEADER_MAY_REPEAT);
    if (checkId && !recentRepeatableIds.firstTime(id, now)) {
      counters.duplicatesSuppressed.increment();
      return;
    }
    dispatch(new Delivery(of, 0, id, frame));
  }

  /** Messages of {@code of} were lost for good (history no longer held them): the streams are told, in band. */
  private void announceGap(Namespace of) {
    counters.liveGaps.increment();
    JsonObject gap = new JsonObject()
        .put("lastEventId", lastId)
        .put("reason", "expired")
        .put("namespaces", new JsonArray().add(of.name()));
    log.warning("Messages of '" + of + "' were lost before they reached this node's streams of '" + namespace
        + "' (history no longer held them); the streams were sent an sse-gap event");
    dispatch(new Delivery(of, Delivery.SERVICE_EVENT, null, SseFrames.serviceEvent("sse-gap", gap.encode())));
  }

  private void dispatch(Delivery delivery) {
    for (LoopFanout loop : streamsPerLoop.keySet()) {
      loop.dispatch(address, delivery);
    }
  }

  /**
   * A message that did not come through a Publisher: sent point-to-point, or published by a process without
   * the service's interceptor. It has no place in history, so it is not delivered; the sender is told how to
   * publish (once a minute at most).
   */
  private void foreign(Message<Object> message) {
    counters.rejectedEventBus.increment();
    long now = System.currentTimeMillis();
    if (now - foreignWarnedAtMillis >= FOREIGN_WARNING_EVERY_MILLIS) {
      foreignWarnedAtMillis = now;
      log.warning("Dropped a message that reached namespace '" + namespace + "' without going through the"
          + " service's publisher (" + (message.isSend() ? "sent point-to-point" : "published by a process without"
          + " the service's event-bus interceptor") + "): publish with eventBus().publish(namespace, body) on a node"
          + " of the application, or request '" + BusAddresses.PUBLISH_REQUEST + "'");
    }
  }
}
