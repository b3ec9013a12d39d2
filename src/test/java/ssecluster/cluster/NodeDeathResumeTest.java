package ssecluster.cluster;

import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node a client is on dies for real (SIGKILL of its JVM) while messages flow from another node. The
 * client, as EventSource does, reconnects with the last id it saw, here to a surviving node: it gets every
 * message exactly once, in order. History lives in the cluster, with a backup of each namespace on another
 * member, so what the dead node held is not lost.
 */
class NodeDeathResumeTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aClientOfAKilledNodeResumesOnAnotherWithEveryMessageOnceInOrder() throws Exception {
    try (TestCluster cluster = new TestCluster()) {
      Node survivor = cluster.start();
      Node other = cluster.start();
      try (NodeProcess victim = NodeProcess.start(cluster, "resume-victim")) {
        for (int port : List.of(survivor.httpPort(), other.httpPort(), victim.httpPort())) {
          Await.until("partitions and their backups in place", WAIT,
              () -> new JsonObject(Http.get(port, "/health").body()).getBoolean("clusterSafe", false));
        }
        List<String> sent = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean publishing = new AtomicBoolean(true);
        Thread publisher = new Thread(() -> {
          for (int i = 0; publishing.get(); i++) {
            HttpResponse<String> response = Http.post(other.httpPort(), "/publish/death/seq", "m" + i);
            assertEquals(202, response.statusCode(), response.body());
            sent.add("m" + i);
            sleep(10);
          }
        });

        List<Event> received = new ArrayList<>();
        try (SseClient onVictim = SseClient.open(cluster.clients(), victim.httpPort(), "/subscribe/death/seq")) {
          publisher.start();
          onVictim.awaitEvents(50, WAIT);
          victim.kill();
          onVictim.awaitEnd(WAIT);
          received.addAll(onVictim.events());
        }
        String lastSeen = received.get(received.size() - 1).id();
        try (SseClient resumed = SseClient.open(cluster.clients(), survivor.httpPort(), "/subscribe/death/seq",
            HttpVersion.HTTP_1_1, Map.of("Last-Event-ID", lastSeen))) {
          Thread.sleep(1000);   // messages keep flowing after the resume
          publishing.set(false);
          publisher.join();
          String last = sent.get(sent.size() - 1);
          resumed.awaitData(last, WAIT);
          received.addAll(resumed.events());
        }
        assertTrue(received.size() > 100, "messages flowed before and after the kill: " + received.size());
        assertEquals(sent, received.stream().map(Event::data).toList(), "every message once, in order");
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
