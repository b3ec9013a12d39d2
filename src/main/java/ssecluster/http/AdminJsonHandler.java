package ssecluster.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import ssecluster.admin.StatusQuery;

import java.util.function.Function;

/**
 * {@code GET /admin/status.json} (this node) and {@code GET /admin/cluster.json} (every member): JSON made by
 * {@code status} for the query's {@code ?limit=} (streams per node) and {@code ?ns=} (namespaces), after
 * {@link AdminAccess} let the request in. A bad parameter is a 400 that says which.
 */
final class AdminJsonHandler implements Handler<RoutingContext> {

  /** Streams listed by /admin/status.json unless ?limit= says otherwise. */
  static final int STATUS_LIMIT = 1_000;
  /** Streams listed per node by /admin/cluster.json and /admin/cluster.stream unless ?limit= says otherwise. */
  static final int CLUSTER_LIMIT = 100;

  private final int defaultLimit;
  private final Function<StatusQuery, Future<Buffer>> status;

  AdminJsonHandler(int defaultLimit, Function<StatusQuery, Future<Buffer>> status) {
    this.defaultLimit = defaultLimit;
    this.status = status;
  }

  @Override
  public void handle(RoutingContext ctx) {
    StatusQuery query = query(ctx, defaultLimit);
    if (query == null) {
      return;
    }
    status.apply(query)
        .onSuccess(body -> ctx.response()
            .putHeader("Content-Type", "application/json")
            .putHeader("Cache-Control", "no-store")
            .end(body))
        .onFailure(ctx::fail);
  }

  /** The request's {@code ?limit=} and {@code ?ns=}; null when one is wrong, which has then been answered (400). */
  static StatusQuery query(RoutingContext ctx, int defaultLimit) {
    try {
      return StatusQuery.of(ctx.queryParam("limit"), ctx.queryParam("ns"), defaultLimit);
    } catch (IllegalArgumentException e) {
      ErrorResponses.send(ctx, 400, e.getMessage());
      return null;
    }
  }
}
