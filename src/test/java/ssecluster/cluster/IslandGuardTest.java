package ssecluster.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.ingest.redis.TestRedis;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.NodeProcess;
import ssecluster.testsupport.SseClient;
import ssecluster.testsupport.SseParser.Event;
import ssecluster.testsupport.TestCluster;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node frozen past the failure detector (SIGSTOP of its own JVM) while messages are published on another, then
 * continued: the others drop it and it finds itself alone. It must not serve as an island: its streams end (so
 * their clients reconnect elsewhere), /health, new streams and publishes answer 503 with the reason, and it stops
 * reading Redis PUBSUB for the cluster; after Hazelcast merges it back it serves again, a new stream on it hears
 * the rest of the cluster, and PUBSUB is still read by one node only.
 */
class IslandGuardTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  /** Removed after 4 s without heartbeats (1 a second), instead of the shipped 15 s, to keep the test short. */
  private static final Map<String, String> FAST_FAILURE_DETECTOR = Map.of(
      "hazelcast.max.no.heartbeat.seconds", "4",
      "hazelcast.heartbeat.interval.seconds", "1");

  private static TestCluster cluster;
  private static Vertx clients;
  private static TestRedis redis;
  private static NodeProcess nodeC;

  @BeforeAll
  static void start() {
    cluster = new TestCluster(3, FAST_FAILURE_DETECTOR);
    clients = cluster.clients();
    redis = new TestRedis(clients);
  }

  @AfterAll
  static void stop() throws Exception {
    if (nodeC != null) {
      nodeC.close();
    }
    cluster.close();
    redis.close();
  }

  @Test
  void aNodeFrozenPastTheFailureDetectorStepsDownUntilItIsMergedBack() throws Exception {
    // The freeze threshold below the failure detector, as it must be (the shipped 5 s is not, against 4 s).
    String[] flags = {"--freeze-threshold-millis", "2000", "--redis-ingest", "true", "--redis", redis.url()};
    nodeC = NodeProcess.start(cluster, "island-node-c", flags);
    int portC = nodeC.httpPort();
    // C is alone at first, so it becomes the node that reads Redis PUBSUB for the cluster.
    Await.until("C is up and reads PUBSUB", Duration.ofSeconds(60), () -> readsPubsub(portC));
    Node nodeA = cluster.start(flags);
    Node nodeB = cluster.start(flags);
    List<Integer> ports = List.of(nodeA.httpPort(), nodeB.httpPort(), portC);
    for (int port : ports) {
      Await.until("every node is up, sees 3 members and its partitions are safe", Duration.ofSeconds(60),
          () -> servesWithAllThree(port) && body(port).getBoolean("clusterSafe"));
    }

    try (SseClient onA = SseClient.open(clients, nodeA.httpPort(), "/subscribe/island");
         SseClient onC = SseClient.open(clients, portC, "/subscribe/island");
         SseClient rootOnC = SseClient.open(clients, portC, "/subscribe")) {
      assertEquals(202, Http.post(nodeA.httpPort(), "/publish/island", "before").statusCode());
      for (SseClient client : List.of(onA, onC, rootOnC)) {
        client.awaitData("before", WAIT);
      }

      // 20 messages a second on A, from before the freeze until C is whole again.
      AtomicBoolean publishing = new AtomicBoolean(true);
      AtomicInteger published = new AtomicInteger();
      Thread publisher = new Thread(() -> {
        while (publishing.get()) {
          int n = published.get();
          if (Http.post(nodeA.httpPort(), "/publish/island", "during-" + n).statusCode() == 202) {
            published.incrementAndGet();
          }
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "island-test-publisher");
      publisher.start();
      try {
        nodeC.signal("STOP");
        Await.until("A and B drop the frozen C", WAIT,
            () -> members(nodeA.httpPort()) == 2 && members(nodeB.httpPort()) == 2);
        assertEquals(200, health(nodeA.httpPort()).statusCode(), "two of three keep serving");
        Thread.sleep(500);
        nodeC.signal("CONT");

        // No client is left on a node that hears nothing: C ends its streams.
        onC.awaitEnd(WAIT);
        rootOnC.awaitEnd(WAIT);
        HttpResponse<String> healthOfIsland = health(portC);
        assertEquals(503, healthOfIsland.statusCode(), healthOfIsland.body());
        JsonObject island = new JsonObject(healthOfIsland.body());
        assertEquals("STEPPED_DOWN", island.getString("status"));
        String reason = island.getString("reason", "");
        assertFalse(reason.isEmpty(), "/health says why: " + island);
        System.out.println("C stepped down: " + reason);

        HttpResponse<String> publishOnIsland = Http.post(portC, "/publish/island", "into-the-island");
        assertEquals(503, publishOnIsland.statusCode(), publishOnIsland.body());
        assertTrue(new JsonObject(publishOnIsland.body()).getString("error").contains("stepped down"), publishOnIsland.body());
        HttpResponse<String> streamOnIsland = Http.get(portC, "/subscribe/island");
        assertEquals(503, streamOnIsland.statusCode(), streamOnIsland.body());
        // EventSource gives up on a 503: it gets a stream that ends at once and tells it when to try again.
        HttpResponse<String> eventSourceOnIsland = Http.get(portC, "/subscribe/island", "Accept", "text/event-stream");
        assertEquals(200, eventSourceOnIsland.statusCode());
        assertTrue(eventSourceOnIsland.body().startsWith("retry: "), eventSourceOnIsland.body());
        // PUBSUB is handed to the majority: C unsubscribes, A or B takes the lock C held.
        Await.until("C stops reading PUBSUB and A or B reads it", WAIT, () -> !readsPubsub(portC)
            && (readsPubsub(nodeA.httpPort()) || readsPubsub(nodeB.httpPort())) && redis.send("PUBSUB", "NUMPAT").toLong() == 1);

        // Hazelcast merges C back within seconds (cluster.xml's merge delays); C then serves again.
        Await.until("C is merged back and serves", WAIT, () -> servesWithAllThree(portC));
        for (int port : ports) {
          assertEquals(3, members(port), "every node sees all three again");
        }
        assertEquals(1, redis.send("PUBSUB", "NUMPAT").toLong(), "one node reads PUBSUB, not the merged C as well");
      } finally {
        publishing.set(false);
        publisher.join();
      }

      // C hears the cluster again, and the cluster hears C.
      try (SseClient again = SseClient.open(clients, portC, "/subscribe/island")) {
        assertEquals(202, Http.post(nodeB.httpPort(), "/publish/island", "after-from-B").statusCode());
        again.awaitData("after-from-B", WAIT);
        assertEquals(202, Http.post(portC, "/publish/island", "after-from-C").statusCode());
        again.awaitData("after-from-C", WAIT);
        onA.awaitData("after-from-C", WAIT);
        assertEquals(1, redis.publish("island", "after-from-redis"), "one PUBSUB reader");
        again.awaitData("after-from-redis", WAIT);
        onA.awaitData("after-from-redis", WAIT);
      }

      // A, in the majority, missed nothing meanwhile.
      List<String> expected = new ArrayList<>(List.of("before"));
      for (int n = 0; n < published.get(); n++) {
        expected.add("during-" + n);
      }
      expected.add("after-from-C");
      expected.add("after-from-redis");
      List<String> gotOnA = onA.events().stream().map(Event::data).filter(data -> !data.equals("after-from-B")).toList();
      assertEquals(expected, gotOnA);
      assertFalse(onA.hasEnded());
    }
  }

  /** 200 from /health with three members; false also while the node does not answer yet. */
  private static boolean servesWithAllThree(int port) {
    try {
      return health(port).statusCode() == 200 && members(port) == 3;
    } catch (AssertionError notListening) {
      return false;
    }
  }

  /** What the node's /health says (whatever its status), false while it does not answer yet. */
  private static boolean readsPubsub(int port) {
    try {
      return body(port).getJsonObject("redis").getBoolean("pubsubLeader");
    } catch (AssertionError notListening) {
      return false;
    }
  }

  private static HttpResponse<String> health(int port) {
    return Http.get(port, "/health");
  }

  private static JsonObject body(int port) {
    return new JsonObject(health(port).body());
  }

  private static int members(int port) {
    return body(port).getJsonArray("clusterMembers").size();
  }
}
