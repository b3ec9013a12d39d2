package ssecluster.ingest.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Keeps the ingest stream and its consumer group tidy; done by the node that reads the stream:
 * <ul>
 *   <li>trims the stream (and the dead-letter stream) near {@code --redis-stream-maxlen} entries (approximate
 *       trimming is cheap for Redis);</li>
 *   <li>removes consumers of node runs that are gone: each run is a consumer of its own (named by its node id),
 *       so the group would collect the names of every node that ever ran. A consumer with nothing pending and
 *       idle long is removed; the reader's own never is.</li>
 * </ul>
 */
final class StreamHousekeeping {

  private static final Logger log = Logger.getLogger(StreamHousekeeping.class.getName());
  /** A consumer with nothing pending and idle this long belongs to a node run that is gone. */
  static final long DEAD_CONSUMER_IDLE_MILLIS = 10 * 60_000;

  private final String stream;
  private final String deadLetterStream;
  private final String group;
  private final String consumer;
  private final long maxLen;
  private final Function<Request, Future<Response>> send;

  StreamHousekeeping(String stream, String deadLetterStream, String group, String consumer, long maxLen,
                     Function<Request, Future<Response>> send) {
    this.stream = stream;
    this.deadLetterStream = deadLetterStream;
    this.group = group;
    this.consumer = consumer;
    this.maxLen = maxLen;
    this.send = send;
  }

  void trim() {
    if (maxLen <= 0) {
      return;
    }
    for (String key : List.of(stream, deadLetterStream)) {
      send.apply(Request.cmd(Command.XTRIM).arg(key).arg("MAXLEN").arg("~").arg(maxLen))
          .onFailure(error -> log.fine("Trimming stream '" + key + "' failed: " + RedisErrors.describe(error)));
    }
  }

  void forgetDeadConsumers() {
    send.apply(Request.cmd(Command.XINFO).arg("CONSUMERS").arg(stream).arg(group)).compose(consumers -> {
      List<Future<Response>> deletions = new ArrayList<>();
      for (Response info : consumers) {
        String name = info.get("name").toString();
        if (!name.equals(consumer) && info.get("pending").toLong() == 0 && info.get("idle").toLong() > DEAD_CONSUMER_IDLE_MILLIS) {
          deletions.add(send.apply(Request.cmd(Command.XGROUP).arg("DELCONSUMER").arg(stream).arg(group).arg(name)));
        }
      }
      return Future.all(deletions);
    }).onFailure(error -> log.fine("Forgetting idle consumers failed: " + RedisErrors.describe(error)));
  }
}
