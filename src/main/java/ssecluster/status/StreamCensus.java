package ssecluster.status;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How many of a node's streams listen to each namespace (as their subscription reduced it: {@code ?ns=pets,pets.dogs}
 * counts for {@code pets} only; the root is {@code ""}) and how many use each protocol ({@code http/1.1}, {@code h2}).
 * Counted on each event loop when asked, for the admin console: nothing is kept up to date on the delivery path.
 */
public record StreamCensus(Map<String, Integer> byNamespace, Map<String, Integer> byProtocol) {

  /** The sum of the parts (one per event loop). */
  public static StreamCensus merge(List<StreamCensus> parts) {
    Map<String, Integer> byNamespace = new HashMap<>();
    Map<String, Integer> byProtocol = new HashMap<>();
    for (StreamCensus part : parts) {
      part.byNamespace.forEach((namespace, count) -> byNamespace.merge(namespace, count, Integer::sum));
      part.byProtocol.forEach((protocol, count) -> byProtocol.merge(protocol, count, Integer::sum));
    }
    return new StreamCensus(byNamespace, byProtocol);
  }
}
