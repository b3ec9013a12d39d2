package ssecluster.fanout;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import ssecluster.wire.SharedFrames;
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
 *
 * <p>Frames handed over are written in batches: each arriving frame joins a pending list and one flush task
 * is queued behind it, so frames that arrive while earlier tasks still wait are written to each stream
 * together, as one buffer (one write and one system call per stream instead of one per frame). Nothing
 * waits for a batch to fill: at light load a batch is a single frame written at once. Order is kept.
 */
final class LoopFanout {

  private final Context context;
  private final Map<String, Set<SseStream>> streamsByAddress = new HashMap<>();
  private final Set<SseStream> streams = new LinkedHashSet<>();
  private final LongAdder delivered;
  private final LongAdder writes;
  private final Consumer<SseStream> onDropped;
  /** Frames waiting for the next flush, in arrival order, with their addresses. */
  private final List<String> pendingAddresses = new ArrayList<>();
  private final List<Buffer> pendingFrames = new ArrayList<>();
  private boolean flushQueued;

  LoopFanout(Context context, long keepaliveMillis, LongAdder delivered, LongAdder writes, Consumer<SseStream> onDropped) {
    this.context = context;
    this.delivered = delivered;
    this.writes = writes;
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
      enqueue(address, frame);
    } else {
      context.runOnContext(v -> enqueue(address, frame));
    }
  }

  private void enqueue(String address, Buffer frame) {
    pendingAddresses.add(address);
    pendingFrames.add(frame);
    if (!flushQueued) {
      flushQueued = true;
      context.runOnContext(v -> flush());
    }
  }

  /** Writes what is pending: each run of consecutive frames of one address as one buffer. */
  private void flush() {
    flushQueued = false;
    int count = pendingFrames.size();
    int runStart = 0;
    for (int i = 1; i <= count; i++) {
      if (i == count || !pendingAddresses.get(i).equals(pendingAddresses.get(runStart))) {
        SharedFrames frames = new SharedFrames(join(runStart, i), i - runStart);
        deliver(pendingAddresses.get(runStart), frames);
        frames.release();
        runStart = i;
      }
    }
    pendingAddresses.clear();
    pendingFrames.clear();
  }

  private Buffer join(int from, int to) {
    if (to - from == 1) {
      return pendingFrames.get(from);
    }
    int length = 0;
    for (int i = from; i < to; i++) {
      length += pendingFrames.get(i).length();
    }
    Buffer joined = Buffer.buffer(length);
    for (int i = from; i < to; i++) {
      joined.appendBuffer(pendingFrames.get(i));
    }
    return joined;
  }

  private void deliver(String address, SharedFrames frames) {
    Set<SseStream> targets = streamsByAddress.get(address);
    if (targets == null) {
      return;
    }
    List<SseStream> dropped = null;
    int sent = 0;
    int written = 0;
    for (SseStream stream : targets) {
      if (stream.send(frames)) {
        sent += frames.events();
        written++;
      } else if (stream.isClosed()) {
        dropped = dropped == null ? new ArrayList<>() : dropped;
        dropped.add(stream);
      }
    }
    delivered.add(sent);
    writes.add(written);
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
