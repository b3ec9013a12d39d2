package ssecluster.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import ssecluster.admin.ClusterStatus;
import ssecluster.admin.StatusQuery;

import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code GET /admin/cluster.stream}: the cluster's status as an SSE stream, what {@code /admin/cluster.json}
 * answers (same {@code ?limit=} and {@code ?ns=}) as one {@code cluster} event every second, for the admin
 * console. Each stream gathers on its own, and never twice at once: while members are slow to answer (up to
 * {@link ClusterStatus#TIMEOUT_MILLIS}) it skips a beat, and it skips one while the client has not read the
 * last, so a slow console costs one event of memory at most. A stream opened with a token ends when the token
 * expires (EventSource then comes back, and is refused).
 */
final class AdminClusterStream implements Handler<RoutingContext> {

  private static final Logger log = Logger.getLogger(AdminClusterStream.class.getName());

  static final long INTERVAL_MILLIS = 1_000;
  static final String EVENT = "cluster";

  private final ClusterStatus cluster;
  private final long retryMillis;

  AdminClusterStream(ClusterStatus cluster, long retryMillis) {
    this.cluster = cluster;
    this.retryMillis = retryMillis;
  }

  @Override
  public void handle(RoutingContext ctx) {
    StatusQuery query = AdminJsonHandler.query(ctx, AdminJsonHandler.CLUSTER_LIMIT);
    if (query == null) {
      return;
    }
    HttpServerResponse response = ctx.response()
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    HttpVersion version = ctx.request().version();
    if (version == HttpVersion.HTTP_1_0 || version == HttpVersion.HTTP_1_1) {
      response.setChunked(true);
    }
    response.write("retry: " + retryMillis + "\n\n");
    new Feed(ctx.vertx(), response, query, ctx.<Long>get(AdminAccess.ENDS_AT, 0L)).start();
  }

  /** One console's stream; confined to the request's event loop. */
  private final class Feed {
    private final Vertx vertx;
    private final HttpServerResponse response;
    private final StatusQuery query;
    private final long endsAtMillis;
    private long ticker = -1;
    private long expiry = -1;
    private boolean gathering;
    private boolean stopped;

    Feed(Vertx vertx, HttpServerResponse response, StatusQuery query, long endsAtMillis) {
      this.vertx = vertx;
      this.response = response;
      this.query = query;
      this.endsAtMillis = endsAtMillis;
    }

    void start() {
      response.closeHandler(v -> stop());
      response.exceptionHandler(e -> stop());
      ticker = vertx.setPeriodic(INTERVAL_MILLIS, id -> tick());
      tick();
      if (endsAtMillis > 0) {
        expiry = vertx.setTimer(Math.max(1, endsAtMillis - System.currentTimeMillis()), id -> {
          stop();
          response.end();
        });
      }
    }

    private void tick() {
      if (stopped || gathering || response.writeQueueFull()) {
        return;
      }
      gathering = true;
      cluster.gather(query).onComplete(gathered -> {
        gathering = false;
        if (stopped) {
          return;
        }
        if (gathered.succeeded()) {
          response.write(event(gathered.result()));
        } else {
          log.log(Level.WARNING, "Could not gather the cluster's status for an admin stream", gathered.cause());
        }
      });
    }

    private void stop() {
      stopped = true;
      vertx.cancelTimer(ticker);
      vertx.cancelTimer(expiry);
    }
  }

  /** One SSE event; the JSON text has no line breaks (encoded JSON escapes them in strings). */
  static Buffer event(Buffer json) {
    return Buffer.buffer(json.length() + 32)
        .appendString("event: " + EVENT + "\ndata: ", StandardCharsets.UTF_8.name())
        .appendBuffer(json)
        .appendString("\n\n");
  }
}
