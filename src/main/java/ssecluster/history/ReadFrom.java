package ssecluster.history;

import java.util.Map;

/**
 * Where a resume starts in each namespace: after {@code positions.get(name)} for the namespaces named there,
 * after {@code others} for every other namespace (see {@link StreamPosition#readFrom}).
 */
public record ReadFrom(Map<String, Long> positions, long others) {

  /** Everything history holds. */
  public static final ReadFrom EARLIEST = new ReadFrom(Map.of(), 0);

  public long positionOf(String namespace) {
    Long position = positions.get(namespace);
    return position != null ? position : others;
  }
}
