package ssecluster.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code /admin/cluster.json} put together from what each member answered: every member as its
 * {@code /admin/status.json} (with {@code reachable} and {@code state}), or as unreachable; totals over the
 * members that answered; and each namespace's subscribers on each node and in all, the busiest first.
 */
final class ClusterDocument {

  /** What one member answered: its status, or why there is none (then the name it had when it last answered). */
  record Answer(String nodeId, JsonObject status, String lastKnownName, String error) {

    static Answer of(String nodeId, JsonObject status) {
      return new Answer(nodeId, status, null, null);
    }

    static Answer unreachable(String nodeId, String lastKnownName, String error) {
      return new Answer(nodeId, null, lastKnownName, error);
    }
  }

  private ClusterDocument() {
  }

  static JsonObject of(String askingNode, String askingNodeId, long timeoutMillis, List<Answer> answers) {
    JsonArray nodes = new JsonArray();
    List<JsonObject> answered = new ArrayList<>();
    for (Answer answer : answers) {
      if (answer.status() != null) {
        answered.add(answer.status());
        nodes.add(answer.status().copy().put("reachable", true).put("state", stateOf(answer.status())));
      } else {
        nodes.add(new JsonObject()
            .put("nodeId", answer.nodeId())
            .put("node", answer.lastKnownName())
            .put("reachable", false)
            .put("state", "unreachable")
            .put("error", answer.error()));
      }
    }
    Namespaces namespaces = namespaces(answered);
    return new JsonObject()
        .put("node", askingNode)
        .put("nodeId", askingNodeId)
        .put("takenAt", Instant.now().toString())
        .put("timeoutMillis", timeoutMillis)
        .put("totals", totals(answers.size(), answered, namespaces.watched()))
        .put("namespaces", namespaces.busiest())
        .put("nodes", nodes);
  }

  /** How the console names a member's phase: {@code up}, {@code starting}, {@code stepped-down}, {@code leaving}. */
  static String stateOf(JsonObject status) {
    return switch (status.getString("status", "")) {
      case "UP" -> "up";
      case "STARTING" -> "starting";
      case "STEPPED_DOWN" -> "stepped-down";
      case "STOPPING" -> "leaving";
      default -> "unknown";
    };
  }

  private static JsonObject totals(int members, List<JsonObject> answered, int namespacesWatched) {
    long open = 0;
    long published = 0;
    long delivered = 0;
    long writes = 0;
    long slow = 0;
    long historyMessages = 0;
    long historyBytes = 0;
    long historyNamespaces = 0;
    Map<String, Long> byProtocol = new TreeMap<>();
    for (JsonObject status : answered) {
      JsonObject connections = status.getJsonObject("connections", new JsonObject());
      JsonObject messages = status.getJsonObject("messages", new JsonObject());
      JsonObject history = status.getJsonObject("history", new JsonObject());
      open += connections.getLong("open", 0L);
      slow += connections.getLong("slowClientsDropped", 0L);
      connections.getJsonObject("byProtocol", new JsonObject())
          .forEach(entry -> byProtocol.merge(entry.getKey(), ((Number) entry.getValue()).longValue(), Long::sum));
      published += messages.getLong("published", 0L);
      delivered += messages.getLong("delivered", 0L);
      writes += messages.getLong("streamWrites", 0L);
      historyMessages += history.getLong("messagesHeld", 0L);
      historyBytes += history.getLong("bytesHeld", 0L);
      historyNamespaces += history.getLong("namespacesHeld", 0L);
    }
    return new JsonObject()
        .put("nodes", members)
        .put("answering", answered.size())
        .put("connections", open)
        .put("connectionsByProtocol", new JsonObject(new LinkedHashMap<>(byProtocol)))
        .put("published", published)
        .put("delivered", delivered)
        .put("streamWrites", writes)
        .put("slowClientsDropped", slow)
        .put("namespacesWatched", namespacesWatched)
        .put("history", new JsonObject()
            .put("namespacesHeld", historyNamespaces)
            .put("messagesHeld", historyMessages)
            .put("bytesHeld", historyBytes));
  }

  private record Namespaces(JsonArray busiest, int watched) {
  }

  /** Each namespace's subscribers per node and in all; the busiest {@link LocalStatus#MAX_NAMESPACES} listed. */
  private static Namespaces namespaces(List<JsonObject> answered) {
    Map<String, Integer> total = new HashMap<>();
    Map<String, JsonObject> byNode = new HashMap<>();
    for (JsonObject status : answered) {
      String nodeId = status.getString("nodeId");
      for (Object item : status.getJsonArray("namespaces", new JsonArray())) {
        JsonObject entry = (JsonObject) item;
        String namespace = entry.getString("namespace");
        int subscribers = entry.getInteger("subscribers", 0);
        total.merge(namespace, subscribers, Integer::sum);
        byNode.computeIfAbsent(namespace, n -> new JsonObject()).put(nodeId, subscribers);
      }
    }
    List<String> names = new ArrayList<>(total.keySet());
    names.sort(Comparator.comparing((String name) -> -total.get(name)).thenComparing(Comparator.naturalOrder()));
    JsonArray busiest = new JsonArray();
    for (String name : names.subList(0, Math.min(LocalStatus.MAX_NAMESPACES, names.size()))) {
      busiest.add(new JsonObject().put("namespace", name).put("subscribers", total.get(name)).put("byNode", byNode.get(name)));
    }
    return new Namespaces(busiest, names.size());
  }
}
