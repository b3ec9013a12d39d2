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
import ssecluster.bus.Publication;
import ssecluster.bus.Publisher;
import ssecluster.config.Settings;
import ssecluster.status.NodeCounters;
import ssecluster.status.RedisStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads the ingest stream through a consumer group shared by all nodes, as this node's own consumer.
 * An entry is acknowledged only after it was published on the event bus, so an entry read by a node that
 * dies stays pending; every node periodically claims entries left pending longer than the idle bound
 * (XAUTOCLAIM) and publishes them. Entries are published under an id derived from the entry id, so one
 * delivered twice this way still reaches each SSE client once. Bad entries are acknowledged and copied
 * to the dead-letter stream with the reason, never retried.
 */
public final class StreamIngestVerticle extends VerticleBase {

  private static final Logger log = Logger.getLogger(StreamIngestVerticle.class.getName());

  private static final int BATCH = 100;
  private static final long BLOCK_MILLIS = 2000;
  /** A read not answered within BLOCK + this means the connection is dead even if the socket looks open. */
  private static final long REPLY_GRACE_MILLIS = 3000;
  private static final long COMMAND_TIMEOUT_MILLIS = 5000;
  private static final long TRIM_EVERY_MILLIS = 30_000;
  private static final long FORGET_CONSUMERS_EVERY_MILLIS = 60_000;
  /** A consumer with nothing pending and idle this long belongs to a node run that is gone. */
  private static final long DEAD_CONSUMER_IDLE_MILLIS = 10 * 60_000;
  /** XAUTOCLAIM pages per claim round, so one round stays short even with a large backlog. */
  private static final int CLAIM_PAGES = 10;

  private final Settings settings;
  private final String url;
  private final String stream;
  private final String deadLetterStream;
  private final String group;
  private final String consumer;
  private final long claimIdleMillis;
  private final long maxLen;
  private final Publisher publisher;
  private final NodeCounters counters;
  private final RedisStatus status;
  private final Backoff backoff = new Backoff();

  private RedisOptions options;
  /** Pooled, for claiming and trimming; the reader has its own connection as its reads block. */
  private Redis commands;
  private Redis readerClient;
  /** Bumped whenever the reader's connection ends, so late callbacks of an old connection are ignored. */
  private int session;
  private boolean stopped;
  private boolean claiming;
  private boolean failing;
  private final List<Long> timers = new ArrayList<>();

  public StreamIngestVerticle(Settings settings, String consumer, Publisher publisher, NodeCounters counters,
                              RedisStatus status) {
    this.settings = settings;
    this.url = settings.redisUrl();
    this.stream = settings.redisStream();
    this.deadLetterStream = settings.redisDeadLetterStream();
    this.group = settings.redisGroup();
    this.claimIdleMillis = settings.redisClaimIdleMillis();
    this.maxLen = settings.redisStreamMaxLen();
    this.consumer = consumer;
    this.publisher = publisher;
    this.counters = counters;
    this.status = status;
  }

  @Override
  public Future<?> start() {
    options = RedisConnections.options(settings);
    commands = Redis.createClient(vertx, options);
    connectReader();
    timers.add(vertx.setPeriodic(Math.max(250, claimIdleMillis / 2), id -> claimIdleEntries()));
    if (maxLen > 0) {
      timers.add(vertx.setPeriodic(TRIM_EVERY_MILLIS, id -> trim()));
    }
    timers.add(vertx.setPeriodic(FORGET_CONSUMERS_EVERY_MILLIS, id -> forgetDeadConsumers()));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    session++;
    timers.forEach(vertx::cancelTimer);
    Future<Void> reader = readerClient != null ? readerClient.close() : Future.succeededFuture();
    return Future.join(reader, commands.close());
  }

  // ---- the reader: this node's consumer ----

  private void connectReader() {
    int current = ++session;
    Redis redis = RedisConnections.dedicated(vertx, options);
    readerClient = redis;
    redis.connect().compose(connection -> {
      connection.exceptionHandler(error -> readerLost(current, RedisErrors.describe(error)));
      connection.endHandler(v -> readerLost(current, "connection closed by Redis"));
      return createGroup(connection::send).map(connection);
    }).timeout(COMMAND_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).onComplete(result -> {
      if (current != session) {
        redis.close();
      } else if (result.failed()) {
        readerLost(current, RedisErrors.describe(result.cause()));
      } else {
        backoff.reset();
        failing = false;
        status.connected();
        log.info("Reading Redis stream '" + stream + "' at " + RedisStatus.maskPassword(url) + " as consumer '"
            + consumer + "' of group '" + group + "'");
        // First whatever this consumer read but did not acknowledge before a reconnect, then new entries.
        read(current, result.result(), true);
      }
    });
  }

  private Future<Void> createGroup(Function<Request, Future<Response>> send) {
    // From id 0, so that entries added before any node ever ran (or while Redis restarted) are read too.
    return send.apply(Request.cmd(Command.XGROUP).arg("CREATE").arg(stream).arg(group).arg("0").arg("MKSTREAM"))
        .<Void>mapEmpty()
        .recover(error -> RedisErrors.isBusyGroup(error) ? Future.succeededFuture() : Future.failedFuture(error));
  }

  private void read(int current, RedisConnection connection, boolean ownPending) {
    if (current != session) {
      return;
    }
    Request request = Request.cmd(Command.XREADGROUP).arg("GROUP").arg(group).arg(consumer).arg("COUNT").arg(BATCH);
    if (!ownPending) {
      request.arg("BLOCK").arg(BLOCK_MILLIS);
    }
    request.arg("STREAMS").arg(stream).arg(ownPending ? "0" : ">");
    connection.send(request)
        .timeout(BLOCK_MILLIS + REPLY_GRACE_MILLIS, TimeUnit.MILLISECONDS)
        .compose(reply -> {
          List<StreamEntry> entries = StreamEntry.fromReadGroup(reply);
          return handle(entries, connection::send, false).map(ownPending && !entries.isEmpty());
        })
        .onComplete(result -> {
          if (current != session) {
            return;
          }
          if (result.succeeded()) {
            read(current, connection, result.result());
          } else if (RedisErrors.isNoGroup(result.cause())) {
            log.warning("Consumer group '" + group + "' of stream '" + stream + "' is gone (Redis restarted without"
                + " its data, or the stream was deleted); creating it again");
            createGroup(connection::send).onComplete(created -> {
              if (created.succeeded()) {
                read(current, connection, true);
              } else {
                readerLost(current, RedisErrors.describe(created.cause()));
              }
            });
          } else {
            readerLost(current, RedisErrors.describe(result.cause()));
          }
        });
  }

  private void readerLost(int current, String reason) {
    if (current != session || stopped) {
      return;
    }
    session++;
    readerClient.close();
    readerClient = null;
    long delay = backoff.nextDelayMillis();
    status.disconnected(reason);
    log.log(failing ? Level.FINE : Level.WARNING, "Redis stream reading at " + RedisStatus.maskPassword(url)
        + " stopped (" + reason + "); reconnecting with backoff. SSE and the HTTP and event-bus publish paths"
        + " keep working meanwhile");
    failing = true;
    vertx.setTimer(delay, id -> {
      if (!stopped) {
        connectReader();
      }
    });
  }

  // ---- claiming entries a dead consumer left pending ----

  private void claimIdleEntries() {
    if (claiming || stopped || status.state() != RedisStatus.State.CONNECTED) {
      return;
    }
    claiming = true;
    claimPage("0-0", CLAIM_PAGES).onComplete(result -> {
      claiming = false;
      if (result.failed() && !RedisErrors.isNoGroup(result.cause())) {
        log.fine("Claiming idle stream entries failed: " + RedisErrors.describe(result.cause()));
      }
    });
  }

  private Future<Void> claimPage(String cursor, int pagesLeft) {
    Request request = Request.cmd(Command.XAUTOCLAIM).arg(stream).arg(group).arg(consumer).arg(claimIdleMillis)
        .arg(cursor).arg("COUNT").arg(BATCH);
    return sendCommand(request).compose(reply -> {
      List<StreamEntry> entries = StreamEntry.fromAutoClaim(reply);
      int unnamedDeletions = StreamEntry.unnamedDeletions(reply);
      String next = StreamEntry.autoClaimCursor(reply);
      if (!entries.isEmpty() || unnamedDeletions > 0) {
        log.info("Claimed " + (entries.size() + unnamedDeletions) + " entries of stream '" + stream
            + "' left pending over " + claimIdleMillis + " ms by a consumer that stopped (a node died or lost Redis); publishing them");
      }
      Future<Void> handled = handle(entries, this::sendCommand, true);
      if (unnamedDeletions > 0) {
        handled = handled.compose(v -> acknowledgeOwnDeleted("0", CLAIM_PAGES));
      }
      return handled
          .compose(v -> pagesLeft > 1 && !"0-0".equals(next) ? claimPage(next, pagesLeft - 1) : Future.succeededFuture());
    });
  }

  /**
   * Acknowledges this consumer's pending entries that were deleted from the stream (Redis 6.2 claims those
   * without saying which; left alone they would stay pending for good). Entries still in the stream are
   * left to whoever is handling them: the reader, or the claim round under way.
   */
  private Future<Void> acknowledgeOwnDeleted(String after, int pagesLeft) {
    Request request = Request.cmd(Command.XREADGROUP).arg("GROUP").arg(group).arg(consumer).arg("COUNT").arg(BATCH)
        .arg("STREAMS").arg(stream).arg(after);
    return sendCommand(request).compose(reply -> {
      List<StreamEntry> pending = StreamEntry.fromReadGroup(reply);
      List<StreamEntry> deleted = pending.stream().filter(entry -> entry.fields() == null).toList();
      return handle(deleted, this::sendCommand, true).compose(v -> pending.size() == BATCH && pagesLeft > 1
          ? acknowledgeOwnDeleted(pending.get(BATCH - 1).id(), pagesLeft - 1)
          : Future.succeededFuture());
    });
  }

  // ---- publishing, dead-lettering and acknowledging a batch ----

  /**
   * Publishes the good entries, copies the bad ones to the dead-letter stream, then acknowledges them all,
   * only once every published frame has left this node (so a node that dies right after XACK cannot take
   * an acknowledged entry with it). Nothing is acknowledged if a step fails: the entries stay pending and
   * are read or claimed again, and the repeated id keeps subscribers from seeing them twice.
   */
  private Future<Void> handle(List<StreamEntry> entries, Function<Request, Future<Response>> send, boolean claimed) {
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    Request ack = Request.cmd(Command.XACK).arg(stream).arg(group);
    List<Future<Response>> deadLetters = new ArrayList<>();
    List<Future<String>> published = new ArrayList<>();
    try {
      for (StreamEntry entry : entries) {
        ack.arg(entry.id());
        if (entry.fields() == null) {
          log.warning("Entry " + entry.id() + " of stream '" + stream + "' was trimmed away before it was published;"
              + " acknowledging it (raise --redis-stream-maxlen if this repeats)");
          continue;
        }
        try {
          Publication publication = RedisInput.streamEntry(entry.fields(), publisher.maxDataBytes());
          published.add(publisher.publishRepeatable(publication, stream + "/" + entry.id()));
          counters.redisStreamIngested.increment();
          if (claimed) {
            counters.redisStreamClaimed.increment();
          }
        } catch (IllegalArgumentException rejected) {
          counters.rejectedRedis.increment();
          log.warning("Skipped entry " + entry.id() + " of stream '" + stream + "': " + rejected.getMessage()
              + "; copied to '" + deadLetterStream + "'");
          deadLetters.add(send.apply(deadLetter(entry, rejected.getMessage())));
        }
      }
    } catch (RuntimeException unexpected) {
      return Future.failedFuture(unexpected);
    }
    return Future.all(published)
        .compose(v -> Future.all(deadLetters))
        .compose(v -> {
          counters.redisDeadLettered.add(deadLetters.size());
          return send.apply(ack);
        })
        .mapEmpty();
  }

  private Request deadLetter(StreamEntry entry, String reason) {
    Request xadd = Request.cmd(Command.XADD).arg(deadLetterStream);
    if (maxLen > 0) {
      xadd.arg("MAXLEN").arg("~").arg(maxLen);
    }
    xadd.arg("*").arg("reason").arg(reason).arg("source-stream").arg(stream).arg("source-id").arg(entry.id());
    for (Map.Entry<String, Buffer> field : entry.fields()) {
      xadd.arg(field.getKey()).arg(field.getValue() == null ? Buffer.buffer() : field.getValue());
    }
    return xadd;
  }

  /**
   * Each node run is a consumer of its own (named by its node id), so the group would collect the names of
   * every node that ever ran. Consumers with nothing pending that stayed idle long are removed; a live one
   * never is, as its blocking reads keep its idle time below a few seconds.
   */
  private void forgetDeadConsumers() {
    if (stopped || status.state() != RedisStatus.State.CONNECTED) {
      return;
    }
    long idleBound = Math.max(DEAD_CONSUMER_IDLE_MILLIS, 10 * claimIdleMillis);
    sendCommand(Request.cmd(Command.XINFO).arg("CONSUMERS").arg(stream).arg(group)).compose(consumers -> {
      List<Future<Response>> deletions = new ArrayList<>();
      for (Response info : consumers) {
        String name = info.get("name").toString();
        if (!name.equals(consumer) && info.get("pending").toLong() == 0 && info.get("idle").toLong() > idleBound) {
          deletions.add(sendCommand(Request.cmd(Command.XGROUP).arg("DELCONSUMER").arg(stream).arg(group).arg(name)));
        }
      }
      return Future.all(deletions);
    }).onFailure(error -> log.fine("Forgetting idle consumers failed: " + RedisErrors.describe(error)));
  }

  // ---- trimming ----

  /**
   * Keeps the stream near {@code --redis-stream-maxlen} entries (approximate trimming is cheap for Redis).
   * Every node does it; it is idempotent.
   */
  private void trim() {
    if (stopped || status.state() != RedisStatus.State.CONNECTED) {
      return;
    }
    sendCommand(Request.cmd(Command.XTRIM).arg(stream).arg("MAXLEN").arg("~").arg(maxLen))
        .onFailure(error -> log.fine("Trimming stream '" + stream + "' failed: " + RedisErrors.describe(error)));
  }

  private Future<Response> sendCommand(Request request) {
    return commands.send(request).timeout(COMMAND_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
  }
}
