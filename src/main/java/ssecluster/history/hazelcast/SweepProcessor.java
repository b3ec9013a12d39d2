package ssecluster.history.hazelcast;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import ssecluster.history.Micros;

import java.io.IOException;
import java.util.Map;

/**
 * Drops messages past the age bound from records nobody writes to, and removes records that have held nothing
 * and had no children for the tombstone time. Until then an empty record still says what was dropped, so
 * that a client returning after a quiet spell learns of a gap rather than silently missing messages. Answers
 * the removed record's creation time (for removing it from its parent), or null.
 */
final class SweepProcessor implements EntryProcessor<String, NamespaceLog, Long>, IdentifiedDataSerializable {

  private long ttlMicros;
  private long tombstoneMicros;
  /** Set by the primary; the backups use it as it is. */
  private long nowMicros;

  SweepProcessor() {
  }

  SweepProcessor(long ttlMicros, long tombstoneMicros) {
    this.ttlMicros = ttlMicros;
    this.tombstoneMicros = tombstoneMicros;
  }

  @Override
  public Long process(Map.Entry<String, NamespaceLog> entry) {
    if (nowMicros == 0) {
      nowMicros = Micros.now();
    }
    NamespaceLog log = entry.getValue();
    if (log == null) {
      return null;
    }
    int before = log.size();
    log.dropOlderThan(nowMicros - ttlMicros);
    if (log.removable(nowMicros - tombstoneMicros)) {
      entry.setValue(null);
      return log.createdMicros;
    }
    if (log.size() != before) {
      entry.setValue(log);
    }
    return null;
  }

  @Override
  public EntryProcessor<String, NamespaceLog, Long> getBackupProcessor() {
    return this;
  }

  @Override
  public int getFactoryId() {
    return HistorySerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return HistorySerialization.SWEEP;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeLong(ttlMicros);
    out.writeLong(tombstoneMicros);
    out.writeLong(nowMicros);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    ttlMicros = in.readLong();
    tombstoneMicros = in.readLong();
    nowMicros = in.readLong();
  }
}
