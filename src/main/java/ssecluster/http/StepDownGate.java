package ssecluster.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import ssecluster.status.NodeState;

/**
 * While the node has stepped down (cut off from most of its cluster, or just paused: see cluster.IslandGuard),
 * new streams and publishes are refused with {@code 503} and the reason: a stream opened here would hear
 * nothing from the rest of the cluster, and a message published here would reach nobody there. A load balancer
 * that checks {@code /health} (503 then too) sends clients to another node meanwhile.
 */
final class StepDownGate {

  /** When to ask again: about when a node that merged back or was paused has checked its cluster again. */
  private static final String RETRY_AFTER_SECONDS = "2";

  private final NodeState state;
  private final CrossOrigin crossOrigin;

  StepDownGate(NodeState state, CrossOrigin crossOrigin) {
    this.state = state;
    this.crossOrigin = crossOrigin;
  }

  /** For {@code GET /subscribe}, served before the router: answers 503 and returns true while stepped down. */
  boolean refusedStream(HttpServerRequest request) {
    String reason = state.stepDownReason();
    if (reason == null) {
      return false;
    }
    crossOrigin.decorate(request);
    refuse(request.response(), "new streams", reason);
    return true;
  }

  /** A route handler (after the CORS one) that answers publishes 503 while stepped down. */
  Handler<RoutingContext> publishes() {
    return ctx -> {
      String reason = state.stepDownReason();
      if (reason == null) {
        ctx.next();
      } else {
        refuse(ctx.response(), "publishes", reason);
      }
    };
  }

  private static void refuse(HttpServerResponse response, String what, String reason) {
    response.putHeader("Retry-After", RETRY_AFTER_SECONDS);
    ErrorResponses.send(response, 503, "this node takes no " + what + " now, use another one: it stepped down, "
        + reason);
  }
}
