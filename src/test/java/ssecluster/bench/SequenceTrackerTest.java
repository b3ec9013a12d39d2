package ssecluster.bench;

import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SequenceTrackerTest {

  private static BitSet range(int from, int to) {
    BitSet set = new BitSet();
    set.set(from, to);
    return set;
  }

  @Test
  void everythingOnceInOrder() {
    SequenceTracker tracker = new SequenceTracker();
    for (int i = 0; i < 1000; i++) {
      assertTrue(tracker.record(i));
    }
    assertEquals(0, tracker.lost(range(0, 1000)));
    assertEquals(0, tracker.duplicates());
    assertEquals(0, tracker.outOfOrder());
    assertEquals(1000, tracker.receipts());
    assertEquals(1000, tracker.distinct());
  }

  @Test
  void countsLostDuplicatedAndReordered() {
    SequenceTracker tracker = new SequenceTracker();
    tracker.record(0);
    tracker.record(2);
    tracker.record(1);      // late: reordered
    assertFalse(tracker.record(2)); // duplicate
    tracker.record(2);      // duplicate again
    tracker.record(5);
    // 3, 4 and 6 never arrived
    assertEquals(3, tracker.lost(range(0, 7)));
    assertEquals(2, tracker.duplicates());
    assertEquals(1, tracker.outOfOrder());
    assertEquals(6, tracker.receipts());
    assertEquals(4, tracker.distinct());
    assertEquals(0, tracker.unexpected(range(0, 7)));
  }

  @Test
  void onlyAcceptedMessagesAreExpected() {
    SequenceTracker tracker = new SequenceTracker();
    tracker.record(0);
    tracker.record(1);
    tracker.record(3);
    BitSet accepted = range(0, 4);
    accepted.clear(2);      // its publish failed: not lost when it does not arrive
    accepted.clear(3);      // its publish "failed" yet it arrived: unexpected
    assertEquals(0, tracker.lost(accepted));
    assertEquals(1, tracker.unexpected(accepted));
  }

  @Test
  void lostDoesNotChangeTheExpectedSet() {
    SequenceTracker tracker = new SequenceTracker();
    BitSet accepted = range(0, 10);
    tracker.record(4);
    assertEquals(9, tracker.lost(accepted));
    assertEquals(10, accepted.cardinality());
  }

  @Test
  void rejectsImpossibleNumbers() {
    SequenceTracker tracker = new SequenceTracker();
    assertThrows(IllegalArgumentException.class, () -> tracker.record(-1));
    assertThrows(IllegalArgumentException.class, () -> tracker.record(1L << 40));
  }
}
