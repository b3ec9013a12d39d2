package ssecluster.fanout;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;
import ssecluster.LogThrottle;
import ssecluster.bus.BusAddresses;
import ssecluster.bus.UnwatchedAddresses;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * Closes a gap in the clustered event bus: a node that already routes an address to some nodes learns that
 * another node joined them only through a throttled, asynchronous update (Vert.x's Hazelcast cluster manager
 * refreshes its cache at most every 20 ms). A node that starts watching a namespace another node already
 * watches could therefore miss events published elsewhere just after its stream opened (measured: 8 of 10
 * at once, none after 25 ms, on an idle machine).
 *
 * <p>So a newly registered namespace consumer is confirmed before its streams are told they are subscribed:
 * this node asks every other node (on {@link BusAddresses#ROUTE_CHECK}) to publish probes on the address
 * ({@link RouteProbes}), and publishes its own; once a probe from each node, this one included, has arrived
 * here, each routes the address to this node. This node's own probe matters when another node already watched
 * the address: until the same throttled update reaches this node, its own publishes go to the other node
 * only. Probes carry {@link BusAddresses#HEADER_PROBE} and never reach a client. A node that does not answer
 * within {@link #CONFIRM_TIMEOUT_MILLIS} does not hold streams up longer: the streams open, and the missing
 * nodes are logged (once per interval). Once every node was heard, this node says so, and the others stop
 * probing. Requests, repeats and "done" notices of many addresses go out together, gathered for
 * {@link #GATHER_MILLIS}: a thousand new namespaces cost the cluster a handful of broadcasts, not thousands.
 * Confined to its shard's context.
 */
final class RouteConfirmations {

  private static final Logger log = Logger.getLogger(RouteConfirmations.class.getName());
  static final long CONFIRM_TIMEOUT_MILLIS = 3000;
  /** When a request is sent again, for a node that joined too recently to get the first one. */
  private static final long[] REPEAT_DELAYS_MILLIS = {250, 1000};
  /** How long requests and notices are gathered before they go out together. */
  static final long GATHER_MILLIS = 2;
  /** How long the list of nodes that answer route checks is trusted before it is asked again. */
  private static final long ANSWERING_NODES_FOR_MILLIS = 1000;

  private final Vertx vertx;
  private final Context context;
  /** Null for a Vert.x that is not clustered (then there is nobody to confirm with). */
  private final ClusterManager clusterManager;
  private final UnwatchedAddresses unwatched;
  private final Map<String, Pending> pendingByToken = new HashMap<>();
  /** One warning per interval at most, however many confirmations time out (a flood of new streams). */
  private final LogThrottle unconfirmed = new LogThrottle(10_000);
  private List<Pending> toRequest = new ArrayList<>();
  private JsonArray toAnnounceDone = new JsonArray();
  private boolean flushScheduled;
  private Future<Set<String>> answeringNodes;
  private long answeringNodesAtMillis;

  /** One confirmation under way: the nodes still to hear from. */
  private static final class Pending {
    final String address;
    final String token = UUID.randomUUID().toString();
    final Set<String> waitingFor;
    final Promise<Void> done = Promise.promise();

    Pending(String address, Set<String> waitingFor) {
      this.address = address;
      this.waitingFor = waitingFor;
    }
  }

  RouteConfirmations(Vertx vertx, Context context, ClusterManager clusterManager, UnwatchedAddresses unwatched) {
    this.vertx = vertx;
    this.context = context;
    this.clusterManager = clusterManager;
    this.unwatched = unwatched;
  }

  /** Completes once every other node routes {@code address} to this node (or after the timeout). */
  Future<Void> confirm(String address) {
    unwatched.watchStarted(address);
    if (clusterManager == null) {
      return Future.succeededFuture();
    }
    return answeringNodes().compose(nodes -> {
      Set<String> waitingFor = new HashSet<>(nodes);
      // This node too: its own publishes reach its consumer only once its route cache lists itself, and
      // when another node already watched the address that cache is updated just as late.
      waitingFor.add(clusterManager.getNodeId());
      Pending pending = new Pending(address, waitingFor);
      boolean othersAsked = waitingFor.size() > 1;
      pendingByToken.put(pending.token, pending);
      toRequest.add(pending);
      scheduleFlush();
      if (othersAsked) {
        pending.done.future().onComplete(v -> {
          toAnnounceDone.add(pending.token);
          scheduleFlush();
        });
      }
      vertx.setTimer(CONFIRM_TIMEOUT_MILLIS, id -> {
        if (pendingByToken.remove(pending.token) != null) {
          unconfirmed.log(log::warning, "Streams of '" + address + "' open without confirmation from node(s) "
              + pending.waitingFor + " that they route it here (no probe within " + CONFIRM_TIMEOUT_MILLIS + " ms);"
              + " events those nodes publish in the next moments may not reach this node");
          pending.done.complete();
        }
      });
      return pending.done.future();
    }).recover(failure -> {
      unconfirmed.log(log::warning, "Could not confirm that other nodes route '" + address + "' here (" + failure
          + "); its streams open anyway");
      return Future.succeededFuture();
    });
  }

  /**
   * Takes a message that reached a namespace consumer; true when it was a probe (never delivered to
   * clients), which may complete a confirmation of this node.
   */
  boolean consumeProbe(Message<?> message) {
    String token = message.headers().get(BusAddresses.HEADER_PROBE);
    if (token == null) {
      return false;
    }
    Pending pending = pendingByToken.get(token);
    if (pending != null && pending.waitingFor.remove(message.headers().get(BusAddresses.HEADER_PROBE_NODE))
        && pending.waitingFor.isEmpty()) {
      pendingByToken.remove(token);
      pending.done.complete();
    }
    return true;
  }

  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      vertx.setTimer(GATHER_MILLIS, id -> flush());
    }
  }

  /** Sends what was gathered: one request for the new confirmations, one notice for the finished ones. */
  private void flush() {
    flushScheduled = false;
    String self = clusterManager.getNodeId();
    if (!toAnnounceDone.isEmpty()) {
      vertx.eventBus().publish(BusAddresses.ROUTE_CHECK, new JsonObject().put("node", self).put("done", toAnnounceDone));
      toAnnounceDone = new JsonArray();
    }
    if (toRequest.isEmpty()) {
      return;
    }
    List<Pending> round = toRequest;
    toRequest = new ArrayList<>();
    request(round);
    for (long delay : REPEAT_DELAYS_MILLIS) {
      vertx.setTimer(delay, id -> request(round.stream().filter(p -> pendingByToken.containsKey(p.token)).toList()));
    }
    // This node's own probes, on the same schedule as the other nodes' (RouteProbes).
    for (long delay : RouteProbes.PROBE_DELAYS_MILLIS) {
      Runnable step = () -> {
        for (Pending pending : round) {
          if (pendingByToken.containsKey(pending.token)) {
            vertx.eventBus().publish(pending.address, "", new DeliveryOptions()
                .addHeader(BusAddresses.HEADER_PROBE, pending.token)
                .addHeader(BusAddresses.HEADER_PROBE_NODE, self));
          }
        }
      };
      if (delay == 0) {
        step.run();
      } else {
        vertx.setTimer(delay, id -> step.run());
      }
    }
  }

  private void request(List<Pending> pending) {
    JsonArray checks = new JsonArray();
    for (Pending p : pending) {
      if (p.waitingFor.size() > 1 || !p.waitingFor.contains(clusterManager.getNodeId())) {
        checks.add(new JsonObject().put("address", p.address).put("token", p.token));
      }
    }
    if (!checks.isEmpty()) {
      vertx.eventBus().publish(BusAddresses.ROUTE_CHECK,
          new JsonObject().put("node", clusterManager.getNodeId()).put("checks", checks));
    }
  }

  /** The nodes that answer route checks (every node), asked of the cluster at most once a second. */
  private Future<Set<String>> answeringNodes() {
    long now = System.currentTimeMillis();
    if (answeringNodes == null || (answeringNodes.isComplete() && now - answeringNodesAtMillis > ANSWERING_NODES_FOR_MILLIS)) {
      answeringNodesAtMillis = now;
      answeringNodes = registrationsOf(BusAddresses.ROUTE_CHECK).map(registrations -> {
        Set<String> nodes = new HashSet<>();
        for (RegistrationInfo registration : registrations) {
          nodes.add(registration.nodeId());
        }
        return nodes;
      });
    }
    return answeringNodes;
  }

  /** Completed by a cluster-manager thread; handed back to this confirmation's context, where the rest runs. */
  private Future<List<RegistrationInfo>> registrationsOf(String address) {
    Promise<List<RegistrationInfo>> answered = Promise.promise();
    clusterManager.getRegistrations(address, answered);
    Promise<List<RegistrationInfo>> onContext = Promise.promise();
    answered.future().onComplete(result -> context.runOnContext(v -> onContext.handle(result)));
    return onContext.future();
  }
}
