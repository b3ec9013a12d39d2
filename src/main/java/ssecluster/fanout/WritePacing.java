package ssecluster.fanout;

/**
 * Whether a namespace's frame, arriving on a loop, should wait for company before it is written. A
 * frame is held only when the namespace's pace says another will arrive before the loop may write the
 * namespace again (the write delay after its previous write): then both leave in one socket write per
 * stream. Holding a frame that no other joins only makes it late.
 *
 * <p>The pace is a moving average of the gaps between frames, not the last gap. A frame that came late
 * (its loop or the network was busy) makes the next gap short, and judging by that gap alone held the
 * next frame for nothing: in a run traced under load, with frames 20 ms apart and a 25 ms delay, 93 of
 * 1,000 were held so. It also makes its own gap long, which left a steady, fast pace unbatched. Gaps
 * count at most twice the delay, so a quiet spell leaves the pace slow and the first few frames of a new
 * burst go at once; holding starts once the burst has shown its pace.
 *
 * <p>Holding pays only when the pace promises at least two frames per delay: at a pace between one and
 * two per delay (50 a second with the default 25 ms) a held frame gains one companion at best, and the
 * frames that got held were those arriving just after a late one (delayed on the publishing node or
 * the event-bus hop), which holding made later still. Across nodes at 50 messages a second those holds
 * were the p99: 34-36 ms, against 15-19 ms with every frame written at once.
 *
 * <p>Times are {@link System#nanoTime()} readings. Confined to the loop, like the batch it belongs to.
 */
final class WritePacing {

  /** Weight of the newest gap in the average: a few frames are enough to learn a new pace. */
  private static final int NEWEST_GAP_SHARE = 4;

  private final long delayNanos;
  private final long slowestGapNanos;
  private long paceNanos;
  private long lastArrivalNanos;
  private long lastWriteNanos;

  /** A namespace first seen at {@code now}: slow, and written long ago. */
  WritePacing(long delayNanos, long now) {
    this.delayNanos = delayNanos;
    this.slowestGapNanos = 2 * delayNanos;
    this.paceNanos = slowestGapNanos;
    this.lastArrivalNanos = now - slowestGapNanos;
    this.lastWriteNanos = now - slowestGapNanos;
  }

  /**
   * Records a frame's arrival and answers how long it should be held: 0 to write it at once, else the
   * time left until the namespace may be written again.
   */
  long arrive(long now) {
    long gap = Math.min(now - lastArrivalNanos, slowestGapNanos);
    lastArrivalNanos = now;
    paceNanos += (gap - paceNanos) / NEWEST_GAP_SHARE;
    long wait = delayNanos - (now - lastWriteNanos);
    return wait > 0 && paceNanos <= wait && paceNanos <= delayNanos / 2 ? wait : 0;
  }

  /** Records that the namespace's frames were written at {@code now}. */
  void written(long now) {
    lastWriteNanos = now;
  }
}
