package ssecluster.history.hazelcast;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.util.Map;

/** Counts one record's held messages and their data bytes, as {@code [messages, bytes]}. */
final class StatsProcessor implements EntryProcessor<String, NamespaceLog, long[]>, ReadOnly, IdentifiedDataSerializable {

  @Override
  public long[] process(Map.Entry<String, NamespaceLog> entry) {
    NamespaceLog log = entry.getValue();
    return log == null ? new long[] {0, 0} : new long[] {log.size(), log.heldBytes()};
  }

  @Override
  public EntryProcessor<String, NamespaceLog, long[]> getBackupProcessor() {
    return null;
  }

  @Override
  public int getFactoryId() {
    return HistorySerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return HistorySerialization.STATS;
  }

  @Override
  public void writeData(ObjectDataOutput out) {
  }

  @Override
  public void readData(ObjectDataInput in) {
  }
}
