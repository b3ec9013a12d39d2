package ssecluster.http;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import ssecluster.fanout.FanoutHub;
import ssecluster.history.HistoryStats;
import ssecluster.status.NodeCounters;
import ssecluster.status.NodeState;
import ssecluster.wire.StreamStatus;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /admin/status.json}: this node, its message counts, its cluster view and its open streams (path,
 * namespaces, client address, user agent, protocol, since when, messages sent), at most {@code ?limit=}
 * of them (1,000 unless asked). Client addresses and user agents are personal data: unless the node is
 * told otherwise, only requests from this machine's loopback interface are answered.
 */
final class AdminStatusHandler implements Handler<RoutingContext> {

  static final int DEFAULT_LIMIT = 1_000;
  static final int MAX_LIMIT = 100_000;

  private final NodeState state;
  private final NodeCounters counters;
  private final FanoutHub hub;
  private final boolean remoteAllowed;

  AdminStatusHandler(NodeState state, NodeCounters counters, FanoutHub hub, boolean remoteAllowed) {
    this.state = state;
    this.counters = counters;
    this.hub = hub;
    this.remoteAllowed = remoteAllowed;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!remoteAllowed && !isLoopback(ctx.request().remoteAddress())) {
      ErrorResponses.send(ctx, 403, "/admin answers this machine only (start the node with --admin-remote true to change that)");
      return;
    }
    int limit;
    try {
      String asked = ctx.request().getParam("limit");
      limit = asked == null ? DEFAULT_LIMIT : Integer.parseInt(asked.trim());
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 0 || limit > MAX_LIMIT) {
      ErrorResponses.send(ctx, 400, "limit must be a number from 0 to " + MAX_LIMIT);
      return;
    }
    hub.streamStatuses(limit)
        // Thousands of streams make a large document: encode it on a worker, not on this event loop.
        .compose(streams -> ctx.vertx().executeBlocking(() -> status(streams).encode(), false))
        .onSuccess(body -> ctx.response()
            .putHeader("Content-Type", "application/json")
            .putHeader("Cache-Control", "no-store")
            .end(body))
        .onFailure(ctx::fail);
  }

  private JsonObject status(List<StreamStatus> streams) {
    JsonArray list = new JsonArray();
    for (StreamStatus stream : streams) {
      list.add(new JsonObject()
          .put("path", stream.path())
          .put("namespaces", new JsonArray(stream.namespaces()))
          .put("clientAddress", stream.clientAddress())
          .put("userAgent", stream.userAgent())
          .put("protocol", stream.protocol())
          .put("connectedAt", Instant.ofEpochMilli(stream.connectedAtMillis()).toString())
          .put("messagesSent", stream.messagesSent()));
    }
    long open = counters.openConnections();
    return new JsonObject()
        .put("node", state.nodeName())
        .put("nodeId", state.nodeId())
        .put("status", state.phase().name())
        .put("startedAt", Instant.ofEpochMilli(state.startedAtMillis()).toString())
        .put("uptimeSeconds", (System.currentTimeMillis() - state.startedAtMillis()) / 1000)
        .put("messages", new JsonObject()
            .put("published", counters.published.sum())
            .put("delivered", counters.delivered.sum())
            .put("streamWrites", counters.streamWrites.sum())
            .put("duplicatesSuppressed", counters.duplicatesSuppressed.sum())
            .put("rejected", new JsonObject()
                .put("http", counters.rejectedHttp.sum())
                .put("eventbus", counters.rejectedEventBus.sum())
                .put("redis", counters.rejectedRedis.sum())
                .put("postgres", counters.rejectedPostgres.sum()))
            .put("unauthorized", counters.unauthorizedHttp.sum()))
        .put("history", history())
        .put("clusterMembers", new JsonArray(state.clusterMembers()))
        .put("connections", new JsonObject()
            .put("open", open)
            .put("opened", counters.connectionsOpened.sum())
            .put("closed", counters.connectionsClosed.sum())
            .put("slowClientsDropped", counters.slowClientsDropped.sum())
            .put("unauthorized", counters.unauthorizedSubscriptions.sum())
            .put("tokenExpired", counters.streamsExpired.sum())
            .put("listed", list.size())
            .put("list", list));
  }

  /** What this node holds of the cluster's history, and how its streams resumed. */
  private JsonObject history() {
    HistoryStats held = state.history();
    return new JsonObject()
        .put("kept", state.historyKept())
        .put("namespacesHeld", held.namespaces())
        .put("messagesHeld", held.messages())
        .put("bytesHeld", held.bytes())
        .put("resumes", counters.resumes.sum())
        .put("replayed", counters.replayed.sum())
        .put("gaps", new JsonObject()
            .put("expired", counters.gapsExpired.sum())
            .put("unknown", counters.gapsUnknown.sum())
            .put("live", counters.liveGaps.sum()));
  }

  static boolean isLoopback(SocketAddress address) {
    if (address == null || address.hostAddress() == null) {
      return false;
    }
    try {
      // A literal address: no name lookup happens here.
      return InetAddress.getByName(address.hostAddress()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
