package ssecluster.namespace;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The namespaces one SSE stream listens to, reduced so that none covers another: {@code pets} and
 * {@code pets.dogs} become {@code pets}; anything with the root becomes the root. Because the remaining
 * namespaces are disjoint subtrees, and each message is delivered once to each namespace on its
 * ancestor chain, a stream receives every message at most once without per-stream de-duplication.
 */
public final class Subscription {

  /** Namespaces one stream (or one WebSocket) may ask for at most. */
  public static final int MAX_NAMESPACES = 1024;

  private final List<Namespace> namespaces;

  private Subscription(List<Namespace> namespaces) {
    this.namespaces = namespaces;
  }

  public static Subscription of(Collection<Namespace> requested) {
    Set<Namespace> unique = new LinkedHashSet<>(requested);
    if (unique.isEmpty()) {
      unique.add(Namespace.ROOT);
    }
    List<Namespace> kept = new ArrayList<>();
    for (Namespace candidate : unique) {
      // Covered when one of its proper ancestors was asked for too: a walk up its chain, not a pass over all.
      List<Namespace> chain = candidate.selfAndAncestors();
      boolean coveredByAnother = false;
      for (int i = 1; i < chain.size() && !coveredByAnother; i++) {
        coveredByAnother = unique.contains(chain.get(i));
      }
      if (!coveredByAnother) {
        kept.add(candidate);
      }
    }
    return new Subscription(Collections.unmodifiableList(kept));
  }

  /** Disjoint namespaces, in the order first requested. */
  public List<Namespace> namespaces() {
    return namespaces;
  }

  public boolean matches(Namespace published) {
    for (Namespace ns : namespaces) {
      if (ns.covers(published)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return namespaces.toString();
  }
}
