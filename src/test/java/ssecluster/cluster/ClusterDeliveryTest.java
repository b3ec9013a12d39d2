package ssecluster.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.vertx.core.eventbus.ReplyException;
import ssecluster.Node;
import ssecluster.bus.BusAddresses;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.PrometheusText;
import ssecluster.testsupport.SseClient;
import ssecluster.testsupport.SseParser.Event;
import ssecluster.testsupport.TestCluster;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real clustered nodes: messages published on node A (HTTP and event bus) reach subscribers on node B
 * and A, in order, exactly once, on exact, parent, root and multiplexed subscriptions.
 */
class ClusterDeliveryTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static TestCluster cluster;
  private static Node nodeA;
  private static Node nodeB;
  private static Vertx clients;

  @BeforeAll
  static void startCluster() {
    cluster = new TestCluster();
    nodeA = cluster.start();
    nodeB = cluster.start();
    clients = cluster.clients();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  /**
   * The moment a node joins others in watching a namespace: node A already routes the namespace to itself
   * (and has cached that route), so without RouteConfirmations its first publishes after B's stream opened
   * went to A alone (8 of 10 rounds missed B when publishing at once).
   */
  @Test
  void aStreamOnANodeJoiningAWatchedNamespaceGetsTheVeryNextEvent() throws Exception {
    assertAJoiningStreamGetsTheVeryNextEvent("joining", nodeA, nodeB, "the event published right after B's stream opened");
  }

  /**
   * B already watches a namespace, so A routes it to B alone; then a stream on it opens on A itself. A's own
   * publishes reach A's consumer only once A's route cache lists A too, which Vert.x updates asynchronously:
   * the stream must not open before that, or A's very next events go to B only.
   */
  @Test
  void aStreamOnThePublishingNodeGetsTheVeryNextEventWhenAnotherNodeAlreadyWatches() throws Exception {
    assertAJoiningStreamGetsTheVeryNextEvent("local", nodeB, nodeA, "the event A published right after A's own stream opened");
  }

  /**
   * Ten rounds, each on a fresh namespace under {@code prefix}: a stream on {@code watching} gets an event
   * published on node A, then a stream on the same namespace opens on {@code joining}, and A's very next
   * event must reach both.
   */
  private static void assertAJoiningStreamGetsTheVeryNextEvent(String prefix, Node watching, Node joining, String what)
      throws Exception {
    for (int round = 0; round < 10; round++) {
      String path = "/subscribe/" + prefix + "/round" + round;
      String namespace = prefix + ".round" + round;
      try (SseClient first = SseClient.open(clients, watching.httpPort(), path)) {
        nodeA.vertx().eventBus().publish(namespace, "warm-up");
        first.awaitData("warm-up", WAIT);
        try (SseClient second = SseClient.open(clients, joining.httpPort(), path)) {
          nodeA.vertx().eventBus().publish(namespace, "first");
          first.awaitData("first", WAIT);
          assertEquals(List.of("first"), second.awaitEvents(1, Duration.ofSeconds(5)).stream().map(Event::data).toList(),
              "round " + round + ": " + what);
        }
      }
    }
  }

  /**
   * Node A publishes to a namespace nobody watches until it skips every address of it (it has learnt that
   * they are empty); then a stream opens on B, or on A itself. The very next event must reach it: a node that
   * starts watching announces it, and A forgets what it had learnt before the stream opens. Without that, A
   * kept skipping the address for up to a second.
   */
  @Test
  void aStreamOnANamespaceNobodyWatchedGetsTheVeryNextEvent() throws Exception {
    for (int round = 0; round < 10; round++) {
      String namespace = "quiet.round" + round;
      // quiet.roundN, quiet and the root: three addresses per publish, all skipped once A knows them empty.
      long deadline = System.nanoTime() + WAIT.toNanos();
      long skippedInOnePublish = 0;
      while (skippedInOnePublish < 3) {
        assertTrue(System.nanoTime() < deadline, "round " + round + ": node A never skipped the empty addresses");
        long before = unwatchedSkipped(nodeA);
        nodeA.vertx().eventBus().publish(namespace, "nobody hears this");
        skippedInOnePublish = unwatchedSkipped(nodeA) - before;
        Thread.sleep(5);
      }
      boolean onB = round % 2 == 0;
      Node subscriberNode = onB ? nodeB : nodeA;
      try (SseClient stream = SseClient.open(clients, subscriberNode.httpPort(), "/subscribe/quiet/round" + round)) {
        nodeA.vertx().eventBus().publish(namespace, "first");
        assertEquals(List.of("first"), stream.awaitEvents(1, Duration.ofSeconds(5)).stream().map(Event::data).toList(),
            "round " + round + ": the event published right after the stream opened on node " + (onB ? "B" : "A"));
      }
    }
  }

  private static long unwatchedSkipped(Node node) {
    return new JsonObject(Http.get(node.httpPort(), "/health").body()).getLong("unwatchedSkipped");
  }

  @Test
  void deliversAcrossNodesInOrderExactlyOnce() throws Exception {
    try (SseClient exact = SseClient.open(clients, nodeB.httpPort(), "/subscribe/order/dogs");
         SseClient parent = SseClient.open(clients, nodeB.httpPort(), "/subscribe/order");
         SseClient root = SseClient.open(clients, nodeB.httpPort(), "/subscribe");
         SseClient lookalike = SseClient.open(clients, nodeB.httpPort(), "/subscribe/ordershop");
         SseClient sameNode = SseClient.open(clients, nodeA.httpPort(), "/subscribe/order/")) {

      assertEquals("text/event-stream", exact.header("Content-Type"));
      assertEquals("no-cache", exact.header("Cache-Control"));
      assertEquals("no", exact.header("X-Accel-Buffering"));
      assertEquals(2000L, exact.retry());

      List<String> expectedDogs = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        String data = "dog-" + i;
        HttpResponse<String> response = Http.post(nodeA.httpPort(), "/publish/order/dogs?event=new-dog", data);
        assertEquals(202, response.statusCode(), response.body());
        String id = new JsonObject(response.body()).getString("id");
        assertTrue(id != null && !id.isBlank(), response.body());
        expectedDogs.add(data);
      }
      // The same path through the plain event-bus API, as any verticle of the application would publish.
      nodeA.vertx().eventBus().publish("order.dogs", "bus-string");
      nodeA.vertx().eventBus().publish("order.dogs", new JsonObject().put("event", "new-dog").put("data", "bus-json"));
      nodeA.vertx().eventBus().publish("order.dogs", new JsonObject().put("data", new JsonObject().put("n", 1)));
      expectedDogs.addAll(List.of("bus-string", "bus-json", "{\"n\":1}"));
      Http.post(nodeA.httpPort(), "/publish/order/cats", "cat-0");
      Http.post(nodeA.httpPort(), "/publish/ordershop", "shop-0");
      Http.post(nodeA.httpPort(), "/publish/order/dogs", "last");
      expectedDogs.add("last");

      List<Event> dogs = exact.awaitData("last", WAIT);
      assertEquals(expectedDogs, data(dogs));
      assertEquals("new-dog", dogs.get(0).event());
      assertEquals("message", dogs.get(30).event());
      assertEquals("new-dog", dogs.get(31).event());
      assertEquals(dogs.size(), dogs.stream().map(Event::id).distinct().count(), "ids are unique");

      List<String> expectedParent = new ArrayList<>(expectedDogs.subList(0, expectedDogs.size() - 1));
      expectedParent.addAll(List.of("cat-0", "last"));
      assertEquals(expectedParent, data(parent.awaitData("last", WAIT)));
      assertEquals(expectedParent, data(sameNode.awaitData("last", WAIT)));

      List<String> expectedRoot = new ArrayList<>(expectedDogs.subList(0, expectedDogs.size() - 1));
      expectedRoot.addAll(List.of("cat-0", "shop-0", "last"));
      assertEquals(expectedRoot, data(root.awaitData("last", WAIT)));

      // Segment boundaries: "ordershop" is not under "order", and "order" is not under "ordershop".
      assertEquals(List.of("shop-0"), data(lookalike.awaitData("shop-0", WAIT)));
      Thread.sleep(300);
      assertEquals(List.of("shop-0"), data(lookalike.events()));
      // Every stream of the same message carries the same id.
      assertEquals(dogs.get(0).id(), parent.events().get(0).id());
      assertEquals(dogs.get(0).id(), root.events().get(0).id());
    }
  }

  @Test
  void multiplexedStreamGetsEachMessageOnce() throws Exception {
    try (SseClient multi = SseClient.open(clients, nodeB.httpPort(),
        "/subscribe?ns=mux.dogs&ns=mux&ns=clock,mux.cats")) {
      Http.post(nodeA.httpPort(), "/publish/mux/dogs", "d1");
      Http.post(nodeA.httpPort(), "/publish/clock", "t1");
      Http.post(nodeA.httpPort(), "/publish/mux/cats", "c1");
      Http.post(nodeA.httpPort(), "/publish/mux", "m1");
      Http.post(nodeA.httpPort(), "/publish/elsewhere", "x1");
      Http.post(nodeA.httpPort(), "/publish/mux/dogs", "end");
      multi.awaitData("end", WAIT);
      multi.awaitEvents(5, WAIT);
      Thread.sleep(300);
      List<String> received = data(multi.events());
      // Each once. Order holds per event-bus address (d1, c1, m1 and end all travel on "mux"), not across
      // namespaces, which travel on different addresses.
      assertEquals(5, received.size(), received.toString());
      assertEquals(java.util.Set.of("d1", "t1", "c1", "m1", "end"), new java.util.HashSet<>(received));
      assertEquals(List.of("d1", "c1", "m1", "end"), received.stream().filter(d -> !d.equals("t1")).toList());
      assertEquals(5, multi.events().stream().map(Event::id).distinct().count());
    }
  }

  @Test
  void h2cStreamsWork() throws Exception {
    try (SseClient h2 = SseClient.open(clients, nodeB.httpPort(), "/subscribe/h2c/test", HttpVersion.HTTP_2)) {
      Http.post(nodeA.httpPort(), "/publish/h2c/test?event=e", "over h2c\nsecond line");
      List<Event> events = h2.awaitEvents(1, WAIT);
      assertEquals(List.of("over h2c\nsecond line"), data(events));
      assertEquals("e", events.get(0).event());
      assertEquals("text/event-stream", h2.header("Content-Type"));
    }
  }

  @Test
  void pathsWithDoubleSlashesMeanWhatTheyMeanToTheRouter() throws Exception {
    // What a client whose base URL ends in '/' asks for. '//publish/pets' once published to 'h.pets'.
    try (SseClient stream = SseClient.open(clients, nodeB.httpPort(), "//subscribe/slashes")) {
      assertEquals(202, Http.post(nodeA.httpPort(), "//publish/slashes//dogs", "woof").statusCode());
      assertEquals(List.of("woof"), data(stream.awaitEvents(1, WAIT)));
      assertEquals(202, Http.post(nodeA.httpPort(), "/publish/slashes", "end").statusCode());
      stream.awaitData("end", WAIT);
      assertEquals(List.of("woof", "end"), data(stream.events()));
    }
  }

  @Test
  void badInputGetsClearErrors() throws Exception {
    HttpResponse<String> badPath = Http.get(nodeB.httpPort(), "/subscribe/pets/d*gs");
    assertEquals(400, badPath.statusCode());
    assertTrue(badPath.body().contains("invalid namespace"), badPath.body());
    assertEquals(400, Http.get(nodeB.httpPort(), "/subscribe?ns=pets..dogs").statusCode());
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 1025; i++) {
      names.add("n" + i);
    }
    HttpResponse<String> tooManyNamespaces = Http.get(nodeB.httpPort(), "/subscribe?ns=" + String.join(",", names));
    assertEquals(400, tooManyNamespaces.statusCode());
    assertTrue(tooManyNamespaces.body().contains("at most 1024"), tooManyNamespaces.body());
    assertEquals(400, Http.post(nodeA.httpPort(), "/publish/pets/d*gs", "x").statusCode());

    HttpResponse<String> injection = Http.post(nodeA.httpPort(), "/publish/pets?event=a%0Adata:%20x", "x");
    assertEquals(400, injection.statusCode());
    assertTrue(injection.body().contains("event name"), injection.body());

    HttpResponse<String> notUtf8 = Http.post(nodeA.httpPort(), "/publish/pets", new byte[] {(byte) 0xC3, (byte) 0x28});
    assertEquals(400, notUtf8.statusCode());
    assertTrue(notUtf8.body().contains("UTF-8"), notUtf8.body());

    HttpResponse<String> tooBig = Http.post(nodeA.httpPort(), "/publish/pets", "x".repeat(65 * 1024));
    assertEquals(413, tooBig.statusCode());
    assertTrue(tooBig.body().contains("limit"), tooBig.body());
    assertEquals(202, Http.post(nodeA.httpPort(), "/publish/pets", "x".repeat(64 * 1024)).statusCode());

    long rejectedBefore = nodeA.counters().rejectedEventBus.sum();
    nodeA.vertx().eventBus().publish("badbody", 42);
    assertEquals(rejectedBefore + 1, nodeA.counters().rejectedEventBus.sum());
    // Addresses written like namespaces that break the rules are rejected too; other addresses are not ours.
    nodeA.vertx().eventBus().publish("pets..dogs", "x");
    nodeA.vertx().eventBus().publish("a.".repeat(16) + "a", "x");
    nodeA.vertx().eventBus().publish("x".repeat(257), "x");
    nodeA.vertx().eventBus().publish("some-app:queue", "x");
    assertEquals(rejectedBefore + 4, nodeA.counters().rejectedEventBus.sum());
  }

  @Test
  void lightMemberPublishesThroughTheCluster() throws Exception {
    // What `./run.sh publish` does: join as a Hazelcast lite member, publish once with confirmation, leave.
    ClusterFactory.ClusteredVertx light = Await.result(ClusterFactory.join(cluster.settings(), true),
        WAIT, "a light member to join");
    try (SseClient stream = SseClient.open(clients, nodeB.httpPort(), "/subscribe/light")) {
      JsonObject reply = Await.result(light.vertx().eventBus()
              .<JsonObject>request(BusAddresses.PUBLISH_REQUEST,
                  new JsonObject().put("ns", "light.dogs").put("event", "new-dog").put("data", "Corgi"))
              .map(message -> message.body()),
          WAIT, "the publish reply");
      List<Event> events = stream.awaitEvents(1, WAIT);
      assertEquals(List.of(new Event(reply.getString("id"), "new-dog", "Corgi")), events);

      Throwable failure = Await.failure(light.vertx().eventBus()
          .request(BusAddresses.PUBLISH_REQUEST, new JsonObject().put("ns", "bad ns").put("data", "x")), WAIT, "a bad publish");
      ReplyException rejected = assertInstanceOf(ReplyException.class, failure);
      assertEquals(400, rejected.failureCode());
      assertTrue(rejected.getMessage().contains("invalid namespace"), rejected.getMessage());
    } finally {
      light.vertx().close();
    }
  }

  @Test
  void healthReportsTheCluster() {
    HttpResponse<String> health = Http.get(nodeA.httpPort(), "/health");
    assertEquals(200, health.statusCode());
    JsonObject body = new JsonObject(health.body());
    assertEquals("UP", body.getString("status"));
    JsonArray members = body.getJsonArray("clusterMembers");
    assertTrue(members.contains(nodeA.nodeId()) && members.contains(nodeB.nodeId()), body.encode());
  }

  /**
   * {@code GET /metrics} counts what each node did: a publish and a rejected publish on A, the delivery to a
   * stream on B, and both nodes see the cluster. Deltas, since the nodes serve the other tests too.
   */
  @Test
  void metricsCountWhatEachNodeDid() throws Exception {
    PrometheusText aBefore = metrics(nodeA);
    PrometheusText bBefore = metrics(nodeB);
    try (SseClient stream = SseClient.open(clients, nodeB.httpPort(), "/subscribe/metrics/probe")) {
      assertEquals(202, Http.post(nodeA.httpPort(), "/publish/metrics/probe", "counted").statusCode());
      assertEquals(400, Http.post(nodeA.httpPort(), "/publish/metrics..probe", "rejected").statusCode());
      stream.awaitData("counted", WAIT);

      PrometheusText a = metrics(nodeA);
      PrometheusText b = metrics(nodeB);
      assertEquals(1, delta(aBefore, a, "sse_messages_published_total"));
      assertEquals(1, delta(aBefore, a, "sse_messages_rejected_total{source=\"http\"}"));
      assertEquals(0, delta(aBefore, a, "sse_messages_rejected_total{source=\"redis\"}"));
      assertEquals(0, delta(bBefore, b, "sse_messages_published_total"));
      assertEquals(1, delta(bBefore, b, "sse_events_delivered_total"));
      assertEquals(1, delta(bBefore, b, "sse_connections_opened_total"));
      assertTrue(b.value("sse_connections") >= 1, "B counts the open stream");
      for (PrometheusText node : List.of(a, b)) {
        // At least A and B: the light member of another test may not have been removed yet.
        assertTrue(node.value("sse_cluster_members") >= 2, "both nodes see the cluster");
        assertEquals(1, node.value("sse_node_up"));
        assertTrue(node.value("jvm_memory_used_bytes{area=\"heap\"}") > 0, "JVM figures are there too");
      }
      String nameOfA = new JsonObject(Http.get(nodeA.httpPort(), "/health").body()).getString("node");
      assertEquals(1, a.value("sse_node_info{node=\"" + nameOfA + "\",node_id=\"" + nodeA.nodeId() + "\"}"));
    }
    // A scraper that asks for OpenMetrics gets it (what Prometheus asks for first).
    HttpResponse<String> openMetrics = Http.get(nodeA.httpPort(), "/metrics",
        "Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertTrue(openMetrics.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"),
        openMetrics.headers().toString());
    assertTrue(openMetrics.body().endsWith("# EOF\n"), "an OpenMetrics exposition ends with # EOF");
  }

  private static PrometheusText metrics(Node node) {
    HttpResponse<String> response = Http.get(node.httpPort(), "/metrics");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""));
    return PrometheusText.parse(response.body());
  }

  private static double delta(PrometheusText before, PrometheusText after, String sample) {
    return after.value(sample) - before.value(sample);
  }

  private static List<String> data(List<Event> events) {
    return events.stream().map(Event::data).toList();
  }
}
