package ssecluster.http;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import ssecluster.status.NodeCounters;
import ssecluster.status.NodeSnapshot;
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
    NodeSnapshot now = NodeSnapshot.take(state, counters);
    NodeState.Phase phase = now.phase();
    JsonObject body = new JsonObject()
        .put("status", phase.name())
        .put("node", now.node())
        .put("nodeId", now.nodeId())
        .put("startedAt", now.startedAtMillis())
        .put("clusterMembers", new JsonArray(now.clusterMembers()))
        .put("clusterSafe", clusterSafe)
        .put("connections", now.connections().open())
        .put("published", now.messages().published())
        .put("unwatchedSkipped", now.messages().unwatchedSkipped())
        .put("delivered", now.messages().delivered())
        .put("streamWrites", now.messages().streamWrites())
        .put("redis", now.redis().toJson())
        .put("postgres", now.postgres().toJson());
    if (now.stepDownReason() != null) {
      body.put("reason", now.stepDownReason());
    }
    ctx.response()
        .setStatusCode(phase == NodeState.Phase.UP ? 200 : 503)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }
}
