package ssecluster.fanout;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hold decision of the write delay on a synthetic clock: one namespace on one loop, frames arriving
 * at given times, a held frame written when its hold ends together with every frame that arrived
 * meanwhile. What counts is what a subscriber sees: how late each frame leaves, and how many socket
 * writes the frames take.
 */
class WritePacingTest {

  private static final long DELAY = ms(25);

  @Test
  void framesOfABusyNamespaceShareWritesAndNoneWaitsLongerThanTheDelay() {
    Outcome outcome = replay(DELAY, every(ms(10), 500));   // 100 a second

    assertTrue(outcome.writes() <= 500 / 2, outcome.writes() + " writes for 500 frames");
    assertTrue(outcome.maxHeld() <= DELAY, "held " + outcome.maxHeld() + " ns");
  }

  @Test
  void aLateFrameDoesNotGetTheNextOneHeld() {
    // The gap after the late frame is short, the pace is not.
    Outcome outcome = replay(DELAY, fiftyASecondEveryTenthLate(ms(10)));

    assertEquals(0, outcome.maxHeld(), "a frame was held");
    assertEquals(500, outcome.writes());
  }

  @Test
  void aFrameThatArrivesRightAfterALateOneIsNotHeld() {
    // The late frame (held up before it reached the loop) arrives just before the next one, which then
    // had a whole delay ahead of it and was held for nearly all of it.
    Outcome outcome = replay(DELAY, fiftyASecondEveryTenthLate(ms(18)));

    assertEquals(0, outcome.maxHeld(), "a frame was held");
    assertEquals(500, outcome.writes());
  }

  @Test
  void framesOfAVeryBusyNamespaceStillShareWrites() {
    Outcome outcome = replay(DELAY, every(TimeUnit.MICROSECONDS.toNanos(3333), 1500));   // 300 a second

    assertTrue(outcome.writes() <= 1500 / 5, outcome.writes() + " writes for 1500 frames");
    assertTrue(outcome.maxHeld() <= DELAY, "held " + outcome.maxHeld() + " ns");
  }

  @Test
  void framesSlowerThanTheDelayLeaveAtOnce() {
    Outcome outcome = replay(DELAY, every(ms(30), 200));

    assertEquals(0, outcome.maxHeld());
    assertEquals(200, outcome.writes());
  }

  @Test
  void aBurstAfterAQuietSpellIsHeldOnceItsPaceIsKnown() {
    WritePacing pacing = new WritePacing(DELAY, 0);
    long now = ms(1);
    for (int i = 0; i < 6; i++, now += ms(1)) {
      assertEquals(0, pacing.arrive(now), "frame " + i + " of the burst");
      pacing.written(now);
    }
    long hold = pacing.arrive(now);
    assertTrue(hold > 0 && hold <= DELAY, "the seventh frame is held for " + hold + " ns");
  }

  @Test
  void aQuietSpellEndsTheHolding() {
    WritePacing pacing = new WritePacing(DELAY, 0);
    long now = 0;
    for (int i = 0; i < 50; i++, now += ms(5)) {
      if (pacing.arrive(now) == 0) {
        pacing.written(now);
      }
    }
    pacing.written(now);
    assertEquals(0, pacing.arrive(now + ms(500)), "the first frame after half a second");
  }

  @Test
  void noDelayNeverHolds() {
    Outcome outcome = replay(0, every(ms(1), 100));

    assertEquals(0, outcome.maxHeld());
    assertEquals(100, outcome.writes());
  }

  private record Outcome(int writes, long maxHeld) {
  }

  /** Plays arrivals (ns, ascending) through a pacing as LoopFanout uses it. */
  private static Outcome replay(long delay, List<Long> arrivals) {
    WritePacing pacing = new WritePacing(delay, arrivals.get(0) - TimeUnit.SECONDS.toNanos(10));
    int writes = 0;
    long maxHeld = 0;
    long heldUntil = -1;
    List<Long> waiting = new ArrayList<>();
    for (long arrival : arrivals) {
      if (heldUntil >= 0 && heldUntil <= arrival) {
        pacing.written(heldUntil);
        writes++;
        for (long held : waiting) {
          maxHeld = Math.max(maxHeld, heldUntil - held);
        }
        waiting.clear();
        heldUntil = -1;
      }
      long hold = pacing.arrive(arrival);
      if (heldUntil >= 0) {
        waiting.add(arrival);
      } else if (hold > 0) {
        heldUntil = arrival + hold;
        waiting.add(arrival);
      } else {
        pacing.written(arrival);
        writes++;
      }
    }
    if (heldUntil >= 0) {
      writes++;
      for (long held : waiting) {
        maxHeld = Math.max(maxHeld, heldUntil - held);
      }
    }
    return new Outcome(writes, maxHeld);
  }

  /** 500 frames 20 ms apart, every tenth of them {@code late}. */
  private static List<Long> fiftyASecondEveryTenthLate(long late) {
    List<Long> arrivals = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      arrivals.add(i * ms(20) + (i % 10 == 5 ? late : 0));
    }
    return arrivals;
  }

  private static List<Long> every(long gap, int count) {
    List<Long> arrivals = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      arrivals.add(i * gap);
    }
    return arrivals;
  }

  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }
}
