package ssecluster.ingest.postgres;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.NodeProcess;
import ssecluster.testsupport.SseClient;
import ssecluster.testsupport.SseParser.Event;
import ssecluster.testsupport.TestCluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node that dies for real: node B runs as its own process, LISTENs and drains the outbox for the cluster, and is
 * killed with SIGKILL in the middle of a batch, after it published some of the rows it claimed and before it
 * deleted them. Nodes A and C (in this JVM) take listening and draining over; every subscriber gets every row
 * exactly once, in id order.
 */
class PostgresFailoverTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  /** The takeover bound the README states for a node that dies on a reachable host. */
  private static final Duration TAKEOVER_BOUND = Duration.ofSeconds(5);
  private static final List<String> NAMESPACES = List.of("fo.a", "fo.b", "fo.c");
  private static final int ROWS = 3000;

  private static Vertx clients;
  private static TestPostgres postgres;
  private static TestCluster cluster;
  private static NodeProcess nodeB;

  @BeforeAll
  static void start() {
    clients = Vertx.vertx();
    postgres = new TestPostgres();
    cluster = new TestCluster();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (nodeB != null) {
      nodeB.close();
    }
    cluster.close();
    postgres.close();
    clients.close();
  }

  @Test
  void killingTheNodeThatListensAndDrainsMidBatchLosesAndDoublesNothing() throws Exception {
    // B is alone at first, so it listens and drains.
    nodeB = NodeProcess.start(cluster, "postgres-failover-node-b", "--postgres-url", postgres.url());
    Await.until("node B listens and drains", WAIT, () -> leads(nodeB.httpPort(), "listener") && leads(nodeB.httpPort(), "outboxDrainer"));
    Node nodeA = cluster.start("--postgres-url", postgres.url());
    Node nodeC = cluster.start("--postgres-url", postgres.url());
    List<Node> survivors = List.of(nodeA, nodeC);
    for (Node node : survivors) {
      Await.until("node reaches PostgreSQL", WAIT,
          () -> "connected".equals(TestPostgres.postgresHealth(node.httpPort()).getString("state")));
    }

    try (SseClient parentA = SseClient.open(clients, nodeA.httpPort(), "/subscribe/fo");
         SseClient exactC = SseClient.open(clients, nodeC.httpPort(), "/subscribe/fo/b");
         SseClient rootC = SseClient.open(clients, nodeC.httpPort(), "/subscribe")) {
      notify("fo.a", "notify-before");
      for (SseClient client : List.of(parentA, rootC)) {
        client.awaitData("notify-before", WAIT);
      }
      // A node killed while Hazelcast still copies partitions to the newcomers takes data with it (see
      // FanoutHub.renewRegistrations); this test is about killing a node of a settled cluster.
      for (int port : List.of(nodeB.httpPort(), nodeA.httpPort(), nodeC.httpPort())) {
        Await.until("partitions backed up before B dies", WAIT, () -> TestPostgres.health(port).getBoolean("clusterSafe", false));
      }

      // A backlog in one transaction: B drains it batch after batch.
      List<String> rows = new ArrayList<>();
      List<String> inserts = new ArrayList<>();
      for (int i = 0; i < ROWS; i++) {
        String ns = NAMESPACES.get(i % NAMESPACES.size());
        rows.add(ns + "/" + i);
        inserts.add("INSERT INTO sse_outbox (ns, event, data) VALUES ('" + ns + "', 'row', '" + ns + "/" + i + "')");
      }
      postgres.transaction(true, inserts.toArray(String[]::new));

      // Freeze B until it is caught mid-batch, after at least one batch: its drain transaction open, some of the
      // rows it claimed already at the subscribers (more rows arrived than were deleted), the rest not.
      long deleted = 0;
      long publishedNotDeleted = 0;
      for (int attempt = 0; attempt < 300 && (deleted == 0 || publishedNotDeleted <= 0); attempt++) {
        nodeB.signal("STOP");
        if (postgres.count("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sse-cluster outbox'"
            + " AND state = 'idle in transaction'") == 1) {
          Thread.sleep(200);   // frames B sent before it froze reach the subscribers
          deleted = ROWS - postgres.count("SELECT count(*) FROM sse_outbox");
          long arrived = parentA.events().stream().filter(e -> e.event().equals("row")).count();
          publishedNotDeleted = arrived - deleted;
        }
        if (deleted == 0 || publishedNotDeleted <= 0) {
          nodeB.signal("CONT");
          Thread.sleep(attempt % 7 + 1);
        }
      }
      assertTrue(deleted > 0 && publishedNotDeleted > 0, "B was caught mid-drain with rows published but not deleted,"
          + " after a batch: " + deleted + " deleted, " + publishedNotDeleted + " more published");
      System.out.println("B killed with " + deleted + " rows drained and " + publishedNotDeleted
          + " more published but not deleted");

      long killedAt = System.nanoTime();
      nodeB.kill();
      Await.until("node A or C listens", WAIT, () -> survivors.stream().filter(n -> leads(n.httpPort(), "listener")).count() == 1
          && postgres.sessions("listener") == 1);
      Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);
      System.out.println("LISTEN taken over " + takeover.toMillis() + " ms after the listener was killed");
      assertTrue(takeover.compareTo(TAKEOVER_BOUND) <= 0, "LISTEN taken over within " + TAKEOVER_BOUND + ", took " + takeover);

      notify("fo.a", "notify-after");
      Await.until("the outbox is drained", WAIT, () -> postgres.count("SELECT count(*) FROM sse_outbox") == 0);
      assertEquals(1, survivors.stream().filter(n -> leads(n.httpPort(), "outboxDrainer")).count());

      for (SseClient client : List.of(parentA, rootC)) {
        client.awaitData("notify-after", WAIT);
        List<Event> events;
        try {
          events = client.awaitEvents(ROWS + 2, WAIT);
        } catch (AssertionError tooFew) {
          events = client.events();   // the comparisons below then name exactly what is missing
        }
        for (String ns : NAMESPACES) {
          assertEquals(rows.stream().filter(r -> r.startsWith(ns + "/")).toList(),
              events.stream().map(Event::data).filter(d -> d.startsWith(ns + "/")).toList(),
              ns + ": every row exactly once, in id order");
        }
        assertEquals(List.of("notify-before", "notify-after"),
            events.stream().map(Event::data).filter(d -> d.startsWith("notify-")).toList());
        assertEquals(ROWS + 2, events.size());
      }
      List<Event> ofB = exactC.awaitEvents(ROWS / NAMESPACES.size(), WAIT);
      assertEquals(rows.stream().filter(r -> r.startsWith("fo.b/")).toList(), ofB.stream().map(Event::data).toList());
      assertEquals(0, postgres.count("SELECT count(*) FROM sse_outbox_dead"));
    }

    // A listener and drainer that is stopped (gracefully) hands over too.
    Node leader = survivors.stream().filter(n -> leads(n.httpPort(), "listener")).findFirst().orElseThrow();
    Node other = leader == nodeA ? nodeC : nodeA;
    try (SseClient client = SseClient.open(clients, other.httpPort(), "/subscribe/fo")) {
      long stoppedAt = System.nanoTime();
      cluster.stop(leader);
      Await.until("the other node listens", WAIT, () -> leads(other.httpPort(), "listener") && postgres.sessions("listener") == 1);
      Duration takeover = Duration.ofNanos(System.nanoTime() - stoppedAt);
      System.out.println("LISTEN taken over " + takeover.toMillis() + " ms after the listener was told to stop");
      assertTrue(takeover.compareTo(TAKEOVER_BOUND) <= 0, "LISTEN taken over within " + TAKEOVER_BOUND + ", took " + takeover);
      notify("fo.a", "after-stop");
      postgres.transaction(true, "INSERT INTO sse_outbox (ns, data) VALUES ('fo.c', 'row-after-stop')");
      client.awaitData("after-stop", WAIT);
      client.awaitData("row-after-stop", WAIT);
      assertEquals(List.of("after-stop", "row-after-stop"), client.events().stream().map(Event::data).sorted().toList());
    }
  }

  private static boolean leads(int httpPort, String role) {
    try {
      JsonObject status = TestPostgres.postgresHealth(httpPort);
      return status.getBoolean(role);
    } catch (AssertionError | RuntimeException notUpYet) {
      return false;
    }
  }

  private static void notify(String ns, String data) {
    postgres.execute("SELECT pg_notify('sse', json_build_object('ns', " + TestPostgres.literal(ns) + ", 'data', "
        + TestPostgres.literal(data) + ")::text)");
  }
}
