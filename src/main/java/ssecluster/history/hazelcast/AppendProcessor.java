package ssecluster.history.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import ssecluster.history.Micros;
import ssecluster.history.NewMessage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Appends a batch of one namespace's messages on the partition's thread, giving each its sequence, then drops
 * what is past the size and age bounds. The primary's decisions (sequences, time) go to the backup in the
 * backup processor, which applies them as they are: both copies stay equal without the backup reading a clock
 * of its own. Every message carries a source id, so an append that Hazelcast retries after the primary died
 * (its backup, now primary, may already hold the batch) finds the messages held and answers their places
 * instead of adding them twice.
 */
final class AppendProcessor implements EntryProcessor<String, NamespaceLog, AppendProcessor.Result>,
    IdentifiedDataSerializable {

  private List<NewMessage> messages;
  private int capacity;
  private long ttlMicros;

  /** True in the copy sent to the backup, which applies {@link #nowMicros} and {@link #assigned}. */
  private boolean backup;
  // Decided by the primary, applied by the backup.
  private long nowMicros;
  /** Per message: its sequence, or 0 when it repeated a held source id (nothing added). */
  private long[] assigned;

  AppendProcessor() {
  }

  AppendProcessor(List<NewMessage> messages, int capacity, long ttlMicros) {
    this.messages = messages;
    this.capacity = capacity;
    this.ttlMicros = ttlMicros;
  }

  /** What the primary answers: per message its sequence, the one before it, and whether it was a repeat. */
  static final class Result implements IdentifiedDataSerializable {
    boolean created;
    long createdMicros;
    long[] seqs;
    long[] previous;
    boolean[] repeated;

    @Override
    public int getFactoryId() {
      return HistorySerialization.FACTORY_ID;
    }

    @Override
    public int getClassId() {
      return HistorySerialization.APPEND_RESULT;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeBoolean(created);
      out.writeLong(createdMicros);
      out.writeLongArray(seqs);
      out.writeLongArray(previous);
      out.writeBooleanArray(repeated);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      created = in.readBoolean();
      createdMicros = in.readLong();
      seqs = in.readLongArray();
      previous = in.readLongArray();
      repeated = in.readBooleanArray();
    }
  }

  @Override
  public Result process(Map.Entry<String, NamespaceLog> entry) {
    if (!backup) {
      nowMicros = Micros.now();
      assigned = new long[messages.size()];
    }
    NamespaceLog log = entry.getValue();
    Result result = new Result();
    result.created = log == null;
    if (log == null) {
      log = new NamespaceLog(nowMicros);
    }
    result.createdMicros = log.createdMicros;
    result.seqs = new long[messages.size()];
    result.previous = new long[messages.size()];
    result.repeated = new boolean[messages.size()];
    for (int i = 0; i < messages.size(); i++) {
      NewMessage message = messages.get(i);
      if (!backup) {
        int held = log.indexOfSource(message.sourceId());
        if (held >= 0) {
          result.seqs[i] = log.seqAt(held);
          result.previous[i] = log.previousOf(held);
          result.repeated[i] = true;
          continue;   // assigned[i] stays 0: the backup adds nothing either
        }
        assigned[i] = log.nextSeq(nowMicros);
      } else if (assigned[i] == 0) {
        continue;
      }
      result.seqs[i] = assigned[i];
      result.previous[i] = log.lastSeq;
      log.add(assigned[i], message.event(), message.data().getBytes(StandardCharsets.UTF_8), message.sourceId(),
          capacity, nowMicros);
    }
    log.dropOlderThan(nowMicros - ttlMicros);
    entry.setValue(log);
    return result;
  }

  /** Called by Hazelcast on the primary after {@link #process}: carries its decisions to the backup. */
  @Override
  public EntryProcessor<String, NamespaceLog, Result> getBackupProcessor() {
    AppendProcessor copy = new AppendProcessor(messages, capacity, ttlMicros);
    copy.backup = true;
    copy.nowMicros = nowMicros;
    copy.assigned = assigned;
    return copy;
  }

  @Override
  public int getFactoryId() {
    return HistorySerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return HistorySerialization.APPEND;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(capacity);
    out.writeLong(ttlMicros);
    out.writeBoolean(backup);
    out.writeLong(nowMicros);
    out.writeLongArray(assigned);
    out.writeInt(messages.size());
    for (NewMessage message : messages) {
      out.writeString(message.event());
      out.writeString(message.data());
      out.writeLong(message.sourceId());
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    capacity = in.readInt();
    ttlMicros = in.readLong();
    backup = in.readBoolean();
    nowMicros = in.readLong();
    assigned = in.readLongArray();
    int count = in.readInt();
    messages = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      messages.add(new NewMessage(in.readString(), in.readString(), in.readLong()));
    }
  }
}
