package ssecluster.ingest.postgres;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.postgresserver.ProductsDemo;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.SseClient;
import ssecluster.testsupport.SseParser.Event;
import ssecluster.testsupport.TestCluster;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three real clustered nodes and a real PostgreSQL server: the seed's products trigger and outbox rows reach every
 * subscriber on every node exactly once, in order; what a transaction rolls back never arrives; bad payloads and
 * rows are skipped, counted and dead-lettered while the good ones around them arrive; ingestion comes back by
 * itself after the database restarts or the listener loses its session.
 */
class PostgresIngestTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int MAX_BODY_BYTES = 1024;

  private static Vertx clients;
  private static TestPostgres postgres;
  private static TestCluster cluster;
  private static List<Node> nodes;

  @BeforeAll
  static void start() throws Exception {
    clients = Vertx.vertx();
    postgres = new TestPostgres();
    try (Connection connection = postgres.connect()) {
      ProductsDemo.create(connection, "sse");
    }
    cluster = new TestCluster();
    nodes = cluster.start(3, "--postgres-url", postgres.url(), "--max-body-bytes", String.valueOf(MAX_BODY_BYTES));
    awaitIngesting();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (clients != null) {
      clients.close();
    }
  }

  @Test
  void theProductsTriggerReachesEverySubscriberOnEveryNodeOnceAndARollbackNever() throws Exception {
    // Exactly one node of the cluster listens, so a notification enters the cluster once.
    assertEquals(1, postgres.sessions("listener"));
    assertEquals(1, nodes.stream().filter(n -> TestPostgres.postgresHealth(n.httpPort()).getBoolean("listener")).count());

    try (SseClient parent = SseClient.open(clients, nodes.get(0).httpPort(), "/subscribe/products");
         SseClient exact = SseClient.open(clients, nodes.get(1).httpPort(), "/subscribe/products/2");
         SseClient root = SseClient.open(clients, nodes.get(2).httpPort(), "/subscribe")) {
      postgres.execute("UPDATE products SET units_available = 11 WHERE product_id = 2");
      postgres.transaction(false, "UPDATE products SET price_per_unit = '0EUR' WHERE product_id = 2");
      String added = postgres.column("INSERT INTO products (product_name, manufacturer, price_per_unit, units_available)"
          + " VALUES ('Pixelbook', 'Google', '300EUR', 4) RETURNING product_id").get(0);
      postgres.execute("UPDATE products SET units_available = 10 WHERE product_id = 2",
          "DELETE FROM products WHERE product_id = " + added,
          "UPDATE products SET units_available = 9 WHERE product_id = 2");

      List<String> ofProduct2 = List.of("product-update 11", "product-update 10", "product-update 9");
      List<String> ofAdded = List.of("product-insert 4", "product-delete 4");
      for (SseClient client : List.of(parent, root)) {
        List<Event> events = client.awaitEvents(5, WAIT);
        assertEquals(ofProduct2, changesOf(events, "2"));
        assertEquals(ofAdded, changesOf(events, added));
        assertEquals(5, events.size(), "each change once, the rolled-back one never: " + events);
      }
      List<Event> events = exact.awaitEvents(3, WAIT);
      assertEquals(ofProduct2, changesOf(events, "2"));
      assertEquals(3, events.size(), "only product 2: " + events);
      // The row travels as JSON.
      JsonObject row = new JsonObject(events.get(2).data());
      assertEquals("ThinkPad X1", row.getString("product_name"));
      assertEquals("450EUR", row.getString("price_per_unit"), "the rolled-back change is not in the row either");
    }
  }

  @Test
  void outboxRowsArriveOnceInIdOrderAndRowsOfARolledBackTransactionNever() throws Exception {
    try (SseClient us = SseClient.open(clients, nodes.get(1).httpPort(), "/subscribe/orders");
         SseClient eu = SseClient.open(clients, nodes.get(2).httpPort(), "/subscribe/orders/eu");
         SseClient both = SseClient.open(clients, nodes.get(0).httpPort(), "/subscribe?ns=orders.eu,orders.us")) {
      List<String> firstBatch = new ArrayList<>();
      List<String> expectedEu = new ArrayList<>();
      List<String> expectedUs = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        String region = i % 3 == 0 ? "us" : "eu";
        (region.equals("us") ? expectedUs : expectedEu).add(region + "-" + i);
        firstBatch.add(outboxInsert("orders." + region, "order", region + "-" + i));
      }
      postgres.transaction(true, firstBatch.toArray(String[]::new));
      postgres.transaction(false, outboxInsert("orders.eu", "order", "never-eu"),
          outboxInsert("orders.us", "order", "never-us"));
      List<String> secondBatch = new ArrayList<>();
      for (int i = 30; i < 40; i++) {
        expectedEu.add("eu-" + i);
        secondBatch.add(outboxInsert("orders.eu", "order", "eu-" + i));
      }
      expectedUs.add("us-end");
      secondBatch.add(outboxInsert("orders.us", "order", "us-end"));
      postgres.transaction(true, secondBatch.toArray(String[]::new));

      int total = expectedEu.size() + expectedUs.size();
      for (SseClient client : List.of(us, both)) {
        List<Event> events = client.awaitEvents(total, WAIT);
        assertEquals(expectedEu, dataStartingWith(events, "eu-"), "orders.eu in id order, each once");
        assertEquals(expectedUs, dataStartingWith(events, "us-"), "orders.us in id order, each once");
        assertEquals(total, events.size(), "nothing rolled back: " + events);
        assertTrue(events.stream().allMatch(e -> e.event().equals("order")), "event names: " + events);
      }
      List<Event> events = eu.awaitEvents(expectedEu.size(), WAIT);
      assertEquals(expectedEu, events.stream().map(Event::data).toList());
      // One namespace: each row's own id, rising with the row's.
      List<Long> ids = events.stream().map(e -> Long.parseLong(e.id())).toList();
      assertEquals(ids.stream().sorted().distinct().toList(), ids);
    }
    Await.until("the outbox is empty", WAIT, () -> postgres.count("SELECT count(*) FROM sse_outbox") == 0);
  }

  @Test
  void badPayloadsAndRowsAreSkippedCountedAndDeadLetteredWhileTheGoodOnesArrive() throws Exception {
    List<Integer> ports = nodes.stream().map(Node::httpPort).toList();
    long rejectedBefore = TestPostgres.sumOverNodes(ports, "rejected");
    long deadBefore = postgres.count("SELECT count(*) FROM sse_outbox_dead");
    long deadLetteredBefore = TestPostgres.sumOverNodes(ports, "deadLettered");
    String oversized = "x".repeat(MAX_BODY_BYTES + 1);

    try (SseClient client = SseClient.open(clients, nodes.get(1).httpPort(), "/subscribe/bad")) {
      notify("{\"ns\": \"bad.in\", \"data\": \"good-1\"}");
      notify("not json");
      notify("[1, 2]");
      notify("{\"data\": \"no namespace\"}");
      notify("{\"ns\": 5, \"data\": \"ns not a string\"}");
      notify("{\"ns\": \"bad in\", \"data\": \"bad namespace\"}");
      notify("{\"ns\": \"bad.in\", \"event\": \"sse-gap\", \"data\": \"reserved\"}");
      notify("{\"ns\": \"bad.in\", \"event\": \"no-data\"}");
      notify("{\"ns\": \"bad.in\", \"data\": \"" + oversized + "\"}");
      notify("{\"ns\": \"bad.in\", \"event\": \"json\", \"data\": {\"k\": [1, 2]}}");

      postgres.transaction(true,
          outboxInsert("bad.out", null, "row-1"),
          outboxInsert("bad out", null, "bad namespace"),
          outboxInsert("bad.out", "sse-replay", "reserved"),
          outboxInsert("bad.out", "two\nlines", "event with a line break"),
          outboxInsert("bad.out", null, oversized),
          outboxInsert("", null, "empty namespace"),
          outboxInsert("bad.out", null, "row-2"));
      notify("{\"ns\": \"bad.in\", \"data\": \"good-2\"}");

      client.awaitData("good-2", WAIT);
      List<Event> events = client.awaitEvents(5, WAIT);
      assertEquals(List.of("good-1", "{\"k\":[1,2]}", "good-2"),
          events.stream().filter(e -> !e.data().startsWith("row-")).map(Event::data).toList());
      assertEquals("json", events.stream().filter(e -> e.data().startsWith("{")).findFirst().orElseThrow().event());
      assertEquals(List.of("row-1", "row-2"), dataStartingWith(events, "row-"), "rows behind bad ones are not held up");
      assertEquals(5, events.size(), "only good messages: " + events);
    }

    // 8 bad notifications and 5 bad rows, counted once each across the cluster.
    Await.until("13 rejections are counted", WAIT, () -> TestPostgres.sumOverNodes(ports, "rejected") - rejectedBefore == 13);
    Await.until("the outbox is empty", WAIT, () -> postgres.count("SELECT count(*) FROM sse_outbox") == 0);
    List<String> reasons = postgres.column("SELECT reason FROM sse_outbox_dead ORDER BY dead_id OFFSET " + deadBefore);
    assertEquals(5, reasons.size(), "dead rows: " + reasons);
    for (String expected : List.of("invalid namespace", "reserved", "control characters", "larger than", "empty namespace")) {
      assertEquals(1, reasons.stream().filter(r -> r.contains(expected)).count(), "one dead row for " + expected + ": " + reasons);
    }
    // The row's own columns travel with the reason.
    assertEquals(List.of("bad out|bad namespace"),
        postgres.column("SELECT ns || '|' || data FROM sse_outbox_dead WHERE reason LIKE 'invalid namespace%'"));
    Await.until("5 dead rows are counted", WAIT, () -> TestPostgres.sumOverNodes(ports, "deadLettered") - deadLetteredBefore == 5);
  }

  @Test
  void ingestionComesBackByItselfAfterTheDatabaseRestarts() throws Exception {
    try (SseClient client = SseClient.open(clients, nodes.get(0).httpPort(), "/subscribe/restart")) {
      postgres.stop();
      for (Node node : nodes) {
        Await.until("node reports PostgreSQL away", WAIT,
            () -> "disconnected".equals(TestPostgres.postgresHealth(node.httpPort()).getString("state")));
      }
      // Meanwhile the node is healthy and the other publish paths work.
      assertEquals("UP", TestPostgres.health(nodes.get(1).httpPort()).getString("status"));
      assertEquals(202, Http.post(nodes.get(1).httpPort(), "/publish/restart/http", "while-database-away").statusCode());
      client.awaitData("while-database-away", WAIT);

      postgres.start();
      // Committed before any node drains again, its NOTIFY heard by nobody: the new drainer's first drain finds it.
      postgres.transaction(true, outboxInsert("restart.outbox", null, "after-restart-outbox"));
      awaitIngesting();
      notify("{\"ns\": \"restart.notify\", \"data\": \"after-restart-notify\"}");
      client.awaitData("after-restart-outbox", WAIT);
      client.awaitData("after-restart-notify", WAIT);
      assertEquals(List.of("while-database-away", "after-restart-outbox", "after-restart-notify"),
          client.events().stream().map(Event::data).toList());
    }
  }

  @Test
  void aListenerWhoseSessionEndsIsReplaced() throws Exception {
    try (SseClient client = SseClient.open(clients, nodes.get(2).httpPort(), "/subscribe/handover")) {
      notify("{\"ns\": \"handover\", \"data\": \"before\"}");
      client.awaitData("before", WAIT);

      postgres.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
          + " WHERE application_name IN ('sse-cluster listener', 'sse-cluster outbox')");
      awaitIngesting();
      notify("{\"ns\": \"handover\", \"data\": \"after\"}");
      postgres.transaction(true, outboxInsert("handover", null, "after-outbox"));
      client.awaitData("after", WAIT);
      client.awaitData("after-outbox", WAIT);
      assertEquals(List.of("before", "after", "after-outbox"), client.events().stream().map(Event::data).toList());
    }
  }

  /** Every node reaches the database, one listens and one drains, each with its session. */
  private static void awaitIngesting() throws InterruptedException {
    for (Node node : nodes) {
      Await.until("node reaches PostgreSQL", WAIT,
          () -> "connected".equals(TestPostgres.postgresHealth(node.httpPort()).getString("state")));
    }
    List<Integer> ports = nodes.stream().map(Node::httpPort).toList();
    Await.until("one node listens and one drains", WAIT, () -> countTrue(ports, "listener") == 1
        && countTrue(ports, "outboxDrainer") == 1 && postgres.sessions("listener") == 1 && postgres.sessions("outbox") == 1);
  }

  private static long countTrue(List<Integer> ports, String field) {
    return ports.stream().filter(port -> TestPostgres.postgresHealth(port).getBoolean(field)).count();
  }

  private static void notify(String payload) {
    postgres.execute("SELECT pg_notify('sse', " + TestPostgres.literal(payload) + ")");
  }

  private static String outboxInsert(String ns, String event, String data) {
    return "INSERT INTO sse_outbox (ns, event, data) VALUES (" + TestPostgres.literal(ns) + ", "
        + (event == null ? "NULL" : TestPostgres.literal(event)) + ", " + TestPostgres.literal(data) + ")";
  }

  private static List<String> dataStartingWith(List<Event> events, String prefix) {
    return events.stream().map(Event::data).filter(d -> d.startsWith(prefix)).toList();
  }

  /** The changes of one product, in arrival order: "product-update 11" (event and units available). */
  private static List<String> changesOf(List<Event> events, String productId) {
    List<String> changes = new ArrayList<>();
    for (Event event : events) {
      JsonObject row = new JsonObject(event.data());
      if (productId.equals(String.valueOf(row.getInteger("product_id")))) {
        changes.add(event.event() + " " + row.getInteger("units_available"));
      }
    }
    return changes;
  }
}
