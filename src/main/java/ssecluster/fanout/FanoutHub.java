package ssecluster.fanout;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.ContextInternal;
import ssecluster.bus.BusAddresses;
import ssecluster.bus.UnwatchedAddresses;
import ssecluster.bus.MessageIds;
import ssecluster.bus.Publication;
import ssecluster.namespace.Namespace;
import ssecluster.status.NodeCounters;
import ssecluster.wire.SseFrames;
import ssecluster.wire.SseStream;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Node-wide fan-out: exactly one event-bus consumer per namespace that any stream of this node watches,
 * registered when the first stream asks for it and unregistered when the last one leaves. The consumers
 * and their bookkeeping live on one "hub" event loop; each incoming frame is handed once to every event
 * loop that holds interested streams ({@link LoopFanout}), which writes the same bytes to each of them.
 */
public final class FanoutHub extends VerticleBase {

  private static final Logger log = Logger.getLogger(FanoutHub.class.getName());
  /**
   * How long a renewed channel's old consumer stays after its successor is registered. A message that
   * arrived just before the successor was added is queued for the old consumer alone; unregistering it at
   * once would drop that message.
   */
  private static final long RETIRE_OLD_CONSUMER_AFTER_MILLIS = 1_000;
  /** How long ids are still checked after an old consumer is gone: far longer than a message takes in flight. */
  private static final long RENEWAL_OVERLAP_MILLIS = 10_000;

  private final NodeCounters counters;
  private final MessageIds localIds;
  private final long keepaliveMillis;
  private final long writeDelayMillis;
  private final UnwatchedAddresses unwatched;
  /** Confined to the hub context. */
  private final Map<String, NamespaceChannel> channels = new HashMap<>();
  private final Map<Context, LoopFanout> loops = new ConcurrentHashMap<>();

  /** Created on start, on the hub's context. */
  private RouteConfirmations routes;

  /** Deploy once per node; its context becomes the hub's event loop. */
  public FanoutHub(NodeCounters counters, MessageIds localIds, long keepaliveMillis, long writeDelayMillis,
                   UnwatchedAddresses unwatched) {
    this.counters = counters;
    this.unwatched = unwatched;
    this.localIds = localIds;
    this.keepaliveMillis = keepaliveMillis;
    this.writeDelayMillis = writeDelayMillis;
  }

  @Override
  public Future<?> start() {
    routes = new RouteConfirmations(vertx, unwatched);
    return routes.start();
  }

  /**
   * Attaches a stream that was created on the current event loop. The returned future completes on that
   * loop once every consumer it needs is registered across the cluster; the stream then receives events.
   */
  public Future<Void> attach(SseStream stream) {
    Context streamContext = Vertx.currentContext();
    LoopFanout loop = loopOf(streamContext);
    List<String> addresses = addressesOf(stream);
    Promise<Void> attached = Promise.promise();
    context.runOnContext(v -> {
      List<Future<Void>> ready = new ArrayList<>();
      for (String address : addresses) {
        ready.add(channels.computeIfAbsent(address, this::openChannel).addInterest(loop));
      }
      Future.all(ready).onComplete(result -> streamContext.runOnContext(w -> {
        if (result.failed()) {
          attached.fail(result.cause());
        } else if (stream.isClosed()) {
          attached.fail("stream closed while subscribing");
        } else {
          loop.add(stream, addresses);
          attached.complete();
        }
      }));
    });
    return attached.future();
  }

  /** Detaches a stream (client gone, dropped or ended), releasing consumers nobody needs any more. */
  public void detach(SseStream stream) {
    if (!stream.detachOnce()) {
      return;
    }
    counters.connectionsClosed.increment();
    Context streamContext = Vertx.currentContext();
    LoopFanout loop = loopOf(streamContext);
    List<String> addresses = addressesOf(stream);
    loop.remove(stream, addresses);
    context.runOnContext(v -> {
      for (String address : addresses) {
        NamespaceChannel channel = channels.get(address);
        if (channel != null && channel.removeInterest(loop)) {
          channels.remove(address);
          channel.close();
        }
      }
    });
  }

  /** Ends the streams served by the current event loop (its HTTP server is stopping). */
  public void endStreamsOfCurrentLoop() {
    Context current = Vertx.currentContext();
    LoopFanout loop = current == null ? null : loops.get(rootOf(current));
    if (loop != null) {
      loop.endAll().forEach(this::detach);
    }
  }

  /**
   * Registers every namespace consumer again. Hazelcast keeps the cluster's table of event-bus
   * registrations in partitions; a node that dies before its partitions were backed up (just after others
   * joined) takes some registrations with it, and publishes to those addresses then reach nobody. Vert.x
   * re-adds a node's registrations when a member leaves, but that can run before the loss is final, so
   * the node calls this when Hazelcast reports lost partitions. Completes when all are registered again.
   */
  public Future<Void> renewRegistrations() {
    Promise<Void> renewed = Promise.promise();
    context.runOnContext(v -> {
      List<Future<Void>> registered = new ArrayList<>();
      for (NamespaceChannel channel : channels.values()) {
        registered.add(channel.renew());
      }
      Future.all(registered).<Void>mapEmpty().onComplete(renewed);
    });
    return renewed.future();
  }

  /**
   * What each open stream of this node looks like now, at most {@code limit} of them, gathered on each
   * stream's own event loop (their counters are confined to it).
   */
  public Future<List<SseStream.Status>> streamStatuses(int limit) {
    List<Future<List<SseStream.Status>>> perLoop = new ArrayList<>();
    for (LoopFanout loop : loops.values()) {
      Promise<List<SseStream.Status>> statuses = Promise.promise();
      loop.context().runOnContext(v -> statuses.complete(loop.statuses(limit)));
      perLoop.add(statuses.future());
    }
    return Future.all(perLoop).map(all -> {
      List<SseStream.Status> merged = new ArrayList<>();
      for (int i = 0; i < all.size() && merged.size() < limit; i++) {
        List<SseStream.Status> some = all.resultAt(i);
        merged.addAll(some.subList(0, Math.min(some.size(), limit - merged.size())));
      }
      return merged;
    });
  }

  /** Number of namespace consumers this node holds; for status and tests. */
  public Future<Integer> channelCount() {
    Promise<Integer> count = Promise.promise();
    context.runOnContext(v -> count.complete(channels.size()));
    return count.future();
  }

  private LoopFanout loopOf(Context context) {
    if (context == null) {
      throw new IllegalStateException("SSE streams must be attached from an event loop");
    }
    return loops.computeIfAbsent(rootOf(context), c -> new LoopFanout(c, keepaliveMillis, writeDelayMillis, counters.delivered, counters.streamWrites, this::dropped));
  }

  /**
   * Vert.x runs each HTTP request on its own duplicate of the server's context. Keying by that would make
   * one LoopFanout (with its own hand-off per message and its own keepalive timer) per connection; the
   * root context stands for the event loop itself, which is what the streams share.
   */
  private static Context rootOf(Context context) {
    return ((ContextInternal) context).unwrap();
  }

  private void dropped(SseStream stream) {
    detach(stream);
  }

  private static List<String> addressesOf(SseStream stream) {
    List<String> addresses = new ArrayList<>();
    for (Namespace namespace : stream.subscription().namespaces()) {
      addresses.add(namespace.address());
    }
    return addresses;
  }

  private NamespaceChannel openChannel(String address) {
    return new NamespaceChannel(address);
  }

  /** One namespace's consumer and the loops that want its messages; confined to the hub context. */
  private final class NamespaceChannel {

    private final String address;
    private MessageConsumer<Object> consumer;
    /** Registered here and routed here by every other node: see {@link RouteConfirmations}. */
    private final Future<Void> ready;
    private final Map<LoopFanout, Integer> streamsPerLoop = new HashMap<>();
    private final RecentIds recentRepeatableIds = new RecentIds(100_000, 10 * 60_000L);
    /** Renewals whose old consumer is still registered: every id is checked then, not only repeatable ones. */
    private int renewalsUnderway;
    /** Ids are also checked until then, for messages still in flight when an old consumer went. */
    private long checkAllIdsUntilMillis;
    /** Nobody here needs the channel any more; a renewal that ends after this keeps no consumer. */
    private boolean closed;

    NamespaceChannel(String address) {
      this.address = address;
      this.consumer = vertx.eventBus().consumer(address, this::onMessage);
      this.ready = consumer.completion().compose(v -> routes.confirm(address));
    }

    /**
     * A second consumer first, then the old one goes, a little later: no gap in which a message reaches
     * neither. A message that reaches both is delivered once, because every id is checked meanwhile. The
     * address is announced again, so that no node keeps an answer, taken while the registration was lost,
     * that nobody watches it. If the new registration fails, the old consumer stays.
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

    Future<Void> addInterest(LoopFanout loop) {
      streamsPerLoop.merge(loop, 1, Integer::sum);
      return ready;
    }

    /** True when nobody on this node needs the channel any more. */
    boolean removeInterest(LoopFanout loop) {
      streamsPerLoop.computeIfPresent(loop, (l, n) -> n > 1 ? n - 1 : null);
      return streamsPerLoop.isEmpty();
    }

    void close() {
      closed = true;
      consumer.unregister();
    }

    private void onMessage(Message<Object> message) {
      if (routes.consumeProbe(message)) {
        return;
      }
      Buffer frame = frameOf(message);
      if (frame == null) {
        return;
      }
      for (LoopFanout loop : streamsPerLoop.keySet()) {
        loop.dispatch(address, frame);
      }
    }

    private Buffer frameOf(Message<Object> message) {
      String id = message.headers().get(BusAddresses.HEADER_ID);
      if (id == null) {
        return foreignFrame(message);
      }
      long now = System.currentTimeMillis();
      boolean checkId = renewalsUnderway > 0 || now < checkAllIdsUntilMillis
          || message.headers().contains(BusAddresses.HEADER_MAY_REPEAT);
      if (checkId && !recentRepeatableIds.firstTime(id, now)) {
        counters.duplicatesSuppressed.increment();
        return null;
      }
      return (Buffer) message.body();
    }

    /**
     * A message that bypassed the Publisher (sent point-to-point, or published by a process without our
     * interceptor). It reaches this namespace's own subscribers only, since its ancestors were never told.
     */
    private Buffer foreignFrame(Message<Object> message) {
      try {
        Publication publication = Publication.fromBusBody(Namespace.parse(address), message.body());
        return SseFrames.event(localIds.next(), publication.event(), publication.data());
      } catch (IllegalArgumentException rejected) {
        counters.rejectedEventBus.increment();
        log.log(Level.WARNING, "Dropped event-bus message on '" + address + "': " + rejected.getMessage());
        return null;
      }
    }
  }
}
