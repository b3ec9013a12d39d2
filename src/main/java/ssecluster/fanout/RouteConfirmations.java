package ssecluster.fanout;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;
import ssecluster.LogThrottle;
import ssecluster.bus.BusAddresses;
import ssecluster.bus.UnwatchedAddresses;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * Closes a gap in the clustered event bus: a node that already routes an address to some nodes learns that
 * another node joined them only through a throttled, asynchronous update (Vert.x's Hazelcast cluster manager
 * refreshes its cache at most every 20 ms). A node that starts watching a namespace another node already
 * watches could therefore miss events published elsewhere just after its stream opened (measured: 8 of 10
 * at once, none after 25 ms, on an idle machine).
 *
 * <p>So a newly registered namespace consumer is confirmed before its streams are told they are subscribed:
 * this node asks every other node (on {@link BusAddresses#ROUTE_CHECK}) to publish probes on the address,
 * from now on and a few times over the next seconds, and publishes its own; once a probe from each node,
 * this one included, has arrived here, each routes the address to this node. This node's own probe matters
 * when another node already watched the address: until the same throttled update reaches this node, its
 * own publishes go to the other node only. Probes carry {@link BusAddresses#HEADER_PROBE} and never reach a client.
 * A node that does not answer within {@link #CONFIRM_TIMEOUT_MILLIS} does not hold streams up longer: the
 * streams open, and the missing nodes are logged. The same request tells every node to forget that the
 * address had no watcher ({@link UnwatchedAddresses}), before its first probe. Once every node was heard,
 * this node says so on the same address, and the others stop probing: a confirmation usually costs each other
 * node two or three probes, not the whole schedule. Confined to the hub's event loop.
 */
final class RouteConfirmations {

  private static final Logger log = Logger.getLogger(RouteConfirmations.class.getName());
  static final long CONFIRM_TIMEOUT_MILLIS = 3000;
  /** When a node asked to confirm publishes its probes: soon, then spread over the time an update may take. */
  private static final long[] PROBE_DELAYS_MILLIS = {0, 20, 50, 100, 200, 400, 800, 1600};
  /** When the request is repeated, for a node that joined too recently to get the first one. */
  private static final long[] REQUEST_DELAYS_MILLIS = {0, 250, 1000};

  private final Vertx vertx;
  private final Context hubContext;
  /** Null for a Vert.x that is not clustered (then there is nobody to confirm with). */
  private final ClusterManager clusterManager;
  private final UnwatchedAddresses unwatched;
  private final Map<String, Pending> pendingByToken = new HashMap<>();
  /** Confirmations of other nodes this node probes for (the request is repeated; the schedule runs once). */
  private final Set<String> probingFor = new HashSet<>();
  /** One warning per interval at most, however many confirmations time out (a flood of new streams). */
  private final LogThrottle unconfirmed = new LogThrottle(10_000);

  /** One confirmation under way: the nodes still to hear from. */
  private static final class Pending {
    final Set<String> waitingFor;
    final Promise<Void> done = Promise.promise();

    Pending(Set<String> waitingFor) {
      this.waitingFor = waitingFor;
    }
  }

  RouteConfirmations(Vertx vertx, Context hubContext, ClusterManager clusterManager, UnwatchedAddresses unwatched) {
    this.vertx = vertx;
    this.unwatched = unwatched;
    this.hubContext = hubContext;
    this.clusterManager = clusterManager;
  }

  /** Starts answering other nodes' requests. */
  Future<Void> start() {
    if (clusterManager == null) {
      return Future.succeededFuture();
    }
    return vertx.eventBus().<JsonObject>consumer(BusAddresses.ROUTE_CHECK, this::onRequest).completion();
  }

  /** Completes once every other node routes {@code address} to this node (or after the timeout). */
  Future<Void> confirm(String address) {
    unwatched.watchStarted(address);
    if (clusterManager == null) {
      return Future.succeededFuture();
    }
    return registrationsOf(BusAddresses.ROUTE_CHECK).compose(registrations -> {
      String self = clusterManager.getNodeId();
      Set<String> waitingFor = new HashSet<>();
      for (RegistrationInfo registration : registrations) {
        waitingFor.add(registration.nodeId());
      }
      // This node too: its own publishes reach its consumer only once its route cache lists itself, and
      // when another node already watched the address that cache is updated just as late.
      waitingFor.add(self);
      String token = UUID.randomUUID().toString();
      Pending pending = new Pending(waitingFor);
      pendingByToken.put(token, pending);
      probe(address, token, () -> pendingByToken.containsKey(token));
      JsonObject request = new JsonObject().put("address", address).put("token", token).put("node", self);
      boolean othersAsked = waitingFor.size() > 1;
      if (othersAsked) {
        pending.done.future().onComplete(v -> vertx.eventBus().publish(BusAddresses.ROUTE_CHECK,
            new JsonObject().put("done", token).put("node", self)));
        for (long delay : REQUEST_DELAYS_MILLIS) {
          after(delay, () -> {
            if (pendingByToken.containsKey(token)) {
              vertx.eventBus().publish(BusAddresses.ROUTE_CHECK, request);
            }
          });
        }
      }
      vertx.setTimer(CONFIRM_TIMEOUT_MILLIS, id -> {
        if (pendingByToken.remove(token) != null) {
          unconfirmed.log(log::warning, "Streams of '" + address + "' open without confirmation from node(s) "
              + pending.waitingFor + " that they route it here (no probe within " + CONFIRM_TIMEOUT_MILLIS + " ms);"
              + " events those nodes publish in the next moments may not reach this node");
          pending.done.complete();
        }
      });
      return pending.done.future();
    }).recover(failure -> {
      log.warning("Could not confirm that other nodes route '" + address + "' here (" + failure
          + "); its streams open anyway");
      return Future.succeededFuture();
    });
  }

  /** Completed by a cluster-manager thread; handed back to the hub's context, where the rest runs. */
  private Future<List<RegistrationInfo>> registrationsOf(String address) {
    Promise<List<RegistrationInfo>> answered = Promise.promise();
    clusterManager.getRegistrations(address, answered);
    Promise<List<RegistrationInfo>> onHub = Promise.promise();
    answered.future().onComplete(result -> hubContext.runOnContext(v -> onHub.handle(result)));
    return onHub.future();
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

  /**
   * Another node starts watching an address: probe it until that node says it heard every node (or the
   * schedule ends). A repeated request (for nodes that joined late) does not start a second schedule.
   */
  private void onRequest(Message<JsonObject> request) {
    JsonObject body = request.body();
    if (body == null || clusterManager.getNodeId().equals(body.getString("node"))) {
      return;
    }
    String done = body.getString("done");
    if (done != null) {
      probingFor.remove(done);
      return;
    }
    String address = body.getString("address");
    String token = body.getString("token");
    unwatched.watchStarted(address);
    if (address == null || token == null || !probingFor.add(token)) {
      return;
    }
    probe(address, token, () -> probingFor.contains(token));
    after(PROBE_DELAYS_MILLIS[PROBE_DELAYS_MILLIS.length - 1] + 1, () -> probingFor.remove(token));
  }

  /** Publishes this node's probes for a confirmation on the address, soon, then spread out, while wanted. */
  private void probe(String address, String token, BooleanSupplier stillWanted) {
    DeliveryOptions probe = new DeliveryOptions()
        .addHeader(BusAddresses.HEADER_PROBE, token)
        .addHeader(BusAddresses.HEADER_PROBE_NODE, clusterManager.getNodeId());
    for (long delay : PROBE_DELAYS_MILLIS) {
      after(delay, () -> {
        if (stillWanted.getAsBoolean()) {
          vertx.eventBus().publish(address, "", probe);
        }
      });
    }
  }

  private void after(long delayMillis, Runnable action) {
    if (delayMillis == 0) {
      action.run();
    } else {
      vertx.setTimer(delayMillis, id -> action.run());
    }
  }
}
