package ssecluster.fanout;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.spi.cluster.ClusterManager;
import ssecluster.bus.UnwatchedAddresses;
import ssecluster.history.HistoryStore;
import ssecluster.namespace.Namespace;
import ssecluster.namespace.Subscription;
import ssecluster.status.NodeCounters;
import ssecluster.status.StreamCensus;
import ssecluster.wire.StreamStatus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Node-wide fan-out: exactly one event-bus consumer per namespace that any stream of this node watches
 * ({@link NamespaceChannel}), registered when the first stream asks for it and unregistered when the last
 * one leaves. The channels live on a few shards ({@link HubShard}), each on a context of its own, by a hash
 * of the address; each incoming frame is handed once to every event loop that holds interested streams
 * ({@link LoopFanout}), which writes the same bytes to each of them. Each HTTP verticle asks for its loop's
 * fan-out when it starts ({@link #loopFanout}).
 *
 * <p>A channel whose last stream left stays for {@link #LINGER_MILLIS} before its consumer goes: a client that
 * reconnects, or opens and closes streams in a loop (HTTP/2 rapid reset), finds it ready, and costs no
 * registration and no route confirmation across the cluster each time.
 */
public final class FanoutHub extends VerticleBase {

  /** How long a channel nobody watches any more is kept, in case someone watches it again. */
  static final long LINGER_MILLIS = 5_000;
  /**
   * Shards of the channels: Vert.x registers the consumers made on one context one after the other (each a call
   * to Hazelcast), so a storm of new namespaces is registered this many at a time.
   */
  static final int SHARDS = 8;

  private final NodeCounters counters;
  private final HistoryStore history;
  private final long keepaliveMillis;
  private final long writeDelayMillis;
  private final UnwatchedAddresses unwatched;
  private final ClusterManager clusterManager;
  private final List<HubShard> shards = new CopyOnWriteArrayList<>();
  private final List<LoopFanout> loops = new CopyOnWriteArrayList<>();

  /** Deploy once per node. {@code clusterManager} null: not clustered. */
  public FanoutHub(NodeCounters counters, HistoryStore history, long keepaliveMillis, long writeDelayMillis,
                   UnwatchedAddresses unwatched, ClusterManager clusterManager) {
    this.counters = counters;
    this.history = history;
    this.unwatched = unwatched;
    this.keepaliveMillis = keepaliveMillis;
    this.writeDelayMillis = writeDelayMillis;
    this.clusterManager = clusterManager;
  }

  @Override
  public Future<?> start() {
    Future<Void> probes = clusterManager == null ? Future.succeededFuture()
        : new RouteProbes(vertx, clusterManager.getNodeId(), unwatched).start();
    return probes.compose(v -> vertx.deployVerticle(() -> {
      HubShard shard = new HubShard(counters, history, unwatched, clusterManager, LINGER_MILLIS);
      shards.add(shard);
      return shard;
    }, new DeploymentOptions().setInstances(SHARDS)));
  }

  /** The fan-out of an event loop's streams; call once per loop, from that loop's verticle. */
  public LoopFanout loopFanout(Context loopContext) {
    LoopFanout loop = new LoopFanout(loopContext, keepaliveMillis, writeDelayMillis, counters.delivered,
        counters.streamWrites, this::detach);
    loops.add(loop);
    return loop;
  }

  /**
   * Attaches a subscriber of {@code loop}, from that loop. The returned future completes on the subscriber's
   * context once every consumer it needs is registered across the cluster; from then on it receives events.
   */
  public Future<Void> attach(Subscriber subscriber, LoopFanout loop) {
    Context streamContext = loop.context();
    List<String> addresses = addressesOf(subscriber);
    List<Future<Void>> ready = new ArrayList<>();
    byShard(addresses).forEach((shard, some) -> ready.add(shard.addInterest(some, loop)));
    Promise<Void> attached = Promise.promise();
    Future.all(ready).onComplete(result -> streamContext.runOnContext(w -> {
      if (result.failed()) {
        attached.fail(result.cause());
      } else if (subscriber.isClosed()) {
        attached.fail("stream closed while subscribing");
      } else {
        loop.add(subscriber, addresses);
        attached.complete();
      }
    }));
    return attached.future();
  }

  /** Detaches a subscriber (client gone, dropped or ended), releasing consumers nobody needs any more. */
  public void detach(Subscriber subscriber, LoopFanout loop) {
    if (!subscriber.detachOnce()) {
      return;
    }
    counters.connectionsClosed.increment();
    List<String> addresses = addressesOf(subscriber);
    loop.remove(subscriber, addresses);
    byShard(addresses).forEach((shard, some) -> shard.removeInterest(some, loop));
  }

  /** Ends every stream of {@code loop} (its HTTP server is stopping). */
  public void endStreams(LoopFanout loop) {
    loop.endAll().forEach(subscriber -> detach(subscriber, loop));
  }

  /**
   * Registers every namespace consumer again. Hazelcast keeps the cluster's table of event-bus
   * registrations in partitions; a node that dies before its partitions were backed up (just after others
   * joined) takes some registrations with it, and publishes to those addresses then reach nobody. Vert.x
   * re-adds a node's registrations when a member leaves, but that can run before the loss is final, so
   * the node calls this when Hazelcast reports lost partitions. Completes when all are registered again.
   */
  public Future<Void> renewRegistrations() {
    List<Future<Void>> renewed = new ArrayList<>();
    shards.forEach(shard -> renewed.add(shard.renewRegistrations()));
    return Future.all(renewed).mapEmpty();
  }

  /**
   * What each open stream of this node that {@code filter} takes looks like now, at most {@code limit} of them,
   * gathered on each stream's own event loop (their counters are confined to it).
   */
  public Future<List<StreamStatus>> streamStatuses(int limit, Predicate<Subscription> filter) {
    return Future.all(onEachLoop(loop -> loop.statuses(limit, filter))).map(all -> {
      List<StreamStatus> merged = new ArrayList<>();
      for (int i = 0; i < all.size() && merged.size() < limit; i++) {
        List<StreamStatus> some = all.resultAt(i);
        merged.addAll(some.subList(0, Math.min(some.size(), limit - merged.size())));
      }
      return merged;
    });
  }

  /** How many of this node's streams listen to each namespace and use each protocol, counted on their loops. */
  public Future<StreamCensus> census() {
    return Future.all(onEachLoop(LoopFanout::census)).map(all -> StreamCensus.merge(all.list()));
  }

  private <T> List<Future<T>> onEachLoop(Function<LoopFanout, T> read) {
    List<Future<T>> perLoop = new ArrayList<>();
    for (LoopFanout loop : loops) {
      Promise<T> result = Promise.promise();
      loop.context().runOnContext(v -> result.complete(read.apply(loop)));
      perLoop.add(result.future());
    }
    return perLoop;
  }

  /** Number of namespace consumers this node holds; for status and tests. */
  public Future<Integer> channelCount() {
    List<Future<Integer>> counts = new ArrayList<>();
    shards.forEach(shard -> counts.add(shard.channelCount()));
    return Future.all(counts).map(all -> {
      int total = 0;
      for (int i = 0; i < all.size(); i++) {
        total += all.<Integer>resultAt(i);
      }
      return total;
    });
  }

  private Map<HubShard, List<String>> byShard(List<String> addresses) {
    Map<HubShard, List<String>> grouped = new HashMap<>();
    for (String address : addresses) {
      grouped.computeIfAbsent(shards.get(Math.floorMod(address.hashCode(), shards.size())), s -> new ArrayList<>())
          .add(address);
    }
    return grouped;
  }

  private static List<String> addressesOf(Subscriber subscriber) {
    List<String> addresses = new ArrayList<>();
    for (Namespace namespace : subscriber.subscription().namespaces()) {
      addresses.add(namespace.address());
    }
    return addresses;
  }
}
