package ssecluster.fanout;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import ssecluster.wire.SseStream;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The SSE streams of one event loop, by namespace address. Everything here runs on that loop, so the
 * writes to a connection always happen on its own thread and no locks are needed. One keepalive timer
 * serves all streams of the loop.
 */
final class LoopFanout {

  private final Context context;
  private final Map<String, Set<SseStream>> streamsByAddress = new HashMap<>();
  private final Set<SseStream> streams = new LinkedHashSet<>();
  private final LongAdder delivered;
  private final Consumer<SseStream> onDropped;

  LoopFanout(Context context, long keepaliveMillis, LongAdder delivered, Consumer<SseStream> onDropped) {
    this.context = context;
    this.delivered = delivered;
    this.onDropped = onDropped;
    context.runOnContext(v -> context.owner().setPeriodic(keepaliveMillis, id -> keepalive()));
  }

  Context context() {
    return context;
  }

  void add(SseStream stream, List<String> addresses) {
    streams.add(stream);
    for (String address : addresses) {
      streamsByAddress.computeIfAbsent(address, a -> new LinkedHashSet<>()).add(stream);
    }
  }

  void remove(SseStream stream, List<String> addresses) {
    streams.remove(stream);
    for (String address : addresses) {
      Set<SseStream> set = streamsByAddress.get(address);
      if (set != null && set.remove(stream) && set.isEmpty()) {
        streamsByAddress.remove(address);
      }
    }
  }

  /** Called from the hub's loop: hands the frame over to this loop. */
  void dispatch(String address, Buffer frame) {
    if (Vertx.currentContext() == context) {
      deliver(address, frame);
    } else {
      context.runOnContext(v -> deliver(address, frame));
    }
  }

  private void deliver(String address, Buffer frame) {
    Set<SseStream> targets = streamsByAddress.get(address);
    if (targets == null) {
      return;
    }
    List<SseStream> dropped = null;
    int sent = 0;
    for (SseStream stream : targets) {
      if (stream.send(frame)) {
        sent++;
      } else if (stream.isClosed()) {
        dropped = dropped == null ? new ArrayList<>() : dropped;
        dropped.add(stream);
      }
    }
    delivered.add(sent);
    if (dropped != null) {
      dropped.forEach(onDropped);
    }
  }

  private void keepalive() {
    List<SseStream> dropped = null;
    for (SseStream stream : streams) {
      if (!stream.keepalive()) {
        dropped = dropped == null ? new ArrayList<>() : dropped;
        dropped.add(stream);
      }
    }
    if (dropped != null) {
      dropped.forEach(onDropped);
    }
  }

  /** Ends every stream of this loop cleanly (the node is shutting down). */
  List<SseStream> endAll() {
    List<SseStream> all = new ArrayList<>(streams);
    all.forEach(SseStream::end);
    return all;
  }

  int size() {
    return streams.size();
  }
}
