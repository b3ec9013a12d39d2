package ssecluster.http;

import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.PrometheusText;
import ssecluster.testsupport.SseClient;
import ssecluster.testsupport.TestCluster;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /admin/status.json} on a real node: the node, its counts, and each open stream as it is now. */
class AdminStatusTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static TestCluster cluster;
  private static Node node;

  @BeforeAll
  static void start() {
    cluster = new TestCluster();
    node = cluster.start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void listsEachStreamWithWhatItWasSent() throws Exception {
    try (SseClient dogs = SseClient.open(cluster.clients(), node.httpPort(), "/subscribe/pets/dogs", HttpVersion.HTTP_1_1,
             Map.of("User-Agent", "admin-test-agent/1.0"));
         SseClient several = SseClient.open(cluster.clients(), node.httpPort(), "/subscribe?ns=pets,time", HttpVersion.HTTP_2)) {
      for (int i = 0; i < 3; i++) {
        assertEquals(202, Http.post(node.httpPort(), "/publish/pets/dogs", "dog-" + i).statusCode());
      }
      assertEquals(202, Http.post(node.httpPort(), "/publish/time", "noon").statusCode());
      dogs.awaitData("dog-2", WAIT);
      several.awaitData("noon", WAIT);

      HttpResponse<String> response = Http.get(node.httpPort(), "/admin/status.json");
      assertEquals(200, response.statusCode(), response.body());
      assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
      JsonObject status = new JsonObject(response.body());
      assertEquals(node.nodeId(), status.getString("nodeId"));
      assertEquals("UP", status.getString("status"));
      assertTrue(status.getJsonArray("clusterMembers").contains(node.nodeId()), status.encode());
      assertTrue(status.getJsonObject("messages").getLong("published") >= 4, status.encode());
      JsonObject connections = status.getJsonObject("connections");
      assertEquals(2, connections.getLong("open"), connections.encode());

      JsonObject dogsStream = stream(connections, "/subscribe/pets/dogs");
      assertEquals(new JsonArray().add("pets.dogs"), dogsStream.getJsonArray("namespaces"));
      assertEquals("admin-test-agent/1.0", dogsStream.getString("userAgent"));
      assertEquals("http/1.1", dogsStream.getString("protocol"));
      assertTrue(dogsStream.getString("clientAddress").startsWith("127.0.0.1:"), dogsStream.encode());
      assertEquals(3, dogsStream.getLong("messagesSent"));
      assertTrue(dogsStream.getString("connectedAt").endsWith("Z"), dogsStream.encode());

      JsonObject severalStream = stream(connections, "/subscribe?ns=pets,time");
      assertEquals(new JsonArray().add("pets").add("time"), severalStream.getJsonArray("namespaces"));
      assertEquals("h2", severalStream.getString("protocol"));
      assertEquals(4, severalStream.getLong("messagesSent"));

      JsonObject limited = new JsonObject(Http.get(node.httpPort(), "/admin/status.json?limit=1").body());
      assertEquals(1, limited.getJsonObject("connections").getJsonArray("list").size());
      assertEquals(2, limited.getJsonObject("connections").getLong("open"), "the count is of all streams");
      assertEquals(400, Http.get(node.httpPort(), "/admin/status.json?limit=lots").statusCode());
      assertEquals(400, Http.get(node.httpPort(), "/admin/status.json?limit=-1").statusCode());
    }
  }

  /**
   * /health, /metrics, /admin/status.json and this node's entry of /admin/cluster.json read one snapshot of the same
   * counters: once the traffic has settled, the figures they share are equal (a view with a way of its own of
   * counting would drift from the others).
   */
  @Test
  void healthMetricsAndTheAdminDataShowTheSameFigures() throws Exception {
    try (SseClient one = SseClient.open(cluster.clients(), node.httpPort(), "/subscribe/views", HttpVersion.HTTP_1_1);
         SseClient two = SseClient.open(cluster.clients(), node.httpPort(), "/subscribe/views", HttpVersion.HTTP_2)) {
      for (int i = 0; i < 5; i++) {
        assertEquals(202, Http.post(node.httpPort(), "/publish/views", "view-" + i).statusCode());
      }
      assertEquals(400, Http.post(node.httpPort(), "/publish/views..bad", "rejected").statusCode());
      one.awaitData("view-4", WAIT);
      two.awaitData("view-4", WAIT);
      AtomicReference<Map<String, Long>> agreed = new AtomicReference<>();
      // Streams of the other tests may still be closing: read the four views until they agree.
      Await.until("/health, /metrics, status.json and cluster.json to agree", WAIT, () -> {
        Map<String, Long> health = fromHealth();
        Map<String, Long> metrics = fromMetrics();
        Map<String, Long> status = fromStatus(new JsonObject(Http.get(node.httpPort(), "/admin/status.json?limit=0").body()));
        Map<String, Long> entry = fromStatus(new JsonObject(Http.get(node.httpPort(), "/admin/cluster.json?limit=0").body())
            .getJsonArray("nodes").stream().map(JsonObject.class::cast)
            .filter(member -> node.nodeId().equals(member.getString("nodeId"))).findFirst().orElseThrow());
        Map<String, Long> withoutRejected = new HashMap<>(metrics);
        withoutRejected.remove("rejectedHttp");
        agreed.set(metrics);
        return health.equals(withoutRejected) && metrics.equals(status) && status.equals(entry);
      });
      Map<String, Long> figures = agreed.get();
      assertTrue(figures.get("open") >= 2 && figures.get("published") >= 5 && figures.get("delivered") >= 10
          && figures.get("rejectedHttp") >= 1, figures.toString());
    }
  }

  /** The figures /health shows (it has no count of rejected publishes). */
  private static Map<String, Long> fromHealth() {
    JsonObject health = new JsonObject(Http.get(node.httpPort(), "/health").body());
    return Map.of("open", health.getLong("connections"), "published", health.getLong("published"),
        "delivered", health.getLong("delivered"), "streamWrites", health.getLong("streamWrites"));
  }

  private static Map<String, Long> fromMetrics() {
    PrometheusText metrics = PrometheusText.parse(Http.get(node.httpPort(), "/metrics").body());
    return Map.of("open", (long) metrics.value("sse_connections"),
        "published", (long) metrics.value("sse_messages_published_total"),
        "delivered", (long) metrics.value("sse_events_delivered_total"),
        "streamWrites", (long) metrics.value("sse_stream_writes_total"),
        "rejectedHttp", (long) metrics.value("sse_messages_rejected_total{source=\"http\"}"));
  }

  private static Map<String, Long> fromStatus(JsonObject status) {
    JsonObject messages = status.getJsonObject("messages");
    return Map.of("open", status.getJsonObject("connections").getLong("open"),
        "published", messages.getLong("published"), "delivered", messages.getLong("delivered"),
        "streamWrites", messages.getLong("streamWrites"), "rejectedHttp", messages.getJsonObject("rejected").getLong("http"));
  }

  @Test
  void answersThisMachineOnlyUnlessToldOtherwise() throws Exception {
    assertTrue(AdminAccess.isLoopback(SocketAddress.inetSocketAddress(50000, "127.0.0.1")));
    assertTrue(AdminAccess.isLoopback(SocketAddress.inetSocketAddress(50000, "::1")));
    assertFalse(AdminAccess.isLoopback(SocketAddress.inetSocketAddress(50000, "10.1.2.3")));
    assertFalse(AdminAccess.isLoopback(SocketAddress.inetSocketAddress(50000, "192.168.0.7")));
    // Over a real connection too, where this machine has an address other than loopback (CI's has eth0).
    InetAddress external = nonLoopbackAddress();
    if (external != null) {
      assertEquals(403, get(external, node.httpPort(), "/admin/status.json").statusCode());
      Node open = cluster.start("--admin-remote", "true");
      assertEquals(200, get(external, open.httpPort(), "/admin/status.json").statusCode());
      cluster.stop(open);
    }
  }

  private static InetAddress nonLoopbackAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nic.isUp() && !nic.isLoopback()) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address) {
            return address;
          }
        }
      }
    }
    return null;
  }

  private static HttpResponse<String> get(InetAddress host, int port, String path) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://" + host.getHostAddress() + ":" + port + path))
            .timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject stream(JsonObject connections, String path) {
    List<JsonObject> matching = connections.getJsonArray("list").stream()
        .map(JsonObject.class::cast).filter(s -> path.equals(s.getString("path"))).toList();
    assertEquals(1, matching.size(), "one stream for " + path + " in " + connections.encode());
    return matching.get(0);
  }
}
