package ssecluster.http;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import ssecluster.status.NodeCounters;
import ssecluster.status.NodeState;

/**
 * {@code GET /health}: 200 once the node has joined the cluster and serves; 503 while it starts, stops, or has
 * stepped down (cut off from most of its cluster, or just paused), then with the {@code reason}.
 */
final class HealthHandler implements Handler<RoutingContext> {

  private final NodeState state;
  private final NodeCounters counters;

  HealthHandler(NodeState state, NodeCounters counters) {
    this.state = state;
    this.counters = counters;
  }

  @Override
  public void handle(RoutingContext ctx) {
    state.clusterSafe(ctx.vertx()).onComplete(clusterSafe -> respond(ctx, clusterSafe.result()));
  }

  private void respond(RoutingContext ctx, boolean clusterSafe) {
    NodeState.Phase phase = state.phase();
    JsonObject body = new JsonObject()
        .put("status", phase == NodeState.Phase.UP ? "UP" : phase.name())
        .put("node", state.nodeName())
        .put("nodeId", state.nodeId())
        .put("startedAt", state.startedAtMillis())
        .put("clusterMembers", new JsonArray(state.clusterMembers()))
        .put("clusterSafe", clusterSafe)
        .put("connections", counters.openConnections())
        .put("published", counters.published.sum())
        .put("unwatchedSkipped", counters.unwatchedSkipped.sum())
        .put("delivered", counters.delivered.sum())
        .put("streamWrites", counters.streamWrites.sum())
        .put("redis", state.redis().toJson(counters))
        .put("postgres", state.postgres().toJson(counters));
    String reason = state.stepDownReason();
    if (reason != null) {
      body.put("reason", reason);
    }
    ctx.response()
        .setStatusCode(phase == NodeState.Phase.UP ? 200 : 503)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }
}
