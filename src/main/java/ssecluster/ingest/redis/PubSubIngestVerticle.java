package ssecluster.ingest.redis;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import ssecluster.LogThrottle;
import ssecluster.bus.Publication;
import ssecluster.bus.Publisher;
import ssecluster.config.Settings;
import ssecluster.ingest.Backoff;
import ssecluster.ingest.LeaderLock;
import ssecluster.status.NodeCounters;
import ssecluster.status.RedisStatus;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads Redis PUBSUB for the whole cluster. Every node runs one, but only the holder of a cluster-wide
 * lock subscribes ({@link LeaderLock}), so each Redis message enters the cluster once. Hazelcast frees the
 * lock when its holder leaves or dies; a holder that loses Redis gives the lock up itself. The others try to
 * take it each second, as long as they reach Redis.
 */
public final class PubSubIngestVerticle extends VerticleBase {

  private static final Logger log = Logger.getLogger(PubSubIngestVerticle.class.getName());

  static final String LEADER_LOCK = "sse-cluster:redis-pubsub-reader";
  private static final long PING_EVERY_MILLIS = 1000;
  /** A subscribed connection from which nothing (no message, no PONG) came for this long is treated as lost. */
  private static final long SILENCE_TIMEOUT_MILLIS = 2000;
  /** Connecting, authenticating and subscribing must be done within this, or the try counts as failed. */
  private static final long SUBSCRIBE_TIMEOUT_MILLIS = 5000;
  /**
   * Publishes under way (waiting for history) above which the connection stops reading: Redis keeps what
   * comes meanwhile in its output buffer for this client, and the socket's. Below {@link #RESUME_BELOW} it
   * reads again.
   */
  static final int PAUSE_ABOVE = 5_000;
  static final int RESUME_BELOW = 1_000;

  private final Settings settings;
  private final String url;
  private final String pattern;
  private final Publisher publisher;
  private final NodeCounters counters;
  private final RedisStatus status;
  private final Backoff backoff = new Backoff();

  private RedisOptions options;
  private LeaderLock leader;
  private long pingTimer = -1;
  /** When the subscribed connection last brought anything: a message, a confirmation or a PONG. */
  private long lastHeardMillis;
  private boolean stopped;
  /** Bumped whenever a subscription ends, so late callbacks of an old connection are ignored. */
  private int session;
  private Redis client;
  private boolean failing;
  /** The subscribed connection, while there is one. */
  private RedisConnection connection;
  private int publishing;
  private boolean paused;
  private final LogThrottle publishFailures = new LogThrottle(10_000);

  public PubSubIngestVerticle(Settings settings, Publisher publisher, NodeCounters counters, RedisStatus status) {
    this.settings = settings;
    this.url = settings.redisUrl();
    this.pattern = settings.redisPattern();
    this.publisher = publisher;
    this.counters = counters;
    this.status = status;
  }

  @Override
  public Future<?> start() {
    options = RedisConnections.options(settings);
    // Only a node that reaches Redis competes: one that cannot would hold the lock through failed connects
    // while a node that can reach it waits.
    leader = new LeaderLock(vertx, LEADER_LOCK, () -> status.state() == RedisStatus.State.CONNECTED, this::subscribe);
    leader.start();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    return endSubscription(0).onComplete(v -> leader.stop());
  }

  private void subscribe() {
    int current = ++session;
    Redis redis = RedisConnections.dedicated(vertx, options);
    client = redis;
    vertx.setTimer(SUBSCRIBE_TIMEOUT_MILLIS, id -> {
      if (current == session && !status.pubsubLeader()) {
        lost(current, "not subscribed within " + SUBSCRIBE_TIMEOUT_MILLIS + " ms");
      }
    });
    redis.connect().compose(connection -> {
      this.connection = connection;
      connection.handler(message -> onMessage(current, connection, message));
      connection.exceptionHandler(error -> lost(current, RedisErrors.describe(error)));
      connection.endHandler(v -> lost(current, "connection closed by Redis"));
      return connection.send(Request.cmd(Command.PSUBSCRIBE).arg(pattern));
    }).onComplete(result -> {
      if (result.failed()) {
        lost(current, RedisErrors.describe(result.cause()));
      }
    });
  }

  private void onMessage(int current, RedisConnection connection, Response message) {
    // Only aggregates (RESP3 push frames, RESP2 arrays) are messages or confirmations. A simple reply such as
    // a PONG can reach this handler too, and size() on it throws, which used to drop PUBSUB leadership.
    if (current != session || message == null) {
      return;
    }
    lastHeardMillis = System.currentTimeMillis();
    if ((message.type() != ResponseType.PUSH && message.type() != ResponseType.MULTI) || message.size() == 0) {
      return;
    }
    String kind = message.get(0).toString();
    switch (kind) {
      case "pmessage" -> ingest(message.get(2), message.get(3));
      case "message" -> ingest(message.get(1), message.get(2));
      case "psubscribe" -> subscribed(current, connection, message.type() == ResponseType.PUSH);
      default -> {
        // pong and (un)subscribe confirmations need nothing
      }
    }
  }

  private void subscribed(int current, RedisConnection connection, boolean resp3) {
    backoff.reset();
    failing = false;
    status.pubsubLeader(true);
    log.info("This node now reads Redis PUBSUB (pattern '" + pattern + "') for the cluster");
    if (resp3) {
      // Under RESP2 a PING reply could not be told apart from a message, so liveness rests on the socket.
      // The PING's own future cannot be relied on: the Redis client gives the oldest waiting reply slot to
      // whatever comes next, and when a message arrives before the PONG, the message takes the PING's slot
      // (that future never completes) and the PONG comes to our handler instead. So the connection counts
      // as alive while anything at all arrives on it, and a PING each second makes sure something does.
      lastHeardMillis = System.currentTimeMillis();
      pingTimer = vertx.setPeriodic(PING_EVERY_MILLIS, id -> {
        if (paused) {
          return;   // not reading on purpose: silence means nothing now
        }
        if (System.currentTimeMillis() - lastHeardMillis > SILENCE_TIMEOUT_MILLIS) {
          lost(current, "nothing, not even a PONG, within " + SILENCE_TIMEOUT_MILLIS + " ms");
          return;
        }
        connection.send(Request.cmd(Command.PING)).onSuccess(pong -> lastHeardMillis = System.currentTimeMillis());
      });
    }
  }

  private void ingest(Response channelBytes, Response payload) {
    String channel = channelBytes == null ? "" : RedisInput.lenient(channelBytes.toBuffer());
    try {
      Buffer data = payload == null ? Buffer.buffer() : payload.toBuffer();
      Publication publication = RedisInput.pubsubMessage(channel, data.getBytes(), publisher.maxDataBytes());
      int current = session;
      publishing++;
      publisher.publish(publication).onComplete(published -> {
        publishing--;
        if (published.failed()) {
          publishFailures.log(log::warning, "Could not publish a Redis PUBSUB message of channel '"
              + RedisInput.printable(channel) + "': " + published.cause().getMessage());
        }
        if (paused && publishing < RESUME_BELOW) {
          paused = false;
          if (current == session && connection != null) {
            lastHeardMillis = System.currentTimeMillis();
            connection.resume();
          }
        }
      });
      if (!paused && publishing > PAUSE_ABOVE && connection != null) {
        // History is behind: let Redis hold the rest rather than this node's memory.
        paused = true;
        connection.pause();
      }
      counters.redisPubsubIngested.increment();
    } catch (IllegalArgumentException rejected) {
      counters.rejectedRedis.increment();
      log.warning("Skipped Redis PUBSUB message on channel '" + RedisInput.printable(channel) + "': "
          + rejected.getMessage());
    }
  }

  /** The subscription failed or broke: give leadership up so a node that reaches Redis can take over. */
  private void lost(int current, String reason) {
    if (current != session || stopped) {
      return;
    }
    boolean wasLeader = status.pubsubLeader();
    // Wait past one try of the others, so that a node that may still reach Redis gets the lock first.
    endSubscription(LeaderLock.TRY_EVERY_MILLIS + backoff.nextDelayMillis());
    if (wasLeader) {
      log.warning("Lost Redis PUBSUB at " + RedisStatus.maskPassword(url) + " (" + reason + "); handing PUBSUB"
          + " reading to another node. Messages published while no node is subscribed are lost (Redis keeps"
          + " none); use the stream for guaranteed delivery");
    } else {
      log.log(failing ? Level.FINE : Level.WARNING, "Could not subscribe to Redis PUBSUB at "
          + RedisStatus.maskPassword(url) + " (" + reason + "); will retry");
    }
    failing = true;
  }

  /** Unsubscribes (closes the socket), then gives the lock up, not to try again for {@code pauseMillis}. */
  private Future<Void> endSubscription(long pauseMillis) {
    session++;
    connection = null;
    paused = false;
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
      pingTimer = -1;
    }
    Future<Void> closed = Future.succeededFuture();
    if (client != null) {
      closed = client.close();
      client = null;
    }
    status.pubsubLeader(false);
    // Unsubscribed (socket closed) before the lock goes, so two nodes never read PUBSUB at once.
    return closed.eventually(() -> {
      leader.release(pauseMillis);
      return Future.succeededFuture();
    });
  }
}
