package ssecluster.fanout;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import ssecluster.namespace.Subscription;
import ssecluster.status.StreamCensus;
import ssecluster.wire.SharedFrames;
import ssecluster.wire.StreamStatus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * The subscribers of one event loop, by namespace address. Everything here runs on that loop, so the
 * writes to a connection always happen on its own thread and no locks are needed. One keepalive timer
 * serves all streams of the loop.
 *
 * <p>Frames handed over are written in batches, so that a stream gets one socket write (one system call)
 * for several frames instead of one per frame. Each address collects its frames, and is written:
 * <ul>
 *   <li>as a rule, by the next task of the loop: frames that arrive while earlier tasks still run are
 *       written together, and a lone frame goes out at once;
 *   <li>once the write delay has passed (the node's default is 25 ms), when the address was written less
 *       than the delay ago and its frames come fast enough that another one is expected before then, and
 *       at least two per delay ({@link WritePacing}). So a stream gets at most one write per delay for a busy namespace, each event
 *       waits at most that long, and an event of a slower namespace, or after a quiet spell, is not held:
 *       holding it would add latency and save no write. Past {@link #MAX_PENDING_BYTES} a held batch is
 *       written early.
 * </ul>
 * Frames of one address keep their order; a stream of several namespaces may see the namespaces in
 * another order than they arrived (order is only promised per namespace).
 */
public final class LoopFanout {

  /** A batch this large is written without waiting for the rest of the coalescing delay. */
  static final int MAX_PENDING_BYTES = 64 * 1024;

  private final Context context;
  private final long writeDelayNanos;
  private final Map<String, Set<Subscriber>> streamsByAddress = new HashMap<>();
  private final Set<Subscriber> streams = new LinkedHashSet<>();
  private final LongAdder delivered;
  private final LongAdder writes;
  private final BiConsumer<Subscriber, LoopFanout> onDropped;
  /** The frames of each address with streams here that wait for their write. */
  private final Map<String, AddressBatch> batches = new HashMap<>();
  /** Batches to write in the next task of the loop, in the order they became due. */
  private List<AddressBatch> due = new ArrayList<>();
  private boolean dueWriteScheduled;

  /** One address's pending frames and its timing; confined to the loop. */
  private static final class AddressBatch {
    final String address;
    final WritePacing pacing;
    List<Delivery> frames = new ArrayList<>(4);
    int bytes;
    /** Held until the write delay has passed; -1 when not held. */
    long timer = -1;
    boolean isDue;

    AddressBatch(String address, WritePacing pacing) {
      this.address = address;
      this.pacing = pacing;
    }
  }

  LoopFanout(Context context, long keepaliveMillis, long writeDelayMillis, LongAdder delivered, LongAdder writes,
      BiConsumer<Subscriber, LoopFanout> onDropped) {
    this.context = context;
    this.writeDelayNanos = TimeUnit.MILLISECONDS.toNanos(writeDelayMillis);
    this.delivered = delivered;
    this.writes = writes;
    this.onDropped = onDropped;
    context.runOnContext(v -> context.owner().setPeriodic(keepaliveMillis, id -> keepalive()));
  }

  Context context() {
    return context;
  }

  void add(Subscriber stream, List<String> addresses) {
    streams.add(stream);
    for (String address : addresses) {
      streamsByAddress.computeIfAbsent(address, a -> new LinkedHashSet<>()).add(stream);
    }
  }

  void remove(Subscriber stream, List<String> addresses) {
    streams.remove(stream);
    for (String address : addresses) {
      Set<Subscriber> set = streamsByAddress.get(address);
      if (set != null && set.remove(stream) && set.isEmpty()) {
        streamsByAddress.remove(address);
        AddressBatch batch = batches.remove(address);
        if (batch != null) {
          stopHolding(batch);
        }
      }
    }
  }

  /** Called from the hub's loop: hands the frame over to this loop. */
  void dispatch(String address, Delivery frame) {
    if (Vertx.currentContext() == context) {
      enqueue(address, frame);
    } else {
      context.runOnContext(v -> enqueue(address, frame));
    }
  }

  private void enqueue(String address, Delivery frame) {
    if (!streamsByAddress.containsKey(address)) {
      return;   // its last stream here has just left
    }
    long now = System.nanoTime();
    AddressBatch batch = batches.get(address);
    if (batch == null) {
      batch = new AddressBatch(address, new WritePacing(writeDelayNanos, now));
      batches.put(address, batch);
    }
    // Every arrival counts towards the pace, also those that join a batch already held or due.
    long hold = batch.pacing.arrive(now);
    batch.frames.add(frame);
    batch.bytes += frame.frame().length();
    if (batch.timer >= 0) {
      if (batch.bytes >= MAX_PENDING_BYTES) {
        stopHolding(batch);
        makeDue(batch);
      }
      return;
    }
    if (batch.isDue) {
      return;
    }
    if (hold > 0) {
      AddressBatch held = batch;
      held.timer = context.owner().setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(hold)), id -> {
        held.timer = -1;
        write(held);
      });
    } else {
      makeDue(batch);
    }
  }

  /** Cancels the timer holding the batch back, if any: it is written by other means or not at all. */
  private void stopHolding(AddressBatch batch) {
    if (batch.timer >= 0) {
      context.owner().cancelTimer(batch.timer);
      batch.timer = -1;
    }
  }

  private void makeDue(AddressBatch batch) {
    batch.isDue = true;
    due.add(batch);
    if (!dueWriteScheduled) {
      dueWriteScheduled = true;
      context.runOnContext(v -> writeDue());
    }
  }

  private void writeDue() {
    dueWriteScheduled = false;
    List<AddressBatch> writing = due;
    due = new ArrayList<>();
    writing.forEach(this::write);
  }

  /** Writes an address's pending frames, joined into one buffer shared by its streams. */
  private void write(AddressBatch batch) {
    batch.isDue = false;
    if (batch.frames.isEmpty()) {
      return;
    }
    batch.pacing.written(System.nanoTime());
    List<Delivery> frames = batch.frames;
    batch.frames = new ArrayList<>(4);
    batch.bytes = 0;
    SharedFrames shared = new SharedFrames(join(frames), frames.size());
    deliver(batch.address, shared, frames);
    shared.release();
  }

  private static Buffer join(List<Delivery> frames) {
    if (frames.size() == 1) {
      return frames.get(0).frame();
    }
    int length = 0;
    for (Delivery frame : frames) {
      length += frame.frame().length();
    }
    Buffer joined = Buffer.buffer(length);
    for (Delivery frame : frames) {
      joined.appendBuffer(frame.frame());
    }
    return joined;
  }

  private void deliver(String address, SharedFrames frames, List<Delivery> deliveries) {
    Set<Subscriber> targets = streamsByAddress.get(address);
    if (targets == null) {
      return;
    }
    List<Subscriber> dropped = null;
    int sent = 0;
    int written = 0;
    for (Subscriber stream : targets) {
      if (stream.deliver(frames, deliveries)) {
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
      dropped.forEach(stream -> onDropped.accept(stream, this));
    }
  }

  private void keepalive() {
    List<Subscriber> dropped = null;
    for (Subscriber stream : streams) {
      if (!stream.sink().keepalive()) {
        dropped = dropped == null ? new ArrayList<>() : dropped;
        dropped.add(stream);
      }
    }
    if (dropped != null) {
      dropped.forEach(stream -> onDropped.accept(stream, this));
    }
  }

  /** Ends every stream of this loop cleanly (the node is shutting down, or stepping down). */
  List<Subscriber> endAll() {
    // A copy: a write that finds a stream closed detaches it, which changes the map.
    for (AddressBatch batch : new ArrayList<>(batches.values())) {
      stopHolding(batch);
      write(batch);
    }
    List<Subscriber> all = new ArrayList<>(streams);
    all.forEach(stream -> stream.sink().end());
    return all;
  }

  int size() {
    return streams.size();
  }

  /** The first {@code limit} open streams of this loop that {@code filter} takes, as /admin/status.json shows them. */
  List<StreamStatus> statuses(int limit, Predicate<Subscription> filter) {
    List<StreamStatus> statuses = new ArrayList<>(Math.min(limit, streams.size()));
    for (Subscriber stream : streams) {
      if (statuses.size() >= limit) {
        break;
      }
      if (filter.test(stream.subscription())) {
        statuses.add(stream.sink().status());
      }
    }
    return statuses;
  }

  /** How many streams of this loop listen to each address (a namespace's name) and use each protocol. */
  StreamCensus census() {
    Map<String, Integer> byAddress = new HashMap<>(streamsByAddress.size() * 2);
    streamsByAddress.forEach((address, listening) -> byAddress.put(address, listening.size()));
    Map<String, Integer> byProtocol = new HashMap<>();
    for (Subscriber stream : streams) {
      byProtocol.merge(stream.sink().protocol(), 1, Integer::sum);
    }
    return new StreamCensus(byAddress, byProtocol);
  }
}
