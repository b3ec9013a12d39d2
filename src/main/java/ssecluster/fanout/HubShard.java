package ssecluster.fanout;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.spi.cluster.ClusterManager;
import ssecluster.bus.UnwatchedAddresses;
import ssecluster.history.HistoryStore;
import ssecluster.status.NodeCounters;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One part of a node's namespace channels (those whose address hashes to it; see {@link FanoutHub}), with their
 * consumers, route confirmations and bookkeeping, all confined to the shard's own context. A node has several
 * shards so that registering thousands of new namespaces goes on in parallel: Vert.x registers the consumers
 * made on one context one after the other, each a call to Hazelcast.
 *
 * <p>A channel whose last stream left stays for {@link FanoutHub#LINGER_MILLIS} before its consumer goes.
 */
final class HubShard extends VerticleBase {

  private final NodeCounters counters;
  private final HistoryStore history;
  private final UnwatchedAddresses unwatched;
  private final ClusterManager clusterManager;
  private final long lingerMillis;
  /** Confined to the shard's context. */
  private final Map<String, NamespaceChannel> channels = new HashMap<>();
  private RouteConfirmations routes;

  HubShard(NodeCounters counters, HistoryStore history, UnwatchedAddresses unwatched, ClusterManager clusterManager,
           long lingerMillis) {
    this.counters = counters;
    this.history = history;
    this.unwatched = unwatched;
    this.clusterManager = clusterManager;
    this.lingerMillis = lingerMillis;
  }

  @Override
  public Future<?> start() {
    routes = new RouteConfirmations(vertx, context, clusterManager, unwatched);
    return Future.succeededFuture();
  }

  /** Registers {@code loop}'s interest in these addresses; completes (on this shard) once all are ready. */
  Future<Void> addInterest(List<String> addresses, LoopFanout loop) {
    Promise<Void> ready = Promise.promise();
    context.runOnContext(v -> {
      List<Future<Void>> each = new ArrayList<>(addresses.size());
      for (String address : addresses) {
        each.add(channels.computeIfAbsent(address, this::openChannel).addInterest(loop));
      }
      Future.all(each).<Void>mapEmpty().onComplete(ready);
    });
    return ready.future();
  }

  /** Removes {@code loop}'s interest; a channel nobody wants any more goes after the linger. */
  void removeInterest(List<String> addresses, LoopFanout loop) {
    context.runOnContext(v -> {
      for (String address : addresses) {
        NamespaceChannel channel = channels.get(address);
        if (channel != null && channel.removeInterest(loop)) {
          vertx.setTimer(lingerMillis, id -> {
            if (channel.unwatched() && channels.remove(address, channel)) {
              channel.close();
            }
          });
        }
      }
    });
  }

  /** See {@link FanoutHub#renewRegistrations()}. */
  Future<Void> renewRegistrations() {
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

  Future<Integer> channelCount() {
    Promise<Integer> count = Promise.promise();
    context.runOnContext(v -> count.complete(channels.size()));
    return count.future();
  }

  private NamespaceChannel openChannel(String address) {
    return new NamespaceChannel(vertx, address, routes, history, counters);
  }
}
