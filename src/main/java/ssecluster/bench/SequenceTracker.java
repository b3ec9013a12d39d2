package ssecluster.bench;

import java.util.BitSet;

/**
 * What one subscriber received, by sequence number: which numbers arrived (for lost events), how many
 * arrived again (duplicates) and how many arrived out of order. Not thread-safe: one per connection, used
 * on its event loop.
 */
public final class SequenceTracker {

  private final BitSet received = new BitSet();
  private long receipts;
  private long duplicates;
  private long outOfOrder;
  private long highest = -1;

  /** Records one receipt; returns false when this number was already received (a duplicate). */
  public boolean record(long seq) {
    if (seq < 0 || seq > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("sequence number out of range: " + seq);
    }
    receipts++;
    int index = (int) seq;
    if (received.get(index)) {
      duplicates++;
      return false;
    }
    received.set(index);
    if (seq < highest) {
      outOfOrder++;
    } else {
      highest = seq;
    }
    return true;
  }

  /**
   * Events this subscriber should have received and did not: the numbers in {@code expected} (those the
   * server accepted) that never arrived.
   */
  public long lost(BitSet expected) {
    BitSet missing = (BitSet) expected.clone();
    missing.andNot(received);
    return missing.cardinality();
  }

  /** Events received whose number is not in {@code expected} (e.g. publish answered with an error). */
  public long unexpected(BitSet expected) {
    BitSet extra = (BitSet) received.clone();
    extra.andNot(expected);
    return extra.cardinality();
  }

  public long receipts() {
    return receipts;
  }

  public long duplicates() {
    return duplicates;
  }

  public long outOfOrder() {
    return outOfOrder;
  }

  public long distinct() {
    return received.cardinality();
  }
}
