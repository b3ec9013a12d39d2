package ssecluster.cluster;

import io.vertx.core.http.HttpVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.SseClient;
import ssecluster.testsupport.SseParser.Event;
import ssecluster.testsupport.TestCluster;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One stream of 1,024 namespaces (the Go/WebSockets seed's 1,024 product ids), over HTTP/1.1 and h2c, with the
 * namespaces comma-separated or as repeated parameters: each message of any of them, or of a descendant, arrives
 * once; one more namespace is a 400 that names the limit.
 */
class WideStreamTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static TestCluster cluster;
  private static Node subscriberNode;
  private static Node publisherNode;

  @BeforeAll
  static void startCluster() {
    cluster = new TestCluster();
    publisherNode = cluster.start();
    subscriberNode = cluster.start();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  private static List<String> products(String prefix, int count) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      names.add(prefix + "." + i);
    }
    return names;
  }

  @Test
  void aStreamOfAThousandAndTwentyFourNamespacesOverHttp1GetsEachMessageOnce() throws Exception {
    List<String> names = products("wide1", 1024);
    assertGetsEachMessageOnce("/subscribe?ns=" + String.join(",", names), HttpVersion.HTTP_1_1, "wide1");
  }

  @Test
  void theSameOverH2cWithRepeatedParameters() throws Exception {
    List<String> names = products("wide2", 1024);
    String query = names.stream().map(name -> "ns=" + name).collect(Collectors.joining("&"));
    assertGetsEachMessageOnce("/subscribe?" + query, HttpVersion.HTTP_2, "wide2");
  }

  private static void assertGetsEachMessageOnce(String path, HttpVersion version, String prefix) throws Exception {
    try (SseClient stream = SseClient.open(cluster.clients(), subscriberNode.httpPort(), path, version)) {
      List<String> expected = new ArrayList<>();
      for (String target : List.of(prefix + ".0", prefix + ".511", prefix + ".1023", prefix + ".7.child")) {
        String data = "to " + target;
        assertEquals(202, Http.post(publisherNode.httpPort(), "/publish/" + target.replace('.', '/'), data).statusCode());
        expected.add(data);
      }
      Http.post(publisherNode.httpPort(), "/publish/" + prefix + "/1024", "not asked for");
      Http.post(publisherNode.httpPort(), "/publish/" + prefix + "/0", "end");
      expected.add("end");
      stream.awaitData("end", WAIT);
      Thread.sleep(200);
      List<String> got = stream.events().stream().map(Event::data).toList();
      assertEquals(Set.copyOf(expected), Set.copyOf(got));
      assertEquals(expected.size(), got.size(), "each once: " + got);
    }
  }

  @Test
  void oneNamespaceMoreIsARefusalThatNamesTheLimit() {
    List<String> names = products("toomany", 1025);
    HttpResponse<String> refused = Http.get(subscriberNode.httpPort(), "/subscribe?ns=" + String.join(",", names));
    assertEquals(400, refused.statusCode());
    assertTrue(refused.body().contains("at most 1024"), refused.body());
  }
}
