package ssecluster.ingest.redis;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.SseClient;
import ssecluster.testsupport.SseParser.Event;
import ssecluster.testsupport.TestCluster;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node that dies for real: node B runs as its own process, reads PUBSUB for the cluster and holds stream
 * entries it read but never acknowledged when it is killed with SIGKILL. Nodes A and C (in this JVM) take
 * PUBSUB over and claim B's pending entries; every subscriber gets every message exactly once.
 */
class RedisFailoverTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  /** The takeover bound the README states for a node that dies on a reachable host. */
  private static final Duration TAKEOVER_BOUND = Duration.ofSeconds(5);

  private static Vertx clients;
  private static TestRedis redis;
  private static TestCluster cluster;
  private static Process nodeB;

  @BeforeAll
  static void start() {
    clients = Vertx.vertx();
    redis = new TestRedis(clients);
    cluster = new TestCluster();
  }

  @AfterAll
  static void stop() {
    if (nodeB != null) {
      nodeB.destroyForcibly();
    }
    cluster.close();
    redis.close();
    clients.close();
  }

  @Test
  void killingTheNodeThatReadsPubsubAndHoldsPendingEntriesLosesAndDoublesNothing() throws Exception {
    int portB = TestCluster.freePort();
    nodeB = startNodeProcess(portB, Path.of("target", "redis-failover-node-b.log").toFile());
    // B is alone at first, so it becomes the PUBSUB reader.
    Await.until("node B is up and reads PUBSUB", Duration.ofSeconds(60), () -> isPubsubReader(portB));
    String consumerB = TestRedis.health(portB).getString("nodeId");

    String[] redisArgs = {"--redis-ingest", "true", "--redis", redis.url(), "--redis-claim-idle-millis", "2000"};
    Node nodeA = cluster.start(redisArgs);
    Node nodeC = cluster.start(redisArgs);
    List<Node> survivors = List.of(nodeA, nodeC);
    for (Node node : survivors) {
      Await.until("node reads the stream", WAIT,
          () -> "connected".equals(TestRedis.redisHealth(node.httpPort()).getString("state")));
    }

    // Subscribers of every address a message goes to (fo.dogs, fo, root), so that publishing never has to
    // ask the cluster for registrations while B is frozen.
    try (SseClient parentA = SseClient.open(clients, nodeA.httpPort(), "/subscribe/fo");
         SseClient exactC = SseClient.open(clients, nodeC.httpPort(), "/subscribe/fo/dogs");
         SseClient rootC = SseClient.open(clients, nodeC.httpPort(), "/subscribe")) {
      List<String> pubsub = new ArrayList<>(List.of("pubsub-0"));
      List<String> entries = new ArrayList<>(List.of("entry-0"));
      redis.publish("fo.dogs", "pubsub-0");
      redis.xadd("ns", "fo.dogs", "event", "new-dog", "data", "entry-0");
      for (SseClient client : List.of(parentA, exactC, rootC)) {
        client.awaitData("pubsub-0", WAIT);
        client.awaitData("entry-0", WAIT);
      }

      // A node killed while Hazelcast still copies partitions to the newcomers takes data with it (see
      // FanoutHub.renewRegistrations); this test is about killing a node of a settled cluster.
      for (int port : List.of(portB, nodeA.httpPort(), nodeC.httpPort())) {
        Await.until("partitions backed up before B is frozen", WAIT,
            () -> TestRedis.health(port).getBoolean("clusterSafe", false));
      }

      // Freeze B: Redis still sees its blocked read and hands it new entries, which B never acknowledges.
      signal(nodeB, "STOP");
      for (int i = 0; i < 100 && pendingOf(consumerB) == 0; i++) {
        if (i > 0 && i % 25 == 0) {
          // B was frozen between two reads; let it block in a read again.
          signal(nodeB, "CONT");
          Thread.sleep(300);
          signal(nodeB, "STOP");
        }
        entries.add("held-" + i);
        redis.xadd("ns", "fo.dogs", "event", "new-dog", "data", "held-" + i);
        Thread.sleep(20);
      }
      long heldByB = pendingOf(consumerB);
      assertTrue(heldByB > 0, "B holds pending entries before it dies");

      // Until the heartbeat timeout removes it, a frozen member holds Hazelcast's cluster-safe answer; the other
      // nodes' /health must still answer at once (the first call may reuse an answer from before the freeze).
      TestRedis.health(nodeA.httpPort());
      Thread.sleep(1100);
      long askedAt = System.nanoTime();
      boolean safeWhileBFrozen = TestRedis.health(nodeA.httpPort()).getBoolean("clusterSafe");
      Duration healthTook = Duration.ofNanos(System.nanoTime() - askedAt);
      assertTrue(healthTook.compareTo(Duration.ofSeconds(3)) < 0, "/health answered while B was frozen in " + healthTook);
      assertTrue(safeWhileBFrozen, "the last answer (safe, from before the freeze) stands in for the one B holds up");

      long killedAt = System.nanoTime();
      nodeB.destroyForcibly().waitFor();
      Await.until("node A or C reads PUBSUB", WAIT, () -> survivors.stream().filter(n -> isPubsubReader(n.httpPort())).count() == 1
          && redis.send("PUBSUB", "NUMPAT").toLong() == 1);
      Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);
      System.out.println("PUBSUB taken over " + takeover.toMillis() + " ms after the reader was killed");
      assertTrue(takeover.compareTo(TAKEOVER_BOUND) <= 0, "PUBSUB taken over within " + TAKEOVER_BOUND + ", took " + takeover);

      for (int i = 1; i <= 5; i++) {
        pubsub.add("pubsub-" + i);
        entries.add("entry-" + i);
        assertEquals(1, redis.publish("fo.dogs", "pubsub-" + i));
        redis.xadd("ns", "fo.dogs", "event", "new-dog", "data", "entry-" + i);
      }
      Await.until("B's entries are claimed and acknowledged", WAIT, () -> redis.pendingCount() == 0);
      redis.publish("fo.dogs", "end");

      for (SseClient client : List.of(parentA, exactC, rootC)) {
        client.awaitData("end", WAIT);
        List<Event> events;
        try {
          events = client.awaitEvents(pubsub.size() + entries.size() + 1, WAIT);
        } catch (AssertionError tooFew) {
          events = client.events();   // the comparisons below then name exactly what is missing
        }
        assertEquals(pubsub, events.stream().map(Event::data).filter(d -> d.startsWith("pubsub-")).toList());
        List<String> got = events.stream().filter(e -> !e.data().startsWith("pubsub-") && !e.data().equals("end"))
            .map(Event::data).toList();
        // B's pending entries are taken over before anything newer is read: the stream's order holds.
        assertEquals(entries, got, "every entry exactly once, in the order they were added");
        assertTrue(events.stream().filter(e -> !e.data().startsWith("pubsub-") && !e.data().equals("end"))
            .allMatch(e -> e.event().equals("new-dog")));
      }
      long claimed = survivors.stream().mapToLong(n -> TestRedis.redisHealth(n.httpPort()).getLong("streamClaimed")).sum();
      assertTrue(claimed >= heldByB, "B's " + heldByB + " pending entries were claimed, /health says " + claimed);
    }

    // A reader that is stopped (gracefully) hands over too.
    Node reader = survivors.stream().filter(n -> isPubsubReader(n.httpPort())).findFirst().orElseThrow();
    Node other = reader == nodeA ? nodeC : nodeA;
    try (SseClient client = SseClient.open(clients, other.httpPort(), "/subscribe/fo")) {
      long stoppedAt = System.nanoTime();
      cluster.stop(reader);
      Await.until("the other node reads PUBSUB", WAIT,
          () -> isPubsubReader(other.httpPort()) && redis.send("PUBSUB", "NUMPAT").toLong() == 1);
      Duration takeover = Duration.ofNanos(System.nanoTime() - stoppedAt);
      System.out.println("PUBSUB taken over " + takeover.toMillis() + " ms after the reader was told to stop");
      assertTrue(takeover.compareTo(TAKEOVER_BOUND) <= 0, "PUBSUB taken over within " + TAKEOVER_BOUND + ", took " + takeover);
      assertEquals(1, redis.publish("fo.dogs", "after-stop"));
      redis.xadd("ns", "fo.dogs", "data", "entry-after-stop");
      client.awaitData("after-stop", WAIT);
      client.awaitData("entry-after-stop", WAIT);
      assertEquals(List.of("after-stop", "entry-after-stop"), client.events().stream().map(Event::data).sorted().toList());
    }
  }

  private static boolean isPubsubReader(int httpPort) {
    try {
      JsonObject redisState = TestRedis.redisHealth(httpPort);
      return redisState.getBoolean("pubsubLeader");
    } catch (AssertionError notUpYet) {
      return false;
    }
  }

  private static long pendingOf(String consumer) {
    return redis.send("XPENDING", "sse:ingest", "sse-cluster", "-", "+", "100", consumer).size();
  }

  /** A node in a JVM of its own, on the test cluster's configuration, so it can die for real. */
  private static Process startNodeProcess(int httpPort, File log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String jvmArg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (jvmArg.startsWith("--add-")) {
        command.add(jvmArg);
      }
    }
    command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), "ssecluster.Main", "node",
        "--cluster-config", cluster.clusterConfig().toString(),
        "--http-port", String.valueOf(httpPort), "--https-port", "-1", "--http-instances", "1",
        "--node-name", "process-B", "--redis", redis.url(), "--redis-claim-idle-millis", "2000"));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
  }

  private static void signal(Process process, String signal) throws IOException, InterruptedException {
    int exit = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start().waitFor();
    assertEquals(0, exit, "kill -" + signal);
  }
}
