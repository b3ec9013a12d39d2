package ssecluster.history.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import ssecluster.history.Micros;

import java.io.IOException;
import java.util.Map;

/**
 * Adds a child namespace to its parent's record (creating the parent's record if needed, which the answer
 * tells, so the caller adds the parent to its own parent in turn), or removes one that was swept away. A
 * child is named with its record's creation time, so that removing a swept child never removes the record
 * that a new message created in its place meanwhile.
 */
final class ChildProcessor implements EntryProcessor<String, NamespaceLog, long[]>, IdentifiedDataSerializable {

  private boolean add;
  private String child;
  private long generation;
  /** Set by the primary; the backup uses it as it is. */
  private long nowMicros;

  ChildProcessor() {
  }

  private ChildProcessor(boolean add, String child, long generation) {
    this.add = add;
    this.child = child;
    this.generation = generation;
  }

  static ChildProcessor add(String child, long generation) {
    return new ChildProcessor(true, child, generation);
  }

  static ChildProcessor remove(String child, long generation) {
    return new ChildProcessor(false, child, generation);
  }

  /** Answers {@code [created, createdMicros]} of the parent's record ({@code created} 1 when this made it). */
  @Override
  public long[] process(Map.Entry<String, NamespaceLog> entry) {
    if (nowMicros == 0) {
      nowMicros = Micros.now();
    }
    NamespaceLog log = entry.getValue();
    if (!add) {
      if (log != null) {
        log.removeChild(child, generation);
        entry.setValue(log);
      }
      return null;
    }
    boolean created = log == null;
    if (created) {
      log = new NamespaceLog(nowMicros);
    }
    log.addChild(child, generation, nowMicros);
    entry.setValue(log);
    return new long[] {created ? 1 : 0, log.createdMicros};
  }

  @Override
  public EntryProcessor<String, NamespaceLog, long[]> getBackupProcessor() {
    return this;
  }

  @Override
  public int getFactoryId() {
    return HistorySerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return HistorySerialization.CHILD;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeBoolean(add);
    out.writeString(child);
    out.writeLong(generation);
    out.writeLong(nowMicros);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    add = in.readBoolean();
    child = in.readString();
    generation = in.readLong();
    nowMicros = in.readLong();
  }
}
