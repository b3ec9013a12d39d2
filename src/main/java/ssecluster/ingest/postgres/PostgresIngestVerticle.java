package ssecluster.ingest.postgres;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import ssecluster.bus.Publisher;
import ssecluster.config.Settings;
import ssecluster.ingest.Backoff;
import ssecluster.ingest.LeaderLock;
import ssecluster.status.NodeCounters;
import ssecluster.status.PostgresStatus;

import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Ingests from PostgreSQL for the cluster. Every node runs one and watches that the database answers (which
 * {@code /health} shows); of the nodes that reach it, the holder of one cluster-wide lock LISTENs on the channel
 * ({@link NotifyListener}), so that each notification enters the cluster once, and the holder of another drains
 * the outbox table ({@link OutboxDrainer}), one batch at a time, so that a namespace's rows enter in id order.
 * When a holder dies or loses the database, another node takes its lock over within a few seconds. The database
 * being away never fails the node: it is retried with backoff.
 */
public final class PostgresIngestVerticle extends VerticleBase {

  private static final Logger log = Logger.getLogger(PostgresIngestVerticle.class.getName());

  static final String LISTENER_LOCK = "sse-cluster:postgres-listener";
  static final String DRAINER_LOCK = "sse-cluster:postgres-outbox";
  private static final long PROBE_EVERY_MILLIS = 1000;
  private static final long PROBE_TIMEOUT_MILLIS = 2000;
  /** Rows drained per transaction. */
  static final int BATCH = 500;

  private final Settings settings;
  private final String url;
  private final Publisher publisher;
  private final NodeCounters counters;
  private final PostgresStatus status;
  private final Backoff listenerBackoff = new Backoff();
  private final Backoff drainerBackoff = new Backoff();

  /** For the probe: one pooled connection. */
  private Pool probes;
  private long probeTimer = -1;
  private boolean probing;
  private LeaderLock listenerLock;
  private LeaderLock drainerLock;
  private NotifyListener listener;
  private OutboxDrainer drainer;
  private boolean stopped;

  public PostgresIngestVerticle(Settings settings, Publisher publisher, NodeCounters counters, PostgresStatus status) {
    this.settings = settings;
    this.url = settings.postgresUrl();
    this.publisher = publisher;
    this.counters = counters;
    this.status = status;
  }

  @Override
  public Future<?> start() {
    probes = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(1))
        .with(new NetClientOptions().setConnectTimeout((int) PostgresConnections.CONNECT_TIMEOUT_MILLIS))
        .connectingTo(PostgresConnections.options(url, "probe"))
        .using(vertx)
        .build();
    // Only a node that reaches the database competes: one that cannot would hold the lock through failed
    // connects while a node that can reach it waits.
    listenerLock = new LeaderLock(vertx, LISTENER_LOCK, this::reachesDatabase, this::listen);
    if (!settings.postgresOutboxTable().isEmpty()) {
      drainerLock = new LeaderLock(vertx, DRAINER_LOCK, this::reachesDatabase, this::drain);
    }
    probeTimer = vertx.setPeriodic(PROBE_EVERY_MILLIS, id -> probe());
    probe();
    listenerLock.start();
    if (drainerLock != null) {
      drainerLock.start();
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(probeTimer);
    // The sessions end before the locks go, so that two nodes never listen or drain at once.
    Future<Void> listenerClosed = listener == null ? Future.succeededFuture() : listener.stop();
    Future<Void> drainerClosed = drainer == null ? Future.succeededFuture() : drainer.stop();
    listener = null;
    drainer = null;
    status.listener(false);
    status.outboxDrainer(false);
    return Future.join(listenerClosed, drainerClosed).eventually(() -> {
      listenerLock.stop();
      if (drainerLock != null) {
        drainerLock.stop();
      }
      return probes.close();
    });
  }

  private boolean reachesDatabase() {
    return status.state() == PostgresStatus.State.CONNECTED;
  }

  /** Whether the database answers: what /health shows, and what lets this node compete to listen and drain. */
  private void probe() {
    if (probing || stopped) {
      return;
    }
    probing = true;
    probes.query("SELECT 1").execute().timeout(PROBE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).onComplete(answer -> {
      probing = false;
      if (stopped) {
        return;
      }
      boolean wasConnected = reachesDatabase();
      if (answer.succeeded()) {
        if (!wasConnected) {
          log.info("PostgreSQL at " + PostgresStatus.maskPassword(url) + " answers");
        }
        status.connected();
      } else {
        String reason = PostgresConnections.describe(answer.cause());
        if (wasConnected || status.state() == PostgresStatus.State.CONNECTING) {
          log.warning("PostgreSQL at " + PostgresStatus.maskPassword(url) + " does not answer (" + reason
              + "); retrying. SSE and the other publish paths keep working meanwhile");
        }
        status.disconnected(reason);
      }
    });
  }

  private void listen() {
    listener = new NotifyListener(vertx, PostgresConnections.options(url, "listener"), settings.postgresChannel(),
        publisher, counters, () -> {
          listenerBackoff.reset();
          status.listener(true);
          log.info("This node now LISTENs on PostgreSQL channel '" + settings.postgresChannel() + "' for the cluster");
        }, this::listenerLost);
    listener.start();
  }

  /** The listener failed: give the lock up, so that a node that reaches the database listens meanwhile. */
  private void listenerLost(String reason) {
    boolean wasListening = status.listener();
    listener = null;
    status.listener(false);
    log.log(wasListening ? Level.WARNING : Level.FINE, "Stopped listening on PostgreSQL channel '"
        + settings.postgresChannel() + "' (" + reason + "); another node (or this one, once the database answers)"
        + " takes over. Notifications sent while no node listens are lost (PostgreSQL keeps none); use the outbox"
        + " for messages that must arrive");
    giveUp(listenerLock, listenerBackoff, reason);
  }

  private void drain() {
    PgConnectOptions options = PostgresConnections.options(url, "outbox")
        // A drainer whose node froze mid-batch holds its rows and the drain's advisory lock: the server ends
        // its session after this much idling in the transaction, well past a batch's own publish timeout.
        .addProperty("idle_in_transaction_session_timeout", String.valueOf(OutboxBatch.PUBLISH_TIMEOUT_MILLIS + 30_000))
        .addProperty("lock_timeout", "10000");
    OutboxTables tables = new OutboxTables(settings.postgresOutboxTable());
    drainer = new OutboxDrainer(vertx, options, tables, new OutboxBatch(tables, BATCH, publisher, counters),
        settings.postgresPollMillis(), () -> {
          drainerBackoff.reset();
          status.outboxDrainer(true);
          log.info("This node now drains the PostgreSQL outbox " + tables.name + " for the cluster");
        }, this::drainerLost);
    drainer.start();
  }

  private void drainerLost(String reason) {
    boolean wasDraining = status.outboxDrainer();
    drainer = null;
    status.outboxDrainer(false);
    log.log(wasDraining ? Level.WARNING : Level.FINE, "Stopped draining the PostgreSQL outbox "
        + settings.postgresOutboxTable() + " (" + reason + "); another node (or this one, once the database"
        + " answers) takes over, and drains again what was not confirmed");
    giveUp(drainerLock, drainerBackoff, reason);
  }

  private void giveUp(LeaderLock lock, Backoff backoff, String reason) {
    // Wait past one try of the others, so that a node that may still reach the database gets the lock first.
    lock.release(LeaderLock.TRY_EVERY_MILLIS + backoff.nextDelayMillis());
    if (reachesDatabase()) {
      status.disconnected(reason);
    }
  }
}
