package ssecluster.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import ssecluster.namespace.InvalidNamespaceException;
import ssecluster.namespace.Namespace;
import ssecluster.namespace.Subscription;

import java.util.ArrayList;
import java.util.List;

/**
 * What an admin status asks each node for: at most {@code limit} of its streams ({@code ?limit=}), and only the
 * streams and namespaces under {@code namespaces} ({@code ?ns=}, repeated or comma-separated; all when empty). A
 * stream is taken when one of its namespaces is one of those or below one ({@code ?ns=pets} lists the streams of
 * {@code pets} and {@code pets.dogs}, not those of everything).
 */
public record StatusQuery(int limit, List<Namespace> namespaces) {

  public static final int MAX_LIMIT = 100_000;

  public StatusQuery {
    namespaces = List.copyOf(namespaces);
  }

  /**
   * Reads the query parameters' values ({@code limit} absent: {@code defaultLimit}); throws
   * {@link IllegalArgumentException} with what is wrong, for a 400.
   */
  public static StatusQuery of(List<String> limitParams, List<String> nsParams, int defaultLimit) {
    int limit = defaultLimit;
    if (!limitParams.isEmpty()) {
      try {
        limit = Integer.parseInt(limitParams.get(0).trim());
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 0 || limit > MAX_LIMIT) {
        throw new IllegalArgumentException("limit must be a number from 0 to " + MAX_LIMIT);
      }
    }
    List<Namespace> namespaces = new ArrayList<>();
    for (String param : nsParams) {
      for (String item : param.split(",", -1)) {
        if (item.isBlank()) {
          throw new IllegalArgumentException("ns: empty item in '" + param + "' (namespaces are comma-separated)");
        }
        try {
          namespaces.add(Namespace.parse(item.trim()));
        } catch (InvalidNamespaceException e) {
          throw new IllegalArgumentException("ns: " + e.getMessage(), e);
        }
      }
    }
    return new StatusQuery(limit, namespaces);
  }

  /** True when the stream is one to list. */
  public boolean takes(Subscription subscription) {
    if (namespaces.isEmpty()) {
      return true;
    }
    for (Namespace namespace : subscription.namespaces()) {
      if (takes(namespace)) {
        return true;
      }
    }
    return false;
  }

  /** True when the namespace is one of those asked for or below one. */
  public boolean takes(Namespace namespace) {
    if (namespaces.isEmpty()) {
      return true;
    }
    for (Namespace asked : namespaces) {
      if (asked.covers(namespace)) {
        return true;
      }
    }
    return false;
  }

  /** As sent to the other nodes. */
  JsonObject toJson() {
    JsonArray names = new JsonArray();
    namespaces.forEach(namespace -> names.add(namespace.name()));
    return new JsonObject().put("limit", limit).put("ns", names);
  }

  /** As another node sent it; a request that does not fit asks for nothing. */
  static StatusQuery fromJson(Object body) {
    if (!(body instanceof JsonObject json)) {
      return new StatusQuery(0, List.of());
    }
    List<Namespace> namespaces = new ArrayList<>();
    JsonArray names = json.getJsonArray("ns", new JsonArray());
    for (int i = 0; i < names.size(); i++) {
      namespaces.add(Namespace.parse(names.getString(i)));
    }
    return new StatusQuery(Math.max(0, Math.min(MAX_LIMIT, json.getInteger("limit", 0))), namespaces);
  }
}
