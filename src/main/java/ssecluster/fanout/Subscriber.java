package ssecluster.fanout;

import io.vertx.core.buffer.Buffer;
import ssecluster.history.Frontier;
import ssecluster.history.ReadFrom;
import ssecluster.history.ResumePlan;
import ssecluster.namespace.Namespace;
import ssecluster.namespace.Subscription;
import ssecluster.wire.SharedFrames;
import ssecluster.wire.SseFrames;
import ssecluster.wire.StreamSink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One client of the fan-out: its sink, what it subscribed to, and which ids it is sent. Most streams send the
 * frames their namespace channel encoded for all of them, as they are. A stream sends ids of its own when the
 * channel's ids cannot say where it is:
 * <ul>
 *   <li>a stream of several namespaces hears several channels, and its id must name its place in each;</li>
 *   <li>a resumed stream was sent what it missed from history, possibly ahead of what its channel has
 *       delivered yet: until the channel's id is its own again, it keeps its own (and drops any live message
 *       it already has).</li>
 * </ul>
 * While a resumed stream is sent what it missed, live messages are held back, then sent after it.
 * Confined to the client's event loop.
 */
public final class Subscriber {

  private enum Mode {
    /** Resuming: live messages are kept until what was missed has been sent. */
    HOLDING,
    /** Ids of its own, computed from its own frontier. */
    OWN_IDS,
    /** The channel's frames as they are. */
    SHARED
  }

  private final StreamSink sink;
  private final Subscription subscription;
  private final long maxHeldBytes;
  private Mode mode;
  private Frontier frontier;
  /** After a resume, while catching up: where the client is in each namespace; messages up to there are dropped. */
  private Map<Namespace, Long> clientHas;
  private long othersClientHas;
  private List<Delivery> held;
  private long heldBytes;
  private boolean detached;

  /**
   * @param sequenced    messages carry history's sequences (history on); without them every stream sends the
   *                     channels' frames as they are
   * @param resuming     the stream will be sent what it missed first: hold live messages until then
   * @param maxHeldBytes live bytes held back at most while resuming; past that the client is dropped
   */
  public Subscriber(StreamSink sink, Subscription subscription, boolean sequenced, boolean resuming, long maxHeldBytes) {
    this.sink = sink;
    this.subscription = subscription;
    this.maxHeldBytes = maxHeldBytes;
    if (resuming) {
      mode = Mode.HOLDING;
      held = new ArrayList<>();
    } else if (sequenced && subscription.namespaces().size() > 1) {
      mode = Mode.OWN_IDS;
      frontier = new Frontier();
    } else {
      mode = Mode.SHARED;
    }
  }

  public StreamSink sink() {
    return sink;
  }

  public Subscription subscription() {
    return subscription;
  }

  public boolean isClosed() {
    return sink.isClosed();
  }

  /** True the first time only: the fan-out forgets a stream exactly once, however it ended. */
  boolean detachOnce() {
    if (detached) {
      return false;
    }
    detached = true;
    return true;
  }

  /** Hands over frames of one channel ({@code deliveries}, joined in {@code frames}); false once closed. */
  boolean deliver(SharedFrames frames, List<Delivery> deliveries) {
    return switch (mode) {
      case SHARED -> sink.send(frames);
      case HOLDING -> hold(deliveries);
      case OWN_IDS -> sendOwn(deliveries);
    };
  }

  private boolean hold(List<Delivery> deliveries) {
    if (sink.isClosed()) {
      return false;
    }
    for (Delivery delivery : deliveries) {
      held.add(delivery);
      heldBytes += delivery.frame().length();
    }
    if (heldBytes > maxHeldBytes) {
      sink.end();
      return false;
    }
    return true;
  }

  private boolean sendOwn(List<Delivery> deliveries) {
    if (deliveries.size() == 1) {
      Buffer frame = frameFor(deliveries.get(0));
      return frame == null ? !sink.isClosed() : sink.send(frame, 1);
    }
    Buffer out = Buffer.buffer();
    int events = 0;
    for (Delivery delivery : deliveries) {
      // The stream may go back to the channel's ids part way through: the rest go out as they are.
      Buffer frame = mode == Mode.SHARED ? delivery.frame() : frameFor(delivery);
      if (frame != null) {
        out.appendBuffer(frame);
        events++;
      }
    }
    return events == 0 ? !sink.isClosed() : sink.send(out, events);
  }

  /** The frame to send for a delivery under this stream's own ids, or null when the client has it already. */
  private Buffer frameFor(Delivery delivery) {
    if (delivery.isServiceEvent()) {
      return delivery.frame();
    }
    if (clientHas != null && delivery.seq() <= clientHas.getOrDefault(delivery.namespace(), othersClientHas)) {
      return null;
    }
    String id = frontier.deliver(delivery.namespace(), delivery.seq());
    if (id.equals(delivery.id()) && subscription.namespaces().size() == 1) {
      // The channel's ids say where this stream is again: from now on its frames go out as they are.
      mode = Mode.SHARED;
      frontier = null;
      clientHas = null;
      return delivery.frame();
    }
    return SseFrames.withId(delivery.frame(), id);
  }

  /**
   * A resume is about to send what was missed: ids continue from where the client was, and live messages it
   * already has will be dropped.
   */
  void beginReplay(ResumePlan plan) {
    frontier = new Frontier();
    frontier.seed(plan.newest(), plan.from());
    ReadFrom from = plan.from();
    clientHas = new HashMap<>();
    from.positions().forEach((name, seq) -> clientHas.put(Namespace.parse(name), seq));
    othersClientHas = from.others();
  }

  /** The frames of replayed messages, each with this stream's id after it (the client then has it). */
  Buffer replayFrames(List<ResumePlan.Replayed> messages) {
    Buffer out = Buffer.buffer();
    for (ResumePlan.Replayed replayed : messages) {
      Namespace namespace = replayed.namespace();
      long seq = replayed.message().seq();
      clientHas.merge(namespace, seq, Math::max);
      out.appendBuffer(SseFrames.event(frontier.deliver(namespace, seq), replayed.message().event(),
          replayed.message().data()));
    }
    return out;
  }

  /** What was missed has been sent: the live messages held meanwhile follow, and from now on go out at once. */
  boolean goLive() {
    List<Delivery> waiting = held;
    held = null;
    heldBytes = 0;
    if (frontier == null) {
      // Nothing was replayed (history could not be read): live messages as they come.
      mode = subscription.namespaces().size() > 1 ? Mode.OWN_IDS : Mode.SHARED;
      frontier = mode == Mode.OWN_IDS ? new Frontier() : null;
      return waiting.isEmpty() || (mode == Mode.SHARED ? sendShared(waiting) : sendOwn(waiting));
    }
    mode = Mode.OWN_IDS;
    return waiting.isEmpty() || sendOwn(waiting);
  }

  private boolean sendShared(List<Delivery> deliveries) {
    Buffer out = Buffer.buffer();
    for (Delivery delivery : deliveries) {
      out.appendBuffer(delivery.frame());
    }
    return sink.send(out, deliveries.size());
  }
}
