package ssecluster.ingest.redis;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.SseClient;
import ssecluster.testsupport.SseParser.Event;
import ssecluster.testsupport.TestCluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three real clustered nodes and a real redis-server: PUBLISH and XADD reach every subscriber on every
 * node exactly once; bad input is skipped, counted and dead-lettered while good messages around it arrive;
 * ingestion comes back by itself after Redis restarts or the PUBSUB reader loses its connection.
 */
class RedisIngestTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int MAX_BODY_BYTES = 1024;

  private static Vertx clients;
  private static TestRedis redis;
  private static TestCluster cluster;
  private static List<Node> nodes;

  @BeforeAll
  static void start() throws Exception {
    clients = Vertx.vertx();
    redis = new TestRedis(clients);
    cluster = new TestCluster();
    nodes = cluster.start(3, "--redis-ingest", "true", "--redis", redis.url(),
        "--max-body-bytes", String.valueOf(MAX_BODY_BYTES), "--redis-claim-idle-millis", "2000");
    awaitIngesting();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (redis != null) {
      redis.close();
    }
    if (clients != null) {
      clients.close();
    }
  }

  @Test
  void publishAndXaddReachEverySubscriberOnEveryNodeExactlyOnce() throws Exception {
    // Exactly one node of the cluster is subscribed to PUBSUB, so a message enters the cluster once.
    assertEquals(1, redis.send("PUBSUB", "NUMPAT").toLong());
    assertEquals(1, nodes.stream().filter(n -> TestRedis.redisHealth(n.httpPort()).getBoolean("pubsubLeader")).count());

    try (SseClient parent = SseClient.open(clients, nodes.get(0).httpPort(), "/subscribe/once");
         SseClient exact = SseClient.open(clients, nodes.get(1).httpPort(), "/subscribe/once/dogs");
         SseClient root = SseClient.open(clients, nodes.get(2).httpPort(), "/subscribe")) {
      List<String> pubsub = new ArrayList<>();
      Map<String, String> entryIds = new HashMap<>();
      for (int i = 0; i < 20; i++) {
        pubsub.add("pubsub-" + i);
        assertEquals(1, redis.publish("once.dogs", "pubsub-" + i));
        entryIds.put("stream-" + i, redis.xadd("ns", "once.dogs", "event", "new-dog", "data", "stream-" + i));
      }
      redis.publish("once.dogs", "last");

      List<String> entryOrder = new ArrayList<>(entryIds.keySet());
      entryOrder.sort(java.util.Comparator.comparing(data -> entryIds.get(data), TestRedis::compareEntryIds));
      Map<String, String> idOfEntry = new HashMap<>();
      for (SseClient client : List.of(parent, exact, root)) {
        client.awaitData("last", WAIT);
        client.awaitEvents(41, WAIT);
        List<Event> events = client.events();
        // PUBSUB: one reader, so in publishing order; no event name.
        List<Event> fromPubsub = events.stream().filter(e -> e.data().startsWith("pubsub-")).toList();
        assertEquals(pubsub, fromPubsub.stream().map(Event::data).toList());
        assertTrue(fromPubsub.stream().allMatch(e -> e.event().equals("message")), "unnamed: " + fromPubsub);
        // Streams: each entry once, with its event name, in the order the entries were added (one node reads
        // the stream), under the same id on every node.
        List<Event> fromStream = events.stream().filter(e -> e.data().startsWith("stream-")).toList();
        assertEquals(entryOrder, fromStream.stream().map(Event::data).toList(), "each entry once, in stream order");
        for (Event event : fromStream) {
          assertEquals("new-dog", event.event());
          assertEquals(idOfEntry.computeIfAbsent(event.data(), d -> event.id()), event.id(), "one id on every stream");
        }
        assertEquals(41, events.size(), "nothing else: " + events);
      }
    }
    Await.until("every entry is acknowledged", WAIT, () -> redis.pendingCount() == 0);
  }

  @Test
  void badInputIsSkippedCountedAndDeadLetteredWhileGoodMessagesAroundItArrive() throws Exception {
    List<Integer> ports = nodes.stream().map(Node::httpPort).toList();
    long rejectedBefore = TestRedis.sumOverNodes(ports, "rejected");
    byte[] notUtf8 = {'o', 'k', (byte) 0xC3, (byte) 0x28};
    String oversized = "x".repeat(MAX_BODY_BYTES + 1);

    try (SseClient client = SseClient.open(clients, nodes.get(1).httpPort(), "/subscribe/bad")) {
      redis.publish("bad.in", "good-1");
      redis.publish("not a namespace!", "dropped");
      redis.publish("bad.in", "good-2");
      redis.publish("bad.in", notUtf8);
      redis.publish("bad.in", "good-3");
      redis.publish("bad.in", oversized);
      redis.publish("bad.in", "good-4");

      redis.xadd("ns", "bad.in", "data", "entry-1");
      redis.xadd("data", "no namespace");
      redis.xadd("ns", "bad.in", "event", "no-data");
      redis.xadd("ns", "bad in", "data", "bad namespace");
      redis.xadd("ns", "bad.in", "data", notUtf8);
      redis.xadd("ns", "bad.in", "data", oversized);
      redis.xadd("ns", "bad.in", "data", "entry-2");
      redis.publish("bad.in", "good-5");

      client.awaitData("good-5", WAIT);
      List<Event> events = client.awaitEvents(7, WAIT);
      assertEquals(List.of("good-1", "good-2", "good-3", "good-4", "good-5"),
          events.stream().map(Event::data).filter(d -> d.startsWith("good-")).toList());
      assertEquals(List.of("entry-1", "entry-2"),
          events.stream().map(Event::data).filter(d -> d.startsWith("entry-")).sorted().toList());
      assertEquals(7, events.size(), "only good messages: " + events);
    }

    // 3 bad PUBSUB messages and 5 bad entries, counted once each across the cluster.
    Await.until("8 rejections are counted", WAIT, () -> TestRedis.sumOverNodes(ports, "rejected") - rejectedBefore == 8);
    Await.until("bad entries are acknowledged, not retried", WAIT, () -> redis.pendingCount() == 0);
    Response dead = redis.send("XRANGE", "sse:ingest:dead", "-", "+");
    Map<String, Response> byReason = new HashMap<>();
    for (Response entry : dead) {
      Response fields = entry.get(1);
      assertEquals("reason", fields.get(0).toString());
      byReason.put(fields.get(1).toString(), fields);
    }
    assertEquals(5, byReason.size(), "dead letters: " + byReason.keySet());
    for (String expected : List.of("no 'ns'", "no 'data'", "invalid namespace", "UTF-8", "larger than")) {
      assertEquals(1, byReason.keySet().stream().filter(r -> r.contains(expected)).count(),
          "one dead letter for " + expected + ": " + byReason.keySet());
    }
    // The original fields travel with the reason, bytes unchanged.
    Response notUtf8Entry = byReason.entrySet().stream().filter(e -> e.getKey().contains("UTF-8")).findFirst()
        .orElseThrow().getValue();
    assertEquals(new String(notUtf8, StandardCharsets.ISO_8859_1),
        new String(notUtf8Entry.get(notUtf8Entry.size() - 1).toBytes(), StandardCharsets.ISO_8859_1));
  }

  @Test
  void anEntryTrimmedAwayWhileAStoppedConsumerHeldItIsAcknowledgedNotClaimedForever() throws Exception {
    try (SseClient client = SseClient.open(clients, nodes.get(2).httpPort(), "/subscribe/trimmed")) {
      // A consumer reads two entries and stops before acknowledging them, as a node killed mid-batch; one
      // of them is then trimmed away. In one transaction, so that the nodes' waiting readers cannot take
      // the entries first.
      Response replies = redis.transaction(List.of(
          Request.cmd(Command.XADD).arg("sse:ingest").arg("*").arg("ns").arg("trimmed").arg("data").arg("kept"),
          Request.cmd(Command.XADD).arg("sse:ingest").arg("*").arg("ns").arg("trimmed").arg("data").arg("trimmed"),
          Request.cmd(Command.XREADGROUP).arg("GROUP").arg("sse-cluster").arg("stopped-node").arg("COUNT").arg(2)
              .arg("STREAMS").arg("sse:ingest").arg(">")));
      redis.send("XDEL", "sse:ingest", replies.get(1).toString());
      assertEquals(2, redis.pendingCount());

      // After the claim bound (2 s here) a node claims both: it publishes the one still in the stream and
      // acknowledges the other (Redis 6.2 claims a deleted entry without naming it).
      client.awaitData("kept", WAIT);
      Await.until("the trimmed entry is acknowledged too", WAIT, () -> redis.pendingCount() == 0);
      redis.publish("trimmed", "end");
      assertEquals(List.of("kept", "end"), client.awaitData("end", WAIT).stream().map(Event::data).toList());
    }
  }

  @Test
  void ingestionResumesByItselfAfterRedisRestarts() throws Exception {
    try (SseClient client = SseClient.open(clients, nodes.get(0).httpPort(), "/subscribe/restart")) {
      redis.stop();
      for (Node node : nodes) {
        Await.until("node reports Redis away", WAIT,
            () -> "disconnected".equals(TestRedis.redisHealth(node.httpPort()).getString("state")));
      }
      // Meanwhile the node is healthy and the other publish paths work.
      assertEquals("UP", TestRedis.health(nodes.get(1).httpPort()).getString("status"));
      assertEquals(202, Http.post(nodes.get(1).httpPort(), "/publish/restart/http", "while-redis-away").statusCode());
      client.awaitData("while-redis-away", WAIT);

      redis.start();
      awaitIngesting();
      redis.publish("restart.pubsub", "after-restart-pubsub");
      redis.xadd("ns", "restart.stream", "event", "back", "data", "after-restart-stream");
      client.awaitData("after-restart-pubsub", WAIT);
      client.awaitData("after-restart-stream", WAIT);
      redis.publish("restart.pubsub", "end");
      List<Event> events = client.awaitData("end", WAIT);
      assertEquals(List.of("while-redis-away", "after-restart-pubsub", "after-restart-stream", "end"),
          events.stream().map(Event::data).sorted((a, b) -> order(a) - order(b)).toList());
      assertEquals(4, events.size(), "each once: " + events);
    }
  }

  @Test
  void pubsubReaderThatLosesItsRedisConnectionIsReplaced() throws Exception {
    try (SseClient client = SseClient.open(clients, nodes.get(2).httpPort(), "/subscribe/handover")) {
      redis.publish("handover", "before");
      client.awaitData("before", WAIT);

      redis.send("CLIENT", "KILL", "TYPE", "pubsub");
      Await.until("a node subscribes to PUBSUB again", WAIT, () -> redis.send("PUBSUB", "NUMPAT").toLong() == 1);
      assertEquals(1, redis.publish("handover", "after"));
      client.awaitData("after", WAIT);
      assertEquals(1, nodes.stream().filter(n -> TestRedis.redisHealth(n.httpPort()).getBoolean("pubsubLeader")).count());
      assertEquals(List.of("before", "after"), client.events().stream().map(Event::data).toList());
    }
  }

  @Test
  void aSteadyFlowOfMessagesKeepsOneReaderAndLosesNothing() throws Exception {
    // Messages arriving while a PING waits for its PONG once made the reader think Redis had gone quiet:
    // it gave PUBSUB up every few seconds under load, and what was published until another node
    // subscribed was lost.
    try (SseClient client = SseClient.open(clients, nodes.get(1).httpPort(), "/subscribe/flow")) {
      String reader = pubsubConnection();
      List<String> sent = new ArrayList<>();
      // Pipelined, so that messages are always on their way to the reader while it PINGs.
      long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < end) {
        List<String> burst = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          burst.add("flow-" + (sent.size() + i));
        }
        List<Long> receivers = redis.publishAll("flow", burst);
        for (int i = 0; i < burst.size(); i++) {
          assertEquals(1, receivers.get(i), "a node reads PUBSUB when " + burst.get(i) + " is published");
        }
        sent.addAll(burst);
        Thread.sleep(1);
      }
      client.awaitEvents(sent.size(), WAIT);
      assertEquals(sent, client.events().stream().map(Event::data).toList());
      assertEquals(reader, pubsubConnection(), "the same connection read PUBSUB throughout");
    }
  }

  @Test
  void aPubsubReaderWhoseRedisFallsSilentIsReplaced() throws Exception {
    String reader = pubsubConnection();
    // Redis holds every command, the reader's PINGs included, for 4 s: a connection that hangs.
    redis.send("CLIENT", "PAUSE", "4000", "ALL");
    Await.until("the silent PUBSUB connection to be replaced", WAIT, () -> {
      String now = pubsubConnection();
      return !now.isEmpty() && !now.equals(reader);
    });
    try (SseClient client = SseClient.open(clients, nodes.get(0).httpPort(), "/subscribe/silence")) {
      assertEquals(1, redis.publish("silence", "after"));
      client.awaitData("after", WAIT);
    }
  }

  /** The id of the one connection subscribed to PUBSUB, from Redis's own client list ("" if none). */
  private static String pubsubConnection() {
    String[] clientsSubscribed = redis.send("CLIENT", "LIST", "TYPE", "pubsub").toString().trim().split("\n");
    assertTrue(clientsSubscribed.length <= 1, "at most one PUBSUB reader: " + List.of(clientsSubscribed));
    return clientsSubscribed[0].isEmpty() ? "" : clientsSubscribed[0].split(" ")[0];
  }

  private static int order(String data) {
    return List.of("while-redis-away", "after-restart-pubsub", "after-restart-stream", "end").indexOf(data);
  }

  /** Every node reads the stream and exactly one is subscribed to PUBSUB. */
  private static void awaitIngesting() throws InterruptedException {
    for (Node node : nodes) {
      Await.until("node reads the stream", WAIT,
          () -> "connected".equals(TestRedis.redisHealth(node.httpPort()).getString("state")));
    }
    Await.until("one node reads PUBSUB", WAIT, () -> {
      JsonObject[] states = nodes.stream().map(n -> TestRedis.redisHealth(n.httpPort())).toArray(JsonObject[]::new);
      return java.util.Arrays.stream(states).filter(s -> s.getBoolean("pubsubLeader")).count() == 1
          && redis.send("PUBSUB", "NUMPAT").toLong() == 1;
    });
  }
}
