package ssecluster.ingest.postgres;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;

import java.util.concurrent.TimeUnit;

/** How this node connects to PostgreSQL: the URL, the session's name and settings, short timeouts. */
final class PostgresConnections {

  /** Connecting (and authenticating) must be done within this, or the try counts as failed. */
  static final long CONNECT_TIMEOUT_MILLIS = 5000;

  private PostgresConnections() {
  }

  /** Options for a session named {@code purpose} in {@code pg_stat_activity} (sse-cluster listener, ...). */
  static PgConnectOptions options(String url, String purpose) {
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    options.addProperty("application_name", "sse-cluster " + purpose);
    // The server notices a node that vanished without closing its socket within about 25 s, instead of the
    // system's 2 hours, and ends its session, freeing what it held (rows claimed from the outbox).
    options.addProperty("tcp_keepalives_idle", "10");
    options.addProperty("tcp_keepalives_interval", "5");
    options.addProperty("tcp_keepalives_count", "3");
    return options;
  }

  /**
   * One connection of its own (LISTEN, transactions), or a failure within {@link #CONNECT_TIMEOUT_MILLIS}: the
   * client has no connect timeout of its own. A connection that comes after the timeout is closed at once.
   */
  static Future<PgConnection> connect(Vertx vertx, PgConnectOptions options) {
    Future<PgConnection> connecting = PgConnection.connect(vertx, options);
    return connecting.timeout(CONNECT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .onFailure(timedOut -> connecting.onSuccess(PgConnection::close));
  }

  /** A short, readable description of a failure for logs and /health. */
  static String describe(Throwable error) {
    if (error instanceof PgException pg) {
      return pg.getErrorMessage() + " (SQLSTATE " + pg.getSqlState() + ")";
    }
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
  }
}
