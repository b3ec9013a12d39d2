package ssecluster.history;

import ssecluster.namespace.Namespace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a stream (or a namespace channel, for all its streams) has been delivered, written as the id of each
 * event it sends, so that a client that reconnects anywhere with that id resumes exactly (the grammar is
 * {@link StreamPosition}'s). Only namespaces delivered in the last {@link StreamPosition#WINDOW_MICROS} are
 * named, and the one holding the newest message goes unnamed: a stream that hears one namespace at a time
 * sends each message's own id.
 *
 * <p>Not thread-safe: each channel or stream keeps its own, on its own event loop.
 */
public final class Frontier {

  /** Namespaces named in one id at most; the rest share a {@code *} entry. */
  static final int MAX_NAMED = 32;
  /** Characters of names in one id at most (Last-Event-ID travels in a request header). */
  static final int MAX_NAME_CHARS = 2048;
  /** Namespaces tracked at most; the least recently delivered beyond this are only remembered in bulk. */
  static final int MAX_TRACKED = 256;

  private final Map<Namespace, Entry> entries = new HashMap<>();
  /** Least recently delivered first. */
  private Entry oldest;
  private Entry newestDelivered;
  private long newest;
  /** The newest position among namespaces no longer tracked (for the {@code *} entry). */
  private long forgottenUpTo;

  private static final class Entry {
    final Namespace namespace;
    long last;
    Entry before;
    Entry after;

    Entry(Namespace namespace) {
      this.namespace = namespace;
    }
  }

  /** Starts from a resumed client's position, once resolved: its namespaces are where it says. */
  public void seed(long newestSeq, ReadFrom resolved) {
    long windowStart = newestSeq - StreamPosition.WINDOW_MICROS;
    newest = Math.max(newest, newestSeq);
    resolved.positions().forEach((name, seq) -> {
      if (seq > windowStart) {
        record(Namespace.parse(name), seq);
      }
    });
    if (resolved.others() > windowStart) {
      forgottenUpTo = Math.max(forgottenUpTo, resolved.others());
    }
  }

  /** Records the delivery of a message and answers the id to send with it. */
  public String deliver(Namespace namespace, long seq) {
    record(namespace, seq);
    return id();
  }

  /** The newest sequence delivered of a namespace still tracked, or 0. */
  public long lastOf(Namespace namespace) {
    Entry entry = entries.get(namespace);
    return entry == null ? 0 : entry.last;
  }

  private void record(Namespace namespace, long seq) {
    newest = Math.max(newest, seq);
    Entry entry = entries.get(namespace);
    if (entry == null) {
      entry = new Entry(namespace);
      entries.put(namespace, entry);
    } else {
      unlink(entry);
    }
    entry.last = Math.max(entry.last, seq);
    append(entry);
    long windowStart = newest - StreamPosition.WINDOW_MICROS;
    while (oldest != null && (oldest.last <= windowStart || entries.size() > MAX_TRACKED)) {
      Entry gone = oldest;
      unlink(gone);
      entries.remove(gone.namespace);
      if (gone.last > windowStart) {
        forgottenUpTo = Math.max(forgottenUpTo, gone.last);
      }
    }
  }

  /** The id for the current state; see {@link StreamPosition} for what it means. */
  String id() {
    long windowStart = newest - StreamPosition.WINDOW_MICROS;
    Entry atNewest = null;
    int countAtNewest = forgottenUpTo == newest ? 1 : 0;
    for (Entry entry = newestDelivered; entry != null; entry = entry.before) {
      if (entry.last == newest) {
        countAtNewest++;
        atNewest = entry;
      }
    }
    // The namespace holding the newest message goes unnamed when it is the only one there: the reader finds it.
    Entry implied = countAtNewest == 1 ? atNewest : null;
    List<Entry> named = new ArrayList<>();
    long others = forgottenUpTo > windowStart ? forgottenUpTo : 0;
    int chars = 0;
    for (Entry entry = newestDelivered; entry != null; entry = entry.before) {
      if (entry.last <= windowStart || entry == implied) {
        continue;
      }
      int length = entry.namespace.name().length() + 16;
      if (named.size() < MAX_NAMED && chars + length <= MAX_NAME_CHARS && entry.last != newest) {
        named.add(entry);
        chars += length;
      } else if (entry.last == newest && named.size() < MAX_NAMED) {
        named.add(entry);   // several at the newest: each is named, whatever the bound
        chars += length;
      } else {
        others = Math.max(others, entry.last);
      }
    }
    if (named.isEmpty() && others == 0) {
      return Long.toString(newest);
    }
    named.sort((a, b) -> a.namespace.name().compareTo(b.namespace.name()));
    StringBuilder id = new StringBuilder(24 + chars).append(newest);
    for (Entry entry : named) {
      id.append('~').append(entry.namespace.isRoot() ? StreamPosition.ROOT_NAME : entry.namespace.name());
      appendDelta(id, newest - entry.last);
    }
    if (others > 0) {
      id.append('~').append(StreamPosition.OTHERS).append(':').append(Long.toString(newest - others, 36));
    }
    return id.toString();
  }

  private static void appendDelta(StringBuilder id, long delta) {
    if (delta > 0) {
      id.append(':').append(Long.toString(delta, 36));
    }
  }
  private void append(Entry entry) {
    entry.before = newestDelivered;
    entry.after = null;
    if (newestDelivered != null) {
      newestDelivered.after = entry;
    }
    newestDelivered = entry;
    if (oldest == null) {
      oldest = entry;
    }
  }

  private void unlink(Entry entry) {
    if (entry.before != null) {
      entry.before.after = entry.after;
    } else {
      oldest = entry.after;
    }
    if (entry.after != null) {
      entry.after.before = entry.before;
    } else {
      newestDelivered = entry.before;
    }
    entry.before = null;
    entry.after = null;
  }
}
