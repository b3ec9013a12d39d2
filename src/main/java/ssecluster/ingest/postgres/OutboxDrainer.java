package ssecluster.ingest.postgres;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import ssecluster.ingest.Backoff;

import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The cluster's one drainer of the outbox, while this node leads: on a connection of its own it creates the
 * tables if missing, LISTENs on the outbox's channel, and drains a batch ({@link OutboxBatch}) whenever a commit
 * of new rows NOTIFYs it, at once again while batches come back full, and every poll interval anyway (a
 * NOTIFY is lost while nobody listens, such as before this node took over). A failed batch is retried with
 * backoff; a lost connection is reported once ({@code onLost}) and the drainer is not used again. Confined to
 * the verticle's context.
 */
final class OutboxDrainer {

  private static final Logger log = Logger.getLogger(OutboxDrainer.class.getName());

  /** While another drain transaction holds the outbox (a drainer that lost the lead without noticing). */
  private static final long FENCED_RETRY_MILLIS = 500;

  private final Vertx vertx;
  private final PgConnectOptions options;
  private final OutboxTables tables;
  private final OutboxBatch batch;
  private final long pollMillis;
  private final Runnable onDraining;
  private final Consumer<String> onLost;
  private final Backoff retries = new Backoff();
  private PgConnection connection;
  private boolean stopped;
  private boolean draining;
  /** A wake-up came while a batch was under way: drain again right after it. */
  private boolean wokenMeanwhile;
  private long nextDrainTimer = -1;
  private boolean fencedReported;

  OutboxDrainer(Vertx vertx, PgConnectOptions options, OutboxTables tables, OutboxBatch batch, long pollMillis,
                Runnable onDraining, Consumer<String> onLost) {
    this.vertx = vertx;
    this.options = options;
    this.tables = tables;
    this.batch = batch;
    this.pollMillis = pollMillis;
    this.onDraining = onDraining;
    this.onLost = onLost;
  }

  void start() {
    PostgresConnections.connect(vertx, options).compose(connected -> {
      connection = connected;
      if (stopped) {
        connected.close();
        return Future.failedFuture("stopped");
      }
      connected.closeHandler(v -> lost("connection closed"));
      connected.exceptionHandler(error -> lost(PostgresConnections.describe(error)));
      connected.notificationHandler(notification -> wake());
      return tables.create(connected)
          .compose(v -> connected.query("LISTEN \"" + tables.channel().replace("\"", "\"\"") + "\"").execute());
    }).onComplete(started -> {
      if (stopped) {
        return;
      }
      if (started.failed()) {
        lost(PostgresConnections.describe(started.cause()));
        return;
      }
      onDraining.run();
      drain();
    });
  }

  /** Ends the session; a batch under way is rolled back by the server, and its rows are drained again. */
  Future<Void> stop() {
    if (stopped) {
      return Future.succeededFuture();
    }
    stopped = true;
    vertx.cancelTimer(nextDrainTimer);
    return connection == null ? Future.succeededFuture() : connection.close().otherwiseEmpty();
  }

  private void wake() {
    if (draining) {
      wokenMeanwhile = true;
    } else {
      drain();
    }
  }

  private void drain() {
    if (stopped || draining) {
      return;
    }
    vertx.cancelTimer(nextDrainTimer);
    draining = true;
    wokenMeanwhile = false;
    batch.drain(connection).onComplete(result -> {
      draining = false;
      if (stopped) {
        return;
      }
      if (result.failed()) {
        long delay = retries.nextDelayMillis();
        log.log(Level.WARNING, "Draining the outbox " + tables.name + " failed ("
            + PostgresConnections.describe(result.cause()) + "); its rows stay and are drained again in " + delay + " ms");
        drainIn(delay);
        return;
      }
      retries.reset();
      OutboxBatch.Result drained = result.result();
      if (drained.fenced()) {
        if (!fencedReported) {
          fencedReported = true;
          log.warning("Another transaction drains the outbox " + tables.name + " (a node that lost the lead and has"
              + " not noticed yet); waiting for it to end before draining, so that every namespace keeps its order");
        }
        drainIn(FENCED_RETRY_MILLIS);
        return;
      }
      fencedReported = false;
      if (drained.rows() > 0 || wokenMeanwhile) {
        drain();   // more may be waiting
      } else {
        drainIn(pollMillis);
      }
    });
  }

  private void drainIn(long delayMillis) {
    vertx.cancelTimer(nextDrainTimer);
    nextDrainTimer = vertx.setTimer(delayMillis, id -> drain());
  }

  private void lost(String reason) {
    if (stopped) {
      return;
    }
    stop().onComplete(v -> onLost.accept(reason));
  }
}
