package ssecluster.ingest.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import ssecluster.status.NodeCounters;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The cluster's one reader of the ingest stream, while this node leads: on its own connection it first takes
 * over every entry left pending in the consumer group (by a reader that died or lost Redis: XAUTOCLAIM), then
 * reads those in stream order, then new entries, a batch at a time, each handled ({@link StreamBatch}) before
 * the next is read. Entries that any other consumer of the group leaves pending past the claim bound are taken
 * over too, and read before the next new ones. One reader is what keeps a namespace's entries in the order they were added: readers on
 * several nodes would race each other. Confined to the verticle's context; a reader that fails reports it once
 * ({@code onLost}) and is not used again.
 */
final class StreamReader {

  private static final Logger log = Logger.getLogger(StreamReader.class.getName());

  static final int BATCH = 100;
  private static final int CLAIM_PAGE = 1000;
  private static final long BLOCK_MILLIS = 2000;
  /** A read not answered within BLOCK + this means the connection is dead even if the socket looks open. */
  private static final long REPLY_GRACE_MILLIS = 3000;
  private static final long COMMAND_TIMEOUT_MILLIS = 5000;

  private final Vertx vertx;
  private final RedisOptions options;
  private final String stream;
  private final String group;
  private final String consumer;
  private final StreamBatch batch;
  private final NodeCounters counters;
  private final Consumer<String> onLost;
  private final long claimIdleMillis;
  private Redis client;
  private boolean stopped;
  private long claimTimer = -1;
  /** Entries were taken over meanwhile: read what is pending before the next new entries. */
  private boolean pendingToRead;

  StreamReader(Vertx vertx, RedisOptions options, String stream, String group, String consumer, long claimIdleMillis,
               StreamBatch batch, NodeCounters counters, Consumer<String> onLost) {
    this.claimIdleMillis = claimIdleMillis;
    this.vertx = vertx;
    this.options = options;
    this.stream = stream;
    this.group = group;
    this.consumer = consumer;
    this.batch = batch;
    this.counters = counters;
    this.onLost = onLost;
  }

  void start() {
    client = RedisConnections.dedicated(vertx, options);
    client.connect().compose(connection -> {
      connection.exceptionHandler(error -> lost(RedisErrors.describe(error)));
      connection.endHandler(v -> lost("connection closed by Redis"));
      return createGroup(connection::send).compose(v -> takeOver(connection, 0, "0-0", 0)).map(connection);
    }).timeout(COMMAND_TIMEOUT_MILLIS * 4, TimeUnit.MILLISECONDS).onComplete(started -> {
      if (started.failed()) {
        lost(RedisErrors.describe(started.cause()));
      } else {
        // First what is pending (taken over, or this node's own from before a reconnect), then new entries.
        RedisConnection connection = started.result();
        claimTimer = vertx.setPeriodic(Math.max(250, claimIdleMillis / 2), id -> takeOverIdle(connection));
        read(connection, true);
      }
    });
  }

  void stop() {
    stopped = true;
    if (claimTimer >= 0) {
      vertx.cancelTimer(claimTimer);
      claimTimer = -1;
    }
    if (client != null) {
      client.close();
      client = null;
    }
  }

  private Future<Void> createGroup(Function<Request, Future<Response>> send) {
    // From id 0, so that entries added before any node ever ran (or while Redis restarted) are read too.
    return send.apply(Request.cmd(Command.XGROUP).arg("CREATE").arg(stream).arg(group).arg("0").arg("MKSTREAM"))
        .<Void>mapEmpty()
        .recover(error -> RedisErrors.isBusyGroup(error) ? Future.succeededFuture() : Future.failedFuture(error));
  }

  /**
   * Makes the group's entries pending for at least {@code minIdleMillis} this reader's own, whoever read them
   * before (ids only: they are read next). Answers how many were taken.
   */
  private Future<Integer> takeOver(RedisConnection connection, long minIdleMillis, String cursor, int takenSoFar) {
    Request claim = Request.cmd(Command.XAUTOCLAIM).arg(stream).arg(group).arg(consumer).arg(minIdleMillis).arg(cursor)
        .arg("COUNT").arg(CLAIM_PAGE).arg("JUSTID");
    return connection.send(claim).timeout(COMMAND_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).compose(reply -> {
      int taken = takenSoFar + (reply.get(1) == null ? 0 : reply.get(1).size());
      String next = StreamEntry.autoClaimCursor(reply);
      if (!"0-0".equals(next)) {
        return takeOver(connection, minIdleMillis, next, taken);
      }
      if (taken > 0) {
        counters.redisStreamClaimed.add(taken);
        log.info("Took over " + taken + " pending entries of stream '" + stream + "' (read but not acknowledged by"
            + " a reader that stopped); publishing them next, in stream order");
      }
      return Future.succeededFuture(taken);
    });
  }

  /** Entries another consumer left pending past the bound: taken over, and read before new ones. */
  private void takeOverIdle(RedisConnection connection) {
    if (stopped) {
      return;
    }
    takeOver(connection, claimIdleMillis, "0-0", 0).onSuccess(taken -> pendingToRead |= taken > 0)
        .onFailure(error -> log.fine("Taking over idle entries failed: " + RedisErrors.describe(error)));
  }

  private void read(RedisConnection connection, boolean pendingFirst) {
    if (stopped) {
      return;
    }
    boolean pending = pendingFirst || pendingToRead;
    pendingToRead = false;
    Request request = Request.cmd(Command.XREADGROUP).arg("GROUP").arg(group).arg(consumer).arg("COUNT").arg(BATCH);
    if (!pending) {
      request.arg("BLOCK").arg(BLOCK_MILLIS);
    }
    request.arg("STREAMS").arg(stream).arg(pending ? "0" : ">");
    connection.send(request)
        .timeout(BLOCK_MILLIS + REPLY_GRACE_MILLIS, TimeUnit.MILLISECONDS)
        .compose(reply -> {
          List<StreamEntry> entries = StreamEntry.fromReadGroup(reply);
          return batch.handle(entries, connection::send).map(pending && !entries.isEmpty());
        })
        .onComplete(result -> {
          if (stopped) {
            return;
          }
          if (result.succeeded()) {
            read(connection, result.result());
          } else if (RedisErrors.isNoGroup(result.cause())) {
            log.warning("Consumer group '" + group + "' of stream '" + stream + "' is gone (Redis restarted without"
                + " its data, or the stream was deleted); creating it again");
            createGroup(connection::send).onComplete(created -> {
              if (created.succeeded()) {
                read(connection, true);
              } else {
                lost(RedisErrors.describe(created.cause()));
              }
            });
          } else {
            lost(RedisErrors.describe(result.cause()));
          }
        });
  }

  private void lost(String reason) {
    if (stopped) {
      return;
    }
    stop();
    onLost.accept(reason);
  }
}
