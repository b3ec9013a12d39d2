package ssecluster.history;

/**
 * A message to append. {@code sourceId} names it at its source (a Redis stream entry, say) when the source may
 * hand it over twice; 0 when it cannot (see {@link #sourceIdOf}).
 */
public record NewMessage(String event, String data, long sourceId) {

  /**
   * A 64-bit digest of a source's own message id. History keeps the digest, not the text, to stay small; two
   * different ids share one with a chance of about 1 in 2^64 per pair.
   */
  public static long sourceIdOf(String id) {
    if (id == null) {
      return 0;
    }
    // FNV-1a, 64 bit: spreads short, similar ids ("sse:ingest/1700000000000-0", "-1", ...) well.
    long hash = 0xcbf29ce484222325L;
    for (int i = 0; i < id.length(); i++) {
      hash ^= id.charAt(i);
      hash *= 0x100000001b3L;
    }
    return hash == 0 ? 1 : hash;
  }
}
