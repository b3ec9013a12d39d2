package ssecluster.history.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import ssecluster.history.StoredMessage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One namespace's record in the history map: its held messages, oldest first, in a ring that grows up to the
 * size bound (so a quiet namespace costs little), what was dropped, and the names of its child namespaces
 * (the map is also a tree of namespaces, so that a resume of {@code pets} finds {@code pets.dogs}).
 *
 * <p>Held as an object (in-memory format OBJECT) and changed in place by entry processors on the partition's
 * thread, which is what orders a namespace's messages. Arrays rather than an object per message: a message
 * costs its data plus about 24 bytes.
 */
final class NamespaceLog implements IdentifiedDataSerializable {

  private static final int INITIAL_CAPACITY = 4;
  private static final long[] NO_LONGS = new long[0];

  /** When this record was created: tells a re-created namespace from the one that was swept away. */
  long createdMicros;
  /** The newest sequence ever given in this namespace; 0 before the first message. */
  long lastSeq;
  /** The newest sequence dropped for size or age; 0 if none. */
  long droppedUpTo;
  /** Last append or change of children: a record idle long enough, and empty, is removed. */
  long lastActivityMicros;

  private long[] seqs = NO_LONGS;
  /** Source ids, allocated on the first message that has one. */
  private long[] sources;
  private String[] events;
  private byte[][] data;
  private int head;
  private int size;
  /** Child name -> the child's {@link #createdMicros}; null when there are none. */
  private Map<String, Long> children;

  NamespaceLog() {
  }

  NamespaceLog(long nowMicros) {
    this.createdMicros = nowMicros;
    this.lastActivityMicros = nowMicros;
  }

  int size() {
    return size;
  }

  /** The next sequence: the time, or one past the newest when messages come faster than a microsecond. */
  long nextSeq(long nowMicros) {
    return Math.max(lastSeq + 1, nowMicros);
  }

  void add(long seq, String event, byte[] bytes, long source, int capacity, long nowMicros) {
    while (size >= capacity) {
      dropOldest();
    }
    if (size == seqs.length) {
      grow(capacity);
    }
    int slot = slot(size);
    seqs[slot] = seq;
    // The same name in a row is stored once: most namespaces use a handful of event names.
    String previousEvent = size > 0 ? events[slot(size - 1)] : null;
    events[slot] = event != null && event.equals(previousEvent) ? previousEvent : event;
    data[slot] = bytes;
    if (source != 0 && sources == null) {
      sources = new long[seqs.length];
    }
    if (sources != null) {
      sources[slot] = source;
    }
    size++;
    lastSeq = seq;
    lastActivityMicros = nowMicros;
  }

  /** Drops held messages older than {@code minSeq} (their age is their sequence). */
  void dropOlderThan(long minSeq) {
    while (size > 0 && seqs[head] < minSeq) {
      dropOldest();
    }
  }

  private void dropOldest() {
    droppedUpTo = seqs[head];
    events[head] = null;
    data[head] = null;
    head = (head + 1) % seqs.length;
    size--;
  }

  /** Index (0 = oldest held) of the message with this source id, or -1. */
  int indexOfSource(long source) {
    if (sources == null || source == 0) {
      return -1;
    }
    for (int i = size - 1; i >= 0; i--) {
      if (sources[slot(i)] == source) {
        return i;
      }
    }
    return -1;
  }

  long seqAt(int index) {
    return seqs[slot(index)];
  }

  /** The sequence before the held message at {@code index}: the one before it, or the last one dropped. */
  long previousOf(int index) {
    return index > 0 ? seqs[slot(index - 1)] : droppedUpTo;
  }

  /**
   * Held messages after {@code position} that are not older than {@code minSeq} (age is applied when read, too:
   * a record is only trimmed when it is written to or swept).
   */
  List<StoredMessage> after(long position, long minSeq) {
    int from = firstIndexAfter(Math.max(position, minSeq - 1));
    List<StoredMessage> out = new ArrayList<>(size - from);
    for (int i = from; i < size; i++) {
      int slot = slot(i);
      out.add(new StoredMessage(seqs[slot], events[slot], new String(data[slot], StandardCharsets.UTF_8)));
    }
    return out;
  }

  /** The newest sequence dropped, counting held messages that are already too old to be read. */
  long droppedUpTo(long minSeq) {
    long dropped = droppedUpTo;
    int firstYoung = firstIndexAfter(minSeq - 1);
    if (firstYoung > 0) {
      dropped = Math.max(dropped, seqAt(firstYoung - 1));
    }
    return dropped;
  }

  /** Index of the first held message with a sequence above {@code position} (binary search: sequences rise). */
  private int firstIndexAfter(long position) {
    int low = 0;
    int high = size;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (seqAt(mid) <= position) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  long heldBytes() {
    long bytes = 0;
    for (int i = 0; i < size; i++) {
      bytes += data[slot(i)].length;
    }
    return bytes;
  }

  Map<String, Long> children() {
    return children == null ? Map.of() : children;
  }

  void addChild(String name, long generation, long nowMicros) {
    if (children == null) {
      children = new LinkedHashMap<>();
    }
    children.put(name, generation);
    lastActivityMicros = nowMicros;
  }

  void removeChild(String name, long generation) {
    if (children != null && children.remove(name, generation) && children.isEmpty()) {
      children = null;
    }
  }

  boolean removable(long idleSinceMicros) {
    return size == 0 && children == null && lastActivityMicros < idleSinceMicros;
  }

  private int slot(int index) {
    return (head + index) % seqs.length;
  }

  /** Doubles the ring (up to the bound), laying the held messages out from slot 0. */
  private void grow(int capacity) {
    int length = Math.max(INITIAL_CAPACITY, Math.min(capacity, seqs.length * 2));
    long[] newSeqs = new long[length];
    long[] newSources = sources == null ? null : new long[length];
    String[] newEvents = new String[length];
    byte[][] newData = new byte[length][];
    for (int i = 0; i < size; i++) {
      int slot = slot(i);
      newSeqs[i] = seqs[slot];
      newEvents[i] = events[slot];
      newData[i] = data[slot];
      if (newSources != null) {
        newSources[i] = sources[slot];
      }
    }
    seqs = newSeqs;
    sources = newSources;
    events = newEvents;
    data = newData;
    head = 0;
  }

  @Override
  public int getFactoryId() {
    return HistorySerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return HistorySerialization.NAMESPACE_LOG;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeLong(createdMicros);
    out.writeLong(lastSeq);
    out.writeLong(droppedUpTo);
    out.writeLong(lastActivityMicros);
    out.writeInt(size);
    out.writeBoolean(sources != null);
    for (int i = 0; i < size; i++) {
      int slot = slot(i);
      out.writeLong(seqs[slot]);
      if (sources != null) {
        out.writeLong(sources[slot]);
      }
      out.writeString(events[slot]);
      out.writeByteArray(data[slot]);
    }
    Map<String, Long> kids = children();
    out.writeInt(kids.size());
    for (Map.Entry<String, Long> child : kids.entrySet()) {
      out.writeString(child.getKey());
      out.writeLong(child.getValue());
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    createdMicros = in.readLong();
    lastSeq = in.readLong();
    droppedUpTo = in.readLong();
    lastActivityMicros = in.readLong();
    size = in.readInt();
    boolean hasSources = in.readBoolean();
    int length = size == 0 ? 0 : Math.max(INITIAL_CAPACITY, Integer.highestOneBit(size - 1) << 1);
    seqs = new long[length];
    sources = hasSources ? new long[length] : null;
    events = new String[length];
    data = new byte[length][];
    head = 0;
    for (int i = 0; i < size; i++) {
      seqs[i] = in.readLong();
      if (hasSources) {
        sources[i] = in.readLong();
      }
      events[i] = in.readString();
      data[i] = in.readByteArray();
    }
    int childCount = in.readInt();
    for (int i = 0; i < childCount; i++) {
      if (children == null) {
        children = new LinkedHashMap<>();
      }
      children.put(in.readString(), in.readLong());
    }
  }

  @Override
  public String toString() {
    return "NamespaceLog{size=" + size + ", lastSeq=" + lastSeq + ", droppedUpTo=" + droppedUpTo
        + ", children=" + children().keySet() + ", seqs=" + Arrays.toString(Arrays.copyOf(seqs, Math.min(seqs.length, 4))) + "...}";
  }
}
