package ssecluster.fanout;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import ssecluster.wire.SharedFrames;
import ssecluster.wire.SseStream;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The SSE streams of one event loop, by namespace address. Everything here runs on that loop, so the
 * writes to a connection always happen on its own thread and no locks are needed. One keepalive timer
 * serves all streams of the loop.
 *
 * <p>Frames handed over are written in batches, so that a stream gets one socket write (one system call)
 * for several frames instead of one per frame. Each arriving frame joins the pending frames of its address
 * and one flush is scheduled behind it:
 * <ul>
 *   <li>when this loop has not flushed for the write delay (always, with a delay of 0), the flush is the
 *       next task of the loop: frames that arrive while earlier tasks still run are written together, and
 *       an event after a quiet spell is written at once;
 *   <li>otherwise it runs once the delay has passed since the last flush, so a stream gets at most one
 *       write per delay however fast events come, and each event waits at most that long. Past
 *       {@link #MAX_PENDING_BYTES} the batch is written early.
 * </ul>
 * Frames of one address keep their order; a stream of several namespaces may see the namespaces of one
 * batch in another order than they arrived (order is only promised per namespace).
 */
final class LoopFanout {

  /** A batch this large is written without waiting for the rest of the coalescing delay. */
  static final int MAX_PENDING_BYTES = 64 * 1024;

  private final Context context;
  private final long writeDelayNanos;
  private final Map<String, Set<SseStream>> streamsByAddress = new HashMap<>();
  private final Set<SseStream> streams = new LinkedHashSet<>();
  private final LongAdder delivered;
  private final LongAdder writes;
  private final Consumer<SseStream> onDropped;
  /** Frames waiting for the next flush, per address in order of first arrival, each list in arrival order. */
  private Map<String, List<Buffer>> pending = new LinkedHashMap<>();
  private int pendingBytes;
  private boolean flushScheduled;
  private long flushTimer = -1;
  /** When the last flush ran (System.nanoTime); far in the past at first, so the first event goes at once. */
  private long lastFlushNanos;

  LoopFanout(Context context, long keepaliveMillis, long writeDelayMillis, LongAdder delivered, LongAdder writes,
      Consumer<SseStream> onDropped) {
    this.context = context;
    this.writeDelayNanos = TimeUnit.MILLISECONDS.toNanos(writeDelayMillis);
    this.lastFlushNanos = System.nanoTime() - writeDelayNanos;
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
    pending.computeIfAbsent(address, a -> new ArrayList<>(4)).add(frame);
    pendingBytes += frame.length();
    if (flushTimer >= 0 && pendingBytes >= MAX_PENDING_BYTES) {
      flush();
    } else if (!flushScheduled) {
      flushScheduled = true;
      long wait = writeDelayNanos - (System.nanoTime() - lastFlushNanos);
      if (wait > 0) {
        flushTimer = context.owner().setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)), id -> {
          flushTimer = -1;
          flush();
        });
      } else {
        context.runOnContext(v -> flush());
      }
    }
  }

  /** Writes what is pending: per address, its frames joined into one buffer shared by its streams. */
  private void flush() {
    if (flushTimer >= 0) {
      context.owner().cancelTimer(flushTimer);
      flushTimer = -1;
    }
    flushScheduled = false;
    if (pending.isEmpty()) {
      return;
    }
    lastFlushNanos = System.nanoTime();
    Map<String, List<Buffer>> batch = pending;
    pending = new LinkedHashMap<>();
    pendingBytes = 0;
    batch.forEach((address, frames) -> {
      SharedFrames shared = new SharedFrames(join(frames), frames.size());
      deliver(address, shared);
      shared.release();
    });
  }

  private static Buffer join(List<Buffer> frames) {
    if (frames.size() == 1) {
      return frames.get(0);
    }
    int length = 0;
    for (Buffer frame : frames) {
      length += frame.length();
    }
    Buffer joined = Buffer.buffer(length);
    for (Buffer frame : frames) {
      joined.appendBuffer(frame);
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
    flush();
    List<SseStream> all = new ArrayList<>(streams);
    all.forEach(SseStream::end);
    return all;
  }

  int size() {
    return streams.size();
  }
}
