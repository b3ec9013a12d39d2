package ssecluster.ingest.redis;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import ssecluster.bus.Publication;
import ssecluster.bus.Publisher;
import ssecluster.status.NodeCounters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * What happens to entries read from the stream: the good ones are published in the order they were added
 * (under ids derived from their entry ids, so one read twice is kept once), the bad ones are copied to the
 * dead-letter stream with the reason, then all are acknowledged, only once every published frame has left
 * this node, so that a node that dies right after XACK cannot take an acknowledged entry with it. Nothing is
 * acknowledged if a step fails: the entries stay pending and are read again.
 */
final class StreamBatch {

  private static final Logger log = Logger.getLogger(StreamBatch.class.getName());

  private final String stream;
  private final String group;
  private final String deadLetterStream;
  private final long maxLen;
  private final Publisher publisher;
  private final NodeCounters counters;

  StreamBatch(String stream, String group, String deadLetterStream, long maxLen, Publisher publisher, NodeCounters counters) {
    this.stream = stream;
    this.group = group;
    this.deadLetterStream = deadLetterStream;
    this.maxLen = maxLen;
    this.publisher = publisher;
    this.counters = counters;
  }

  /** Publishes, dead-letters and acknowledges {@code entries} (in stream order), sending commands with {@code send}. */
  Future<Void> handle(List<StreamEntry> entries, Function<Request, Future<Response>> send) {
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
          // Called in stream order: the publisher keeps a namespace's messages in the order it was handed them.
          published.add(publisher.publishRepeatable(publication, stream + "/" + entry.id()));
          counters.redisStreamIngested.increment();
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
}
