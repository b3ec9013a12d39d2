package ssecluster.fanout;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded memory of message ids seen lately, in time and in count. Only messages whose source may
 * deliver them twice (Redis stream entries re-claimed from a dead reader) are remembered, so the common
 * path pays nothing. Not thread-safe: each namespace channel uses its own on the hub's event loop.
 */
final class RecentIds {

  private final long windowMillis;
  private final LinkedHashMap<String, Long> seen;

  RecentIds(int capacity, long windowMillis) {
    this.windowMillis = windowMillis;
    this.seen = new LinkedHashMap<>(16, 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Records the id; false when it was already seen within the window. */
  boolean firstTime(String id, long nowMillis) {
    var oldest = seen.entrySet().iterator();
    while (oldest.hasNext() && nowMillis - oldest.next().getValue() > windowMillis) {
      oldest.remove();
    }
    return seen.putIfAbsent(id, nowMillis) == null;
  }
}
