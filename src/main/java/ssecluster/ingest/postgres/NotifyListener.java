package ssecluster.ingest.postgres;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.pubsub.PgSubscriber;
import ssecluster.LogThrottle;
import ssecluster.bus.Publication;
import ssecluster.bus.Publisher;
import ssecluster.status.NodeCounters;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The cluster's one listener on the NOTIFY channel, while this node leads: a {@link PgSubscriber} LISTENs on its
 * own connection and each notification is published into the cluster, in the order PostgreSQL delivers them
 * (the order their transactions committed). The subscriber does not reconnect by itself: a listener that loses
 * its connection reports it once ({@code onLost}) and is not used again, so that leadership can move to a node
 * that reaches the database. Confined to the verticle's context.
 */
final class NotifyListener {

  private static final Logger log = Logger.getLogger(NotifyListener.class.getName());

  private static final long PING_EVERY_MILLIS = 1000;
  /** A ping not answered within this means the connection is dead even if the socket looks open. */
  private static final long PING_TIMEOUT_MILLIS = 2000;

  private final Vertx vertx;
  private final PgConnectOptions options;
  private final String channel;
  private final Publisher publisher;
  private final NodeCounters counters;
  private final Runnable onListening;
  private final Consumer<String> onLost;
  private final LogThrottle publishFailures = new LogThrottle(10_000);
  private PgSubscriber subscriber;
  private Future<Void> connected;
  private long pingTimer = -1;
  private boolean pinging;
  private boolean stopped;

  NotifyListener(Vertx vertx, PgConnectOptions options, String channel, Publisher publisher, NodeCounters counters,
                 Runnable onListening, Consumer<String> onLost) {
    this.vertx = vertx;
    this.options = options;
    this.channel = channel;
    this.publisher = publisher;
    this.counters = counters;
    this.onListening = onListening;
    this.onLost = onLost;
  }

  void start() {
    subscriber = PgSubscriber.subscriber(vertx, options);
    // Set before connecting: the subscriber then LISTENs as part of connecting, and connect() completes after it.
    subscriber.channel(channel).handler(this::ingest);
    subscriber.closeHandler(v -> lost("connection closed"));
    connected = subscriber.connect();
    connected
        .timeout(PostgresConnections.CONNECT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .onComplete(connected -> {
          if (stopped) {
            return;
          }
          if (connected.failed()) {
            lost(PostgresConnections.describe(connected.cause()));
            return;
          }
          // Without a handler of ours the client prints a connection's errors (FATAL at a server shutdown) to
          // stderr; the close that follows them is what ends the listener.
          PgConnection connection = subscriber.actualConnection();
          if (connection != null) {
            connection.exceptionHandler(error -> log.fine("PostgreSQL listener connection: "
                + PostgresConnections.describe(error)));
          }
          pingTimer = vertx.setPeriodic(PING_EVERY_MILLIS, id -> ping());
          onListening.run();
        });
  }

  /** Ends the session; the future completes once its socket is closed, so that no two nodes listen at once. */
  Future<Void> stop() {
    if (stopped) {
      return Future.succeededFuture();
    }
    stopped = true;
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
    }
    PgSubscriber closing = subscriber;
    Future<Void> closed = closing.close();
    // close() may come before the connection (a connect timed out): that one is closed when it completes.
    connected.onComplete(late -> {
      PgConnection connection = closing.actualConnection();
      if (connection != null) {
        connection.close();
      }
    });
    return closed.otherwiseEmpty();
  }

  private void ingest(String payload) {
    if (stopped) {
      return;
    }
    Publication publication;
    try {
      publication = PostgresInput.notification(payload, publisher.maxDataBytes());
    } catch (IllegalArgumentException rejected) {
      counters.rejectedPostgres.increment();
      log.warning("Skipped PostgreSQL notification on channel '" + channel + "': " + rejected.getMessage()
          + "; payload: " + PostgresInput.printable(payload));
      return;
    }
    counters.postgresNotifyIngested.increment();
    publisher.publish(publication).onFailure(failure -> publishFailures.log(log::warning,
        "Could not publish a PostgreSQL notification to '" + publication.namespace() + "': " + failure.getMessage()));
  }

  /** A connection that stops answering (a database host that vanished) is given up like a closed one. */
  private void ping() {
    PgConnection connection = subscriber.actualConnection();
    if (stopped || pinging || connection == null) {
      return;
    }
    pinging = true;
    connection.query("SELECT 1").execute()
        .timeout(PING_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .onComplete(pong -> {
          pinging = false;
          if (pong.failed()) {
            lost("no answer to a ping within " + PING_TIMEOUT_MILLIS + " ms: "
                + PostgresConnections.describe(pong.cause()));
          }
        });
  }

  private void lost(String reason) {
    if (stopped) {
      return;
    }
    stop().onComplete(v -> onLost.accept(reason));
  }
}
