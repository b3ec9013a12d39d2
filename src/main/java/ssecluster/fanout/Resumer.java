package ssecluster.fanout;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import ssecluster.history.HistoryStore;
import ssecluster.history.Micros;
import ssecluster.history.ReadFrom;
import ssecluster.history.ResumePlan;
import ssecluster.history.StreamPosition;
import ssecluster.namespace.Namespace;
import ssecluster.status.NodeCounters;
import ssecluster.wire.SseFrames;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Resumes a stream that came back with a position ({@code Last-Event-ID}): once it is attached (live messages
 * are held back meanwhile), reads what history holds after its position, opens it, sends an {@code sse-gap}
 * event first when history cannot close the gap, then what it missed, oldest first, then lets the held live
 * messages follow, each once. Replayed frames go out in chunks, each after the client took the one before. A
 * client that asked for it ({@code ?markReplay=true}) is told before them how many are replayed, in an
 * {@code sse-replay} event, so that it can show them as such.
 */
public final class Resumer {

  private static final Logger log = Logger.getLogger(Resumer.class.getName());
  /** Replayed bytes written before waiting for the client to take them. */
  static final int CHUNK_BYTES = 64 * 1024;

  private final HistoryStore history;
  private final NodeCounters counters;

  public Resumer(HistoryStore history, NodeCounters counters) {
    this.history = history;
    this.counters = counters;
  }

  /**
   * Resumes an attached subscriber created to resume; {@code open} sends the stream's head (it is called once
   * history has answered, or failed to). Completes when the stream is live.
   */
  public Future<Void> resume(Subscriber subscriber, StreamPosition position, boolean markReplay, Runnable open) {
    counters.resumes.increment();
    List<Namespace> namespaces = subscriber.subscription().namespaces();
    long now = Micros.now();
    if (!history.keeps()) {
      // History is off: it holds nothing, so whatever the client missed is older than what it keeps.
      open.run();
      ResumePlan plan = new ResumePlan(position.isEarliest() ? null : new ResumePlan.Gap(position.text(),
          ResumePlan.GapReason.EXPIRED, namespaces.stream().map(Namespace::name).toList()), List.of(),
          ReadFrom.EARLIEST, 0);
      sendGap(subscriber, plan);
      subscriber.goLive();
      return Future.succeededFuture();
    }
    ReadFrom from = ResumePlan.readFrom(position, history.startedAtMicros(), now);
    return history.read(namespaces, from)
        .map(slices -> ResumePlan.of(position, subscriber.subscription(), slices, history.startedAtMicros(), now))
        .compose(plan -> {
          open.run();
          sendGap(subscriber, plan);
          if (markReplay && !plan.messages().isEmpty()) {
            JsonObject replay = new JsonObject().put("count", plan.messages().size()).put("lastEventId", position.text());
            subscriber.sink().send(SseFrames.serviceEvent("sse-replay", replay.encode()), 0);
          }
          subscriber.beginReplay(plan);
          return replay(subscriber, plan.messages(), 0);
        })
        .onSuccess(v -> subscriber.goLive())
        .recover(failure -> {
          if (!subscriber.isClosed()) {
            // EventSource reconnects when a stream ends: that is a retry on any node, with the same position.
            log.log(Level.WARNING, "Could not resume a stream of " + namespaces + " from '" + position
                + "' (history did not answer: " + failure.getMessage() + "); ending it so that the client retries");
            open.run();
            subscriber.sink().end();
          }
          return Future.succeededFuture();
        });
  }

  private void sendGap(Subscriber subscriber, ResumePlan plan) {
    if (plan.gap() == null) {
      return;
    }
    if (plan.gap().reason() == ResumePlan.GapReason.EXPIRED) {
      counters.gapsExpired.increment();
    } else {
      counters.gapsUnknown.increment();
    }
    subscriber.sink().send(SseFrames.serviceEvent("sse-gap", plan.gap().toJson().encode()), 0);
  }

  /** Writes the missed messages from {@code from} on, a chunk at a time, each when the client can take it. */
  private Future<Void> replay(Subscriber subscriber, List<ResumePlan.Replayed> messages, int from) {
    if (from >= messages.size()) {
      return Future.succeededFuture();
    }
    if (subscriber.isClosed()) {
      return Future.failedFuture("the client left during the replay");
    }
    int to = from;
    int bytes = 0;
    while (to < messages.size() && bytes < CHUNK_BYTES) {
      bytes += messages.get(to).message().data().length() + 64;
      to++;
    }
    Buffer frames = subscriber.replayFrames(messages.subList(from, to));
    int events = to - from;
    subscriber.sink().send(frames, events);
    counters.replayed.add(events);
    counters.delivered.add(events);
    int next = to;
    Promise<Void> done = Promise.promise();
    subscriber.sink().writable().onComplete(v -> replay(subscriber, messages, next).onComplete(done));
    return done.future();
  }
}
