package ssecluster.history.hazelcast;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import ssecluster.history.Micros;
import ssecluster.history.ReadFrom;
import ssecluster.history.StoredMessage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what a namespace holds after its position (and, for walking a subtree, the names of its children).
 * Read-only: it runs on the partition's thread and changes nothing, so it needs no backup.
 */
final class ReadProcessor implements EntryProcessor<String, NamespaceLog, ReadProcessor.Result>, ReadOnly,
    IdentifiedDataSerializable {

  private ReadFrom from;
  private long ttlMicros;

  ReadProcessor() {
  }

  ReadProcessor(ReadFrom from, long ttlMicros) {
    this.from = from;
    this.ttlMicros = ttlMicros;
  }

  /** Null fields when the namespace has no record. */
  static final class Result implements IdentifiedDataSerializable {
    long droppedUpTo;
    List<StoredMessage> messages = List.of();
    List<String> children = List.of();

    @Override
    public int getFactoryId() {
      return HistorySerialization.FACTORY_ID;
    }

    @Override
    public int getClassId() {
      return HistorySerialization.READ_RESULT;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(droppedUpTo);
      out.writeInt(messages.size());
      for (StoredMessage message : messages) {
        out.writeLong(message.seq());
        out.writeString(message.event());
        out.writeString(message.data());
      }
      out.writeInt(children.size());
      for (String child : children) {
        out.writeString(child);
      }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      droppedUpTo = in.readLong();
      int count = in.readInt();
      messages = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        messages.add(new StoredMessage(in.readLong(), in.readString(), in.readString()));
      }
      int childCount = in.readInt();
      children = new ArrayList<>(childCount);
      for (int i = 0; i < childCount; i++) {
        children.add(in.readString());
      }
    }
  }

  @Override
  public Result process(Map.Entry<String, NamespaceLog> entry) {
    NamespaceLog log = entry.getValue();
    if (log == null) {
      return null;
    }
    long minSeq = Micros.now() - ttlMicros;
    Result result = new Result();
    result.droppedUpTo = log.droppedUpTo(minSeq);
    result.messages = log.after(from.positionOf(entry.getKey()), minSeq);
    result.children = new ArrayList<>(log.children().keySet());
    return result;
  }

  @Override
  public EntryProcessor<String, NamespaceLog, Result> getBackupProcessor() {
    return null;
  }

  @Override
  public int getFactoryId() {
    return HistorySerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return HistorySerialization.READ;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeLong(ttlMicros);
    out.writeLong(from.others());
    out.writeInt(from.positions().size());
    for (Map.Entry<String, Long> position : from.positions().entrySet()) {
      out.writeString(position.getKey());
      out.writeLong(position.getValue());
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    ttlMicros = in.readLong();
    long others = in.readLong();
    int count = in.readInt();
    Map<String, Long> positions = new HashMap<>();
    for (int i = 0; i < count; i++) {
      positions.put(in.readString(), in.readLong());
    }
    from = new ReadFrom(positions, others);
  }
}
