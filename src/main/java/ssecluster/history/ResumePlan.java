package ssecluster.history;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import ssecluster.namespace.Namespace;
import ssecluster.namespace.Subscription;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a resuming stream is sent before it goes live: a gap notice when history cannot close the gap, then
 * the messages it missed, oldest first (by sequence, across its namespaces). {@code from} is where each
 * namespace of the stream stood (the client has everything up to there), {@code newest} the newest sequence
 * its id named: together they are where the stream's own ids continue from.
 */
public record ResumePlan(Gap gap, List<Replayed> messages, ReadFrom from, long newest) {

  /** How long the cluster remembers that a namespace existed after its last message (see the stores). */
  public static final long TRACKED_MICROS = TimeUnit.HOURS.toMicros(24);
  /** A position further in the future than this is not one of this cluster's. */
  static final long FUTURE_TOLERANCE_MICROS = TimeUnit.MINUTES.toMicros(1);

  public enum GapReason { UNKNOWN, EXPIRED }

  /** Why the stream cannot be given everything after its position, and which of its namespaces are affected. */
  public record Gap(String lastEventId, GapReason reason, List<String> namespaces) {

    /** The data of the {@code sse-gap} event. */
    public JsonObject toJson() {
      return new JsonObject()
          .put("lastEventId", lastEventId)
          .put("reason", reason.name().toLowerCase())
          .put("namespaces", new JsonArray(namespaces));
    }
  }

  /** One missed message and its namespace. */
  public record Replayed(Namespace namespace, StoredMessage message) {
  }

  /**
   * Where history must be read from for this position: everything it holds when the position cannot be placed
   * (an unknown position is answered with a gap, then all that history still holds).
   */
  public static ReadFrom readFrom(StreamPosition position, long startedAtMicros, long nowMicros) {
    return unknown(position, startedAtMicros, nowMicros) ? ReadFrom.EARLIEST : position.readFrom();
  }

  /** Plans the resume of {@code position} from what history answered for {@link #readFrom}. */
  public static ResumePlan of(StreamPosition position, Subscription subscription, List<NamespaceSlice> slices,
                              long startedAtMicros, long nowMicros) {
    ReadFrom from = resolve(position, slices, readFrom(position, startedAtMicros, nowMicros));
    List<Replayed> messages = new ArrayList<>();
    for (NamespaceSlice slice : slices) {
      long after = from.positionOf(slice.namespace().name());
      for (StoredMessage message : slice.messages()) {
        if (message.seq() > after) {
          messages.add(new Replayed(slice.namespace(), message));
        }
      }
    }
    messages.sort(Comparator.comparingLong((Replayed r) -> r.message().seq()).thenComparing(r -> r.namespace().name()));
    Gap gap = gap(position, subscription, slices, from, startedAtMicros, nowMicros);
    return new ResumePlan(gap, messages, from, position.newest());
  }

  /**
   * Places the namespace the id left unnamed: the one that holds the message with the id's newest sequence
   * (history was read from before it, so that message is in the slice if history still holds it).
   */
  private static ReadFrom resolve(StreamPosition position, List<NamespaceSlice> slices, ReadFrom from) {
    if (!position.newestUnnamed() || from == ReadFrom.EARLIEST) {
      return from;
    }
    Map<String, Long> positions = new HashMap<>(from.positions());
    for (NamespaceSlice slice : slices) {
      for (StoredMessage message : slice.messages()) {
        if (message.seq() == position.newest()) {
          positions.put(slice.namespace().name(), position.newest());
        }
      }
    }
    return new ReadFrom(Map.copyOf(positions), from.others());
  }

  private static Gap gap(StreamPosition position, Subscription subscription, List<NamespaceSlice> slices,
                         ReadFrom from, long startedAtMicros, long nowMicros) {
    if (position.isEarliest()) {
      return null;
    }
    List<String> streamNamespaces = subscription.namespaces().stream().map(Namespace::name).toList();
    if (unknown(position, startedAtMicros, nowMicros)) {
      return new Gap(position.text(), GapReason.UNKNOWN, streamNamespaces);
    }
    if (position.newest() < nowMicros - TRACKED_MICROS) {
      // Older than anything the cluster keeps track of: whatever came after it may have been dropped.
      return new Gap(position.text(), GapReason.EXPIRED, streamNamespaces);
    }
    List<String> expired = new ArrayList<>();
    for (NamespaceSlice slice : slices) {
      if (slice.droppedAfter(from.positionOf(slice.namespace().name()))) {
        expired.add(slice.namespace().name());
      }
    }
    if (expired.isEmpty()) {
      return null;
    }
    expired.sort(null);
    return new Gap(position.text(), GapReason.EXPIRED, expired);
  }

  private static boolean unknown(StreamPosition position, long startedAtMicros, long nowMicros) {
    return !position.isEarliest() && (!position.isReadable() || position.newest() < startedAtMicros
        || position.newest() > nowMicros + FUTURE_TOLERANCE_MICROS);
  }
}
