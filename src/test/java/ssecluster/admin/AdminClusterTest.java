package ssecluster.admin;

import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.NodeProcess;
import ssecluster.testsupport.SseClient;
import ssecluster.testsupport.SseParser.Event;
import ssecluster.testsupport.TestCluster;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /admin/cluster.json} and {@code /admin/cluster.stream} over a cluster of three real nodes, one of them in a
 * JVM of its own: every member's status, totals and subscribers per namespace; the filters; and a member frozen with
 * SIGSTOP, which is listed as unreachable (the others still hold it as a member: Hazelcast has not removed it yet)
 * while the answer still comes, and is listed as up again once it goes on.
 */
class AdminClusterTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private static TestCluster cluster;
  private static Node nodeA;
  private static Node nodeB;
  private static NodeProcess nodeC;

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster();
    nodeA = cluster.start("--node-name", "admin-a");
    nodeB = cluster.start("--node-name", "admin-b");
    nodeC = NodeProcess.start(cluster, "admin-c");
  }

  @AfterAll
  static void stop() throws Exception {
    if (nodeC != null) {
      nodeC.close();
    }
    cluster.close();
  }

  @Test
  void everyMemberWithTotalsAndSubscribersPerNamespaceAndAFrozenOneAsUnreachable() throws Exception {
    try (SseClient onA = SseClient.open(cluster.clients(), nodeA.httpPort(), "/subscribe/pets", HttpVersion.HTTP_1_1,
             Map.of("User-Agent", "agent-on-a"));
         SseClient onB = SseClient.open(cluster.clients(), nodeB.httpPort(), "/subscribe?ns=pets.dogs,time", HttpVersion.HTTP_2);
         SseClient onC = SseClient.open(cluster.clients(), nodeC.httpPort(), "/subscribe/pets");
         SseClient console = SseClient.open(cluster.clients(), nodeA.httpPort(), "/admin/cluster.stream?limit=5")) {
      for (int i = 0; i < 3; i++) {
        assertEquals(202, Http.post(nodeB.httpPort(), "/publish/pets/dogs", "dog-" + i).statusCode());
      }
      for (SseClient client : List.of(onA, onB, onC)) {
        client.awaitData("dog-2", WAIT);
      }

      JsonObject all = clusterJson(nodeA.httpPort(), "");
      assertEquals("admin-a", all.getString("node"));
      List<JsonObject> nodes = nodes(all);
      assertEquals(List.of("admin-a", "admin-b", "admin-c"), nodes.stream().map(n -> n.getString("node")).sorted().toList());
      for (JsonObject node : nodes) {
        assertTrue(node.getBoolean("reachable"), node.encode());
        assertEquals("up", node.getString("state"));
        assertEquals("UP", node.getString("status"));
        assertEquals(1, node.getJsonObject("connections").getLong("open"), "each node holds one stream: " + node.encode());
      }
      JsonObject totals = all.getJsonObject("totals");
      assertEquals(3, totals.getInteger("nodes"));
      assertEquals(3, totals.getInteger("answering"));
      assertEquals(3, totals.getLong("connections"));
      assertEquals(new JsonObject().put("h2", 1).put("http/1.1", 2), totals.getJsonObject("connectionsByProtocol"));
      assertTrue(totals.getLong("published") >= 3, totals.encode());
      assertTrue(totals.getLong("delivered") >= 9, "three messages to three streams: " + totals.encode());

      JsonObject pets = namespace(all, "pets");
      assertEquals(2, pets.getInteger("subscribers"), "two streams on pets, on A and C: " + pets.encode());
      assertEquals(new JsonObject().put(nodeA.nodeId(), 1).put(idOf(all, "admin-c"), 1), pets.getJsonObject("byNode"));
      assertEquals(1, namespace(all, "pets.dogs").getInteger("subscribers"));
      assertEquals(new JsonObject().put(nodeB.nodeId(), 1), namespace(all, "time").getJsonObject("byNode"));
      assertEquals("pets", all.getJsonArray("namespaces").getJsonObject(0).getString("namespace"), "the busiest first");

      JsonObject streamOnA = node(all, "admin-a").getJsonObject("connections").getJsonArray("list").getJsonObject(0);
      assertEquals("/subscribe/pets", streamOnA.getString("path"));
      assertEquals("agent-on-a", streamOnA.getString("userAgent"));
      assertEquals(3, streamOnA.getLong("messagesSent"));

      // ?ns= keeps the streams and namespaces under it; ?limit= bounds each node's list, not its counts.
      JsonObject dogs = clusterJson(nodeB.httpPort(), "?ns=pets.dogs");
      assertEquals(List.of("pets.dogs"), dogs.getJsonArray("namespaces").stream()
          .map(entry -> ((JsonObject) entry).getString("namespace")).toList());
      assertEquals(1, node(dogs, "admin-b").getJsonObject("connections").getJsonArray("list").size());
      assertEquals(0, node(dogs, "admin-a").getJsonObject("connections").getJsonArray("list").size());
      JsonObject none = clusterJson(nodeA.httpPort(), "?limit=0");
      assertEquals(0, node(none, "admin-c").getJsonObject("connections").getJsonArray("list").size());
      assertEquals(1, node(none, "admin-c").getJsonObject("connections").getLong("open"));
      assertEquals(400, Http.get(nodeA.httpPort(), "/admin/cluster.json?limit=many").statusCode());
      HttpResponse<String> badNamespace = Http.get(nodeA.httpPort(), "/admin/cluster.json?ns=pets..dogs");
      assertEquals(400, badNamespace.statusCode());
      assertTrue(new JsonObject(badNamespace.body()).getString("error").startsWith("ns: "), badNamespace.body());

      // The console's stream: the same document, every second.
      JsonObject streamed = new JsonObject(awaitClusterEvents(console, 1).get(0).data());
      assertEquals(3, streamed.getJsonArray("nodes").size());

      nodeC.signal("STOP");
      try {
        HttpResponse<String> answer = Http.get(nodeA.httpPort(), "/admin/cluster.json");
        assertEquals(200, answer.statusCode(), "the answer comes while C is frozen");
        JsonObject frozen = new JsonObject(answer.body());
        JsonObject c = node(frozen, "admin-c");
        assertFalse(c.getBoolean("reachable"), c.encode());
        assertEquals("unreachable", c.getString("state"));
        assertEquals("no answer within " + ClusterStatus.TIMEOUT_MILLIS + " ms", c.getString("error"));
        assertTrue(node(frozen, "admin-a").getJsonArray("clusterMembers").contains(c.getString("nodeId")),
            "C is still a member: it was the timeout that left it out, not Hazelcast");
        assertEquals(2, frozen.getJsonObject("totals").getInteger("answering"));
        assertTrue(node(frozen, "admin-b").getBoolean("reachable"));
        // The console's stream goes on and says so too.
        int seen = console.events().size();
        List<Event> events = awaitClusterEvents(console, seen + 2);
        JsonObject latest = new JsonObject(events.get(events.size() - 1).data());
        assertFalse(node(latest, "admin-c").getBoolean("reachable"), latest.encode());
      } finally {
        nodeC.signal("CONT");
      }
      Await.until("C answers again", WAIT, () -> node(clusterJson(nodeA.httpPort(), "?limit=0"), "admin-c").getBoolean("reachable"));
    }
  }

  private static List<Event> awaitClusterEvents(SseClient console, int count) throws InterruptedException {
    List<Event> events = console.awaitEvents(count, WAIT);
    events.forEach(event -> assertEquals("cluster", event.event()));
    return events;
  }

  private static JsonObject clusterJson(int port, String query) {
    HttpResponse<String> response = Http.get(port, "/admin/cluster.json" + query);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
    return new JsonObject(response.body());
  }

  private static List<JsonObject> nodes(JsonObject cluster) {
    return cluster.getJsonArray("nodes").stream().map(JsonObject.class::cast).toList();
  }

  private static JsonObject node(JsonObject cluster, String name) {
    return nodes(cluster).stream().filter(node -> name.equals(node.getString("node"))).findFirst()
        .orElseThrow(() -> new AssertionError("no node " + name + " in " + cluster.encode()));
  }

  private static String idOf(JsonObject cluster, String name) {
    return node(cluster, name).getString("nodeId");
  }

  private static JsonObject namespace(JsonObject cluster, String name) {
    JsonArray namespaces = cluster.getJsonArray("namespaces");
    return namespaces.stream().map(JsonObject.class::cast).filter(entry -> name.equals(entry.getString("namespace")))
        .findFirst().orElseThrow(() -> new AssertionError("no namespace " + name + " in " + namespaces.encode()));
  }
}
