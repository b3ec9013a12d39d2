package ssecluster.fanout;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import ssecluster.bus.BusAddresses;
import ssecluster.bus.UnwatchedAddresses;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The answering side of {@link RouteConfirmations}, one per node: another node that starts watching addresses
 * asks (on {@link BusAddresses#ROUTE_CHECK}) for probes on them; this node forgets that those addresses had no
 * watcher ({@link UnwatchedAddresses}) and publishes a probe on each, soon, then spread over the time a routing
 * update may take, until the asking node says it heard every node (a "done" notice) or the schedule ends. A
 * request repeated for nodes that joined late does not start a second schedule. Requests name many addresses
 * at once; one timer per step serves them all. Confined to the context it was started on.
 */
final class RouteProbes {

  /** When probes go out after a request: soon, then spread over the time an update may take. */
  static final long[] PROBE_DELAYS_MILLIS = {0, 20, 50, 100, 200, 400, 800, 1600};

  private final Vertx vertx;
  private final String nodeId;
  private final UnwatchedAddresses unwatched;
  /** Confirmations (by token) this node probes for now. */
  private final Set<String> probingFor = new HashSet<>();

  private record Check(String address, String token) {
  }

  RouteProbes(Vertx vertx, String nodeId, UnwatchedAddresses unwatched) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.unwatched = unwatched;
  }

  Future<Void> start() {
    return vertx.eventBus().<JsonObject>consumer(BusAddresses.ROUTE_CHECK, this::onRequest).completion();
  }

  private void onRequest(Message<JsonObject> request) {
    JsonObject body = request.body();
    if (body == null || nodeId.equals(body.getString("node"))) {
      return;
    }
    for (Object done : body.getJsonArray("done", new JsonArray())) {
      probingFor.remove(String.valueOf(done));
    }
    List<Check> started = new ArrayList<>();
    for (Object item : body.getJsonArray("checks", new JsonArray())) {
      if (item instanceof JsonObject check && check.getString("address") != null && check.getString("token") != null) {
        unwatched.watchStarted(check.getString("address"));
        if (probingFor.add(check.getString("token"))) {
          started.add(new Check(check.getString("address"), check.getString("token")));
        }
      }
    }
    if (!started.isEmpty()) {
      schedule(started);
    }
  }

  private void schedule(List<Check> checks) {
    DeliveryOptions[] options = new DeliveryOptions[checks.size()];
    for (int i = 0; i < checks.size(); i++) {
      options[i] = new DeliveryOptions()
          .addHeader(BusAddresses.HEADER_PROBE, checks.get(i).token())
          .addHeader(BusAddresses.HEADER_PROBE_NODE, nodeId);
    }
    for (long delay : PROBE_DELAYS_MILLIS) {
      Runnable step = () -> {
        for (int i = 0; i < checks.size(); i++) {
          if (probingFor.contains(checks.get(i).token())) {
            vertx.eventBus().publish(checks.get(i).address(), "", options[i]);
          }
        }
      };
      if (delay == 0) {
        step.run();
      } else {
        vertx.setTimer(delay, id -> step.run());
      }
    }
    vertx.setTimer(PROBE_DELAYS_MILLIS[PROBE_DELAYS_MILLIS.length - 1] + 1,
        id -> checks.forEach(check -> probingFor.remove(check.token())));
  }
}
