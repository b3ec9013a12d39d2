package ssecluster.ingest.redis;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import ssecluster.bus.Publisher;
import ssecluster.config.Settings;
import ssecluster.ingest.Backoff;
import ssecluster.ingest.LeaderLock;
import ssecluster.status.NodeCounters;
import ssecluster.status.RedisStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Ingests the Redis stream for the cluster. Every node runs one and watches that Redis answers (which
 * {@code /health} shows); the one node that holds the cluster-wide lock reads the stream ({@link StreamReader}),
 * through a consumer group shared by all, so that a namespace's entries enter the cluster in the order they were
 * added. When the reader dies or loses Redis, another node takes the lock and first takes over what it had read
 * but not acknowledged; the entries' ids keep history from holding one twice.
 */
public final class StreamIngestVerticle extends VerticleBase {

  private static final Logger log = Logger.getLogger(StreamIngestVerticle.class.getName());

  static final String LEADER_LOCK = "sse-cluster:redis-stream-reader";
  private static final long PROBE_EVERY_MILLIS = 1000;
  private static final long COMMAND_TIMEOUT_MILLIS = 5000;
  private static final long TRIM_EVERY_MILLIS = 30_000;
  private static final long FORGET_CONSUMERS_EVERY_MILLIS = 60_000;

  private final Settings settings;
  private final String url;
  private final String consumer;
  private final Publisher publisher;
  private final NodeCounters counters;
  private final RedisStatus status;
  private final Backoff backoff = new Backoff();
  private final List<Long> timers = new ArrayList<>();

  private RedisOptions options;
  /** Pooled, for the probe, acknowledgements and housekeeping. */
  private Redis commands;
  private LeaderLock leader;
  private StreamReader reader;
  private StreamHousekeeping housekeeping;
  private boolean stopped;
  private boolean probing;

  public StreamIngestVerticle(Settings settings, String consumer, Publisher publisher, NodeCounters counters,
                              RedisStatus status) {
    this.settings = settings;
    this.url = settings.redisUrl();
    this.consumer = consumer;
    this.publisher = publisher;
    this.counters = counters;
    this.status = status;
  }

  @Override
  public Future<?> start() {
    options = RedisConnections.options(settings);
    commands = Redis.createClient(vertx, options);
    housekeeping = new StreamHousekeeping(settings.redisStream(), settings.redisDeadLetterStream(), settings.redisGroup(),
        consumer, settings.redisStreamMaxLen(), this::send);
    leader = new LeaderLock(vertx, LEADER_LOCK, () -> status.state() == RedisStatus.State.CONNECTED, this::lead);
    timers.add(vertx.setPeriodic(PROBE_EVERY_MILLIS, id -> probe()));
    timers.add(vertx.setPeriodic(TRIM_EVERY_MILLIS, id -> {
      if (reader != null) {
        housekeeping.trim();
      }
    }));
    timers.add(vertx.setPeriodic(FORGET_CONSUMERS_EVERY_MILLIS, id -> {
      if (reader != null) {
        housekeeping.forgetDeadConsumers();
      }
    }));
    probe();
    leader.start();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    timers.forEach(vertx::cancelTimer);
    if (reader != null) {
      reader.stop();
      reader = null;
    }
    leader.stop();
    return commands.close();
  }

  /** Whether Redis answers: what /health shows, and what lets this node compete to read. */
  private void probe() {
    if (probing || stopped) {
      return;
    }
    probing = true;
    send(Request.cmd(Command.PING)).onComplete(pong -> {
      probing = false;
      if (stopped) {
        return;
      }
      boolean wasConnected = status.state() == RedisStatus.State.CONNECTED;
      if (pong.succeeded()) {
        if (!wasConnected) {
          log.info("Redis at " + RedisStatus.maskPassword(url) + " answers");
        }
        status.connected();
      } else {
        if (wasConnected || status.state() == RedisStatus.State.CONNECTING) {
          log.warning("Redis at " + RedisStatus.maskPassword(url) + " does not answer (" + RedisErrors.describe(pong.cause())
              + "); retrying. SSE and the HTTP and event-bus publish paths keep working meanwhile");
        }
        status.disconnected(RedisErrors.describe(pong.cause()));
      }
    });
  }

  private void lead() {
    status.streamReader(true);
    log.info("This node now reads Redis stream '" + settings.redisStream() + "' for the cluster, as consumer '"
        + consumer + "' of group '" + settings.redisGroup() + "'");
    reader = new StreamReader(vertx, options, settings.redisStream(), settings.redisGroup(), consumer,
        settings.redisClaimIdleMillis(), new StreamBatch(settings.redisStream(), settings.redisGroup(), settings.redisDeadLetterStream(),
            settings.redisStreamMaxLen(), publisher, counters),
        counters, this::readerLost);
    reader.start();
  }

  /** The reader failed: give the lock up, so that a node that reaches Redis reads meanwhile. */
  private void readerLost(String reason) {
    reader = null;
    status.streamReader(false);
    long pause = backoff.nextDelayMillis();
    log.log(status.state() == RedisStatus.State.CONNECTED ? Level.WARNING : Level.FINE, "Stopped reading Redis stream '"
        + settings.redisStream() + "' (" + reason + "); another node (or this one, once Redis answers) takes over");
    // Wait past one try of the others, so that a node that may still reach Redis gets the lock first.
    leader.release(LeaderLock.TRY_EVERY_MILLIS + pause);
    if (status.state() == RedisStatus.State.CONNECTED) {
      status.disconnected(reason);
    }
  }

  private Future<Response> send(Request request) {
    return commands.send(request).timeout(COMMAND_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
  }
}
