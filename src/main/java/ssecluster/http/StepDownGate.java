package ssecluster.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import ssecluster.status.NodeState;
import ssecluster.wire.SseFrames;

/**
 * While the node has stepped down (cut off from most of its cluster, or just paused: see cluster.IslandGuard),
 * new streams and publishes are refused with {@code 503} and the reason: a stream opened here would hear
 * nothing from the rest of the cluster, and a message published here would reach nobody there. A load balancer
 * that checks {@code /health} (503 then too) sends clients to another node meanwhile.
 *
 * <p>EventSource gives up for good on any answer but a 200 stream, so a browser's stream request (it asks
 * {@code Accept: text/event-stream}) is answered with a stream that ends at once after its {@code retry:}
 * field: EventSource then tries again after that delay, through the load balancer to another node, or here
 * once the node serves again, with its Last-Event-ID, and loses nothing.
 */
final class StepDownGate {

  /** When to ask again: about when a node that merged back or was paused has checked its cluster again. */
  private static final String RETRY_AFTER_SECONDS = "2";

  private final NodeState state;
  private final CrossOrigin crossOrigin;
  private final long retryMillis;

  StepDownGate(NodeState state, CrossOrigin crossOrigin, long retryMillis) {
    this.state = state;
    this.crossOrigin = crossOrigin;
    this.retryMillis = retryMillis;
  }

  /** For {@code GET /subscribe}, served before the router: answers 503 and returns true while stepped down. */
  boolean refusedStream(HttpServerRequest request) {
    String reason = state.stepDownReason();
    if (reason == null) {
      return false;
    }
    crossOrigin.decorate(request);
    String accept = request.getHeader("Accept");
    if (accept != null && accept.contains("text/event-stream")) {
      request.response()
          .putHeader("Content-Type", "text/event-stream")
          .putHeader("Cache-Control", "no-cache")
          .end(SseFrames.retry(retryMillis).appendString(":this node stepped down (" + reason.replace('\n', ' ')
              + "); reconnect\n\n"));
      return true;
    }
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
