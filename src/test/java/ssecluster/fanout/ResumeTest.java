package ssecluster.fanout;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.PrometheusText;
import ssecluster.testsupport.SseClient;
import ssecluster.testsupport.SseParser.Event;
import ssecluster.testsupport.TestCluster;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that come back with the id they saw last, on another node of a real cluster: each gets exactly the
 * messages it missed, then the live ones, none twice, for plain, hierarchical and multiplexed streams; the
 * gap is announced in band when history cannot close it; and every subscriber sees a namespace in one order.
 */
class ResumeTest {

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

  /** Publishes over HTTP and answers the message's id. */
  static String publish(Node node, String namespace, String data) {
    HttpResponse<String> response = Http.post(node.httpPort(), "/publish/" + namespace.replace('.', '/'), data);
    assertEquals(202, response.statusCode(), response.body());
    return new JsonObject(response.body()).getString("id");
  }

  static SseClient resume(Node node, String path, String lastEventId) {
    return SseClient.open(clients, node.httpPort(), path, HttpVersion.HTTP_1_1, Map.of("Last-Event-ID", lastEventId));
  }

  static List<String> data(List<Event> events) {
    return events.stream().map(Event::data).toList();
  }

  @Test
  void aStreamResumedOnAnotherNodeGetsExactlyWhatItMissedThenLiveOnes() throws Exception {
    String lastSeen;
    try (SseClient first = SseClient.open(clients, nodeA.httpPort(), "/subscribe/resume/plain")) {
      List<String> ids = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        ids.add(publish(nodeA, "resume.plain", "p" + i));
      }
      List<Event> seen = first.awaitEvents(3, WAIT);
      assertEquals(List.of("p1", "p2", "p3"), data(seen));
      assertEquals(ids, seen.stream().map(Event::id).toList(), "a stream of one namespace sends the messages' ids");
      lastSeen = seen.get(2).id();
    }
    for (int i = 4; i <= 8; i++) {
      publish(i % 2 == 0 ? nodeA : nodeB, "resume.plain", "p" + i);
    }
    try (SseClient back = resume(nodeB, "/subscribe/resume/plain", lastSeen)) {
      assertEquals(List.of("p4", "p5", "p6", "p7", "p8"), data(back.awaitEvents(5, WAIT)));
      publish(nodeA, "resume.plain", "p9");
      back.awaitData("p9", WAIT);
      Thread.sleep(200);
      assertEquals(List.of("p4", "p5", "p6", "p7", "p8", "p9"), data(back.events()));
    }
  }

  @Test
  void theQueryParametersResumeTooAndTheHeaderWinsOverThem() throws Exception {
    String id1 = publish(nodeA, "resume.query", "q1");
    String id2 = publish(nodeA, "resume.query", "q2");
    publish(nodeA, "resume.query", "q3");
    try (SseClient camel = SseClient.open(clients, nodeB.httpPort(), "/subscribe/resume/query?lastEventId=" + id1);
         SseClient snake = SseClient.open(clients, nodeB.httpPort(), "/subscribe/resume/query?last_event_id=" + id2);
         // EventSource keeps its URL and sends the newest id in the header when it reconnects.
         SseClient both = SseClient.open(clients, nodeB.httpPort(), "/subscribe/resume/query?lastEventId=" + id1,
             HttpVersion.HTTP_1_1, Map.of("Last-Event-ID", id2))) {
      assertEquals(List.of("q2", "q3"), data(camel.awaitEvents(2, WAIT)));
      assertEquals(List.of("q3"), data(snake.awaitEvents(1, WAIT)));
      assertEquals(List.of("q3"), data(both.awaitEvents(1, WAIT)));
    }
  }

  @Test
  void aHierarchicalStreamGetsWhatItMissedOfEveryChild() throws Exception {
    String lastSeen;
    try (SseClient first = SseClient.open(clients, nodeA.httpPort(), "/subscribe/hpets")) {
      publish(nodeA, "hpets.dogs", "d1");
      publish(nodeB, "hpets.cats", "c1");
      publish(nodeA, "hpets.dogs", "d2");
      lastSeen = first.awaitEvents(3, WAIT).get(2).id();
    }
    List<String> missed = List.of("c2", "d3", "b1", "c3", "root-of-hpets");
    publish(nodeB, "hpets.cats", "c2");
    publish(nodeA, "hpets.dogs", "d3");
    publish(nodeB, "hpets.birds", "b1");
    publish(nodeA, "hpets.cats", "c3");
    publish(nodeA, "hpets", "root-of-hpets");
    publish(nodeA, "hpetshop", "not under hpets");
    try (SseClient back = resume(nodeB, "/subscribe/hpets", lastSeen)) {
      assertEquals(missed, data(back.awaitEvents(5, WAIT)));
      publish(nodeA, "hpets.dogs", "live");
      back.awaitData("live", WAIT);
      Thread.sleep(200);
      List<String> all = new ArrayList<>(missed);
      all.add("live");
      assertEquals(all, data(back.events()));
    }
  }

  @Test
  void aMultiplexedStreamGetsWhatItMissedOfEachNamespace() throws Exception {
    String path = "/subscribe?ns=mxa,mxb";
    String lastSeen;
    try (SseClient first = SseClient.open(clients, nodeA.httpPort(), path)) {
      publish(nodeA, "mxa", "a1");
      publish(nodeB, "mxb", "b1");
      lastSeen = first.awaitEvents(2, WAIT).get(1).id();
    }
    publish(nodeA, "mxb", "b2");
    publish(nodeB, "mxa", "a2");
    publish(nodeA, "mxc", "not asked for");
    publish(nodeA, "mxa.x", "a3");
    try (SseClient back = resume(nodeB, path, lastSeen)) {
      assertEquals(List.of("b2", "a2", "a3"), data(back.awaitEvents(3, WAIT)));
    }
  }

  @Test
  void earliestAsksForEverythingHistoryHolds() throws Exception {
    publish(nodeA, "resume.earliest", "e1");
    publish(nodeB, "resume.earliest", "e2");
    try (SseClient all = SseClient.open(clients, nodeB.httpPort(), "/subscribe/resume/earliest?lastEventId=earliest")) {
      assertEquals(List.of("e1", "e2"), data(all.awaitEvents(2, WAIT)));
    }
  }

  @Test
  void anIdFromNowhereIsAnUnknownGapFirstThenWhatHistoryHolds() throws Exception {
    publish(nodeA, "resume.unknown", "u1");
    try (SseClient back = resume(nodeB, "/subscribe/resume/unknown", "not-an-id-of-ours")) {
      List<Event> events = back.awaitEvents(2, WAIT);
      assertEquals("sse-gap", events.get(0).event());
      JsonObject gap = new JsonObject(events.get(0).data());
      assertEquals("not-an-id-of-ours", gap.getString("lastEventId"));
      assertEquals("unknown", gap.getString("reason"));
      assertEquals(List.of("resume.unknown"), gap.getJsonArray("namespaces").getList());
      assertEquals("u1", events.get(1).data());
    }
  }

  /**
   * Messages flow the whole time a client goes away and comes back on the other node: the seam between what
   * history replays and what arrives live loses nothing and repeats nothing.
   */
  @Test
  void theSeamBetweenHistoryAndLiveLosesAndRepeatsNothingUnderConcurrentPublishing() throws Exception {
    AtomicBoolean publishing = new AtomicBoolean(true);
    List<String> sent = Collections.synchronizedList(new ArrayList<>());
    Thread publisher = new Thread(() -> {
      for (int i = 0; publishing.get(); i++) {
        publish(i % 2 == 0 ? nodeA : nodeB, "resume.seam", "m" + i);
        sent.add("m" + i);
      }
    });
    List<Event> received = new ArrayList<>();
    try (SseClient first = SseClient.open(clients, nodeA.httpPort(), "/subscribe/resume/seam")) {
      publisher.start();
      first.awaitEvents(20, WAIT);
      received.addAll(first.events());
    }
    for (int round = 0; round < 3; round++) {
      Thread.sleep(100);
      String lastSeen = received.get(received.size() - 1).id();
      Node node = round % 2 == 0 ? nodeB : nodeA;
      try (SseClient back = resume(node, "/subscribe/resume/seam", lastSeen)) {
        back.awaitEvents(30, WAIT);
        received.addAll(back.events());
      }
    }
    publishing.set(false);
    publisher.join();
    String lastSeen = received.get(received.size() - 1).id();
    String last = sent.get(sent.size() - 1);
    if (!received.get(received.size() - 1).data().equals(last)) {
      try (SseClient back = resume(nodeB, "/subscribe/resume/seam", lastSeen)) {
        back.awaitData(last, WAIT);
        received.addAll(back.events());
      }
    }
    assertEquals(sent, data(received), "every message once, in order, across four reconnections");
  }

  @Test
  void everySubscriberSeesANamespaceInOneOrderWhateverNodePublished() throws Exception {
    try (SseClient onA = SseClient.open(clients, nodeA.httpPort(), "/subscribe/race");
         SseClient onB = SseClient.open(clients, nodeB.httpPort(), "/subscribe/race");
         SseClient rootOnB = SseClient.open(clients, nodeB.httpPort(), "/subscribe")) {
      List<Thread> publishers = new ArrayList<>();
      for (Node node : List.of(nodeA, nodeB)) {
        Thread thread = new Thread(() -> {
          for (int i = 0; i < 100; i++) {
            node.vertx().eventBus().publish("race", node.nodeId().substring(0, 4) + "-" + i);
          }
        });
        publishers.add(thread);
        thread.start();
      }
      for (Thread thread : publishers) {
        thread.join();
      }
      List<Event> a = onA.awaitEvents(200, WAIT);
      List<Event> b = onB.awaitEvents(200, WAIT);
      Await.until("the root stream has both nodes' messages", WAIT,
          () -> rootOnB.events().stream().filter(e -> e.data().contains("-")).count() >= 200);
      assertEquals(data(a), data(b), "one order on both nodes");
      assertEquals(a.stream().map(Event::id).toList(), b.stream().map(Event::id).toList());
      List<Long> seqs = a.stream().map(e -> Long.parseLong(e.id())).toList();
      for (int i = 1; i < seqs.size(); i++) {
        assertTrue(seqs.get(i) > seqs.get(i - 1), "ids rise: " + seqs.get(i - 1) + " then " + seqs.get(i));
      }
      List<String> root = rootOnB.events().stream().map(Event::data).filter(d -> d.contains("-")).toList();
      assertEquals(data(a), root, "the root stream too");
    }
  }

  @Test
  void eventNamesOfTheServiceCannotBePublished() {
    HttpResponse<String> refused = Http.post(nodeA.httpPort(), "/publish/reserved?event=sse-gap", "fake gap");
    assertEquals(400, refused.statusCode());
    assertTrue(refused.body().contains("reserved"), refused.body());
    assertEquals(400, Http.post(nodeA.httpPort(), "/publish/reserved?event=SSE-anything", "x").statusCode());
    long before = nodeA.counters().rejectedEventBus.sum();
    nodeA.vertx().eventBus().publish("reserved", new JsonObject().put("event", "sse-gap").put("data", "x"));
    assertEquals(before + 1, nodeA.counters().rejectedEventBus.sum());
  }

  @Test
  void messagesHistoryNoLongerHoldsAreAnExpiredGapThenWhatItStillHolds() throws Exception {
    try (TestCluster small = new TestCluster()) {
      Node node = small.start("--history-size", "5");
      String seen = publish(node, "small", "s0");
      for (int i = 1; i <= 10; i++) {
        publish(node, "small", "s" + i);
      }
      try (SseClient back = SseClient.open(small.clients(), node.httpPort(), "/subscribe/small?lastEventId="
          + URLEncoder.encode(seen, StandardCharsets.UTF_8))) {
        List<Event> events = back.awaitEvents(6, WAIT);
        assertEquals("sse-gap", events.get(0).event());
        JsonObject gap = new JsonObject(events.get(0).data());
        assertEquals("expired", gap.getString("reason"));
        assertEquals(seen, gap.getString("lastEventId"));
        assertEquals(List.of("small"), gap.getJsonArray("namespaces").getList());
        assertEquals(List.of("s6", "s7", "s8", "s9", "s10"), data(events.subList(1, 6)));
      }
      // Seen and counted.
      PrometheusText metrics = PrometheusText.parse(Http.get(node.httpPort(), "/metrics").body());
      assertEquals(1, metrics.value("sse_resumes_total"));
      assertEquals(5, metrics.value("sse_replayed_events_total"));
      assertEquals(1, metrics.value("sse_resume_gaps_total{reason=\"expired\"}"));
      assertEquals(0, metrics.value("sse_resume_gaps_total{reason=\"unknown\"}"));
      Await.until("the node counts the 5 messages it holds", WAIT, () -> {
        JsonObject history = new JsonObject(Http.get(node.httpPort(), "/admin/status.json").body()).getJsonObject("history");
        return history.getLong("messagesHeld") == 5 && history.getLong("bytesHeld") > 0;
      });
      JsonObject history = new JsonObject(Http.get(node.httpPort(), "/admin/status.json").body()).getJsonObject("history");
      assertEquals(1, history.getLong("resumes"));
      assertEquals(1, history.getJsonObject("gaps").getLong("expired"));
      assertEquals(5, PrometheusText.parse(Http.get(node.httpPort(), "/metrics").body()).value("sse_history_messages"));
    }
  }

  @Test
  void withHistoryOffAResumeIsToldThatNothingWasKept() throws Exception {
    try (TestCluster off = new TestCluster()) {
      Node node = off.start("--history-size", "0");
      String id = publish(node, "off", "o1");
      try (SseClient back = SseClient.open(off.clients(), node.httpPort(), "/subscribe/off?lastEventId=" + id)) {
        List<Event> events = back.awaitEvents(1, WAIT);
        assertEquals("sse-gap", events.get(0).event());
        assertEquals("expired", new JsonObject(events.get(0).data()).getString("reason"));
        publish(node, "off", "o2");
        assertEquals("o2", back.awaitEvents(2, WAIT).get(1).data());
      }
    }
  }
}
