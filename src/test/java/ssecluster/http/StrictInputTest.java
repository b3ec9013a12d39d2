package ssecluster.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ssecluster.Node;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.RawHttp;
import ssecluster.testsupport.SseClient;
import ssecluster.testsupport.SseParser.Event;
import ssecluster.testsupport.TestCluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Input that is not what it should be gets a clear answer, as RFC 9110/9112 (or nginx) give it, and never a
 * wider meaning than asked for: an empty namespace item is not "everything", {@code /publish/a/..} is not the
 * root, {@code HTTP/1.2} is HTTP/1.1, two Host headers are not a request. Raw sockets send what no real
 * client would; Vert.x clients send the rest, over HTTP/1.1 and h2c.
 */
class StrictInputTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static TestCluster cluster;
  private static Node node;
  private static HttpClient http1;
  private static HttpClient h2c;

  @BeforeAll
  static void start() {
    cluster = new TestCluster();
    node = cluster.start();
    http1 = cluster.clients().createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1));
    h2c = cluster.clients().createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void everyItemOfNsMustBeANamespace() throws Exception {
    for (String query : List.of("ns=pets,", "ns=a,,b", "ns=", "ns=%20", "ns=a&ns=", "ns", "ns=pets,+,time")) {
      for (HttpVersion version : List.of(HttpVersion.HTTP_1_1, HttpVersion.HTTP_2)) {
        Answer answer = exchange(version, HttpMethod.GET, "/subscribe?" + query);
        assertEquals(400, answer.status(), query + " over " + version + ": " + answer.body());
        assertTrue(answer.error().contains("empty item in ?ns="), answer.body());
      }
    }
    Answer emptySegment = exchange(HttpVersion.HTTP_1_1, HttpMethod.GET, "/subscribe?ns=a..b");
    assertEquals(400, emptySegment.status());
    assertTrue(emptySegment.error().contains("empty segment"), emptySegment.body());

    // Items are still read as before: repeated or comma-separated, spaces around them ignored.
    try (SseClient stream = SseClient.open(cluster.clients(), node.httpPort(), "/subscribe?ns=strict.a,%20strict.b&ns=strict.c")) {
      publish("strict/a", "a");
      publish("strict/other", "not asked for");
      publish("strict/b", "b");
      publish("strict/c", "c");
      assertEquals(List.of("a", "b", "c"), data(stream.awaitData("c", WAIT)));
    }
  }

  @Test
  void dotSegmentsAreRefusedOnPublishAsOnSubscribe() throws Exception {
    try (SseClient everything = SseClient.open(cluster.clients(), node.httpPort(), "/subscribe")) {
      for (String path : List.of("/publish/a/..", "/publish/a/.", "/publish/./a", "/publish/a/%2e%2E", "/publish/a/%2e",
          "/publish/a/.%2e", "/x/../publish/a", "/publish/..")) {
        try (RawHttp raw = RawHttp.connect(node.httpPort())) {
          RawHttp.Response answer = raw.send("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n\r\nroot").read(WAIT);
          assertEquals(400, answer.status(), path + ": " + answer.body());
          assertTrue(error(answer.body()).contains("'.' or '..' segment"), answer.body());
        }
      }
      for (String path : List.of("/subscribe/a/..", "/subscribe/%2e%2e", "/subscribe/./a")) {
        assertEquals(400, exchange(HttpVersion.HTTP_1_1, HttpMethod.GET, path).status(), path);
      }
      publish("strict/marker", "after the refused ones");
      List<Event> events = everything.awaitData("after the refused ones", WAIT);
      assertEquals(List.of("after the refused ones"), data(events), "no refused publish reached anyone");
    }
  }

  @Test
  void malformedPercentEncodingIsA400WithOneShortLogLineAtMost() {
    List<LogRecord> logged = Collections.synchronizedList(new ArrayList<>());
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        logged.add(record);
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    capture.setLevel(Level.INFO);
    Logger root = Logger.getLogger("");
    root.addHandler(capture);
    try {
      List<String> requests = List.of(
          "POST /publish/x?event=%zz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\n\r\nx",
          "GET /% HTTP/1.1\r\nHost: localhost\r\n\r\n",
          "GET /subscribe?ns=%zz HTTP/1.1\r\nHost: localhost\r\n\r\n",
          "GET /js/app.js%2 HTTP/1.1\r\nHost: localhost\r\n\r\n");
      for (int i = 0; i < 52; i++) {
        try (RawHttp raw = RawHttp.connect(node.httpPort())) {
          RawHttp.Response answer = raw.send(requests.get(i % requests.size())).read(WAIT);
          assertEquals(400, answer.status(), answer.body());
          assertTrue(error(answer.body()).contains("malformed percent-encoding"), answer.body());
        }
      }
    } finally {
      root.removeHandler(capture);
    }
    List<LogRecord> ours = new ArrayList<>();
    for (LogRecord record : List.copyOf(logged)) {
      assertNull(record.getThrown(), "a stack trace was logged: " + record.getMessage());
      assertTrue(record.getLevel().intValue() < Level.WARNING.intValue(), record.getLevel() + " " + record.getMessage());
      if (record.getLoggerName().equals(RequestChecks.class.getName())) {
        ours.add(record);
      }
    }
    assertTrue(ours.size() <= 1, ours.size() + " lines for 52 such requests");
    ours.forEach(record -> assertTrue(record.getMessage().length() < 300, record.getMessage()));
  }

  @Test
  void twoHostHeadersAreA400AndCloseTheConnection() {
    try (RawHttp raw = RawHttp.connect(node.httpPort())) {
      RawHttp.Response answer = raw.send("GET /health HTTP/1.1\r\nHost: localhost\r\nHost: elsewhere\r\n\r\n").read(WAIT);
      assertEquals(400, answer.status());
      assertTrue(error(answer.body()).contains("more than one Host header"), answer.body());
      assertEquals("close", answer.header("Connection"));
      assertTrue(raw.closedByServerWithin(WAIT));
    }
    try (RawHttp raw = RawHttp.connect(node.httpPort())) {
      assertEquals(400, raw.send("GET /health HTTP/1.1\r\n\r\n").read(WAIT).status(), "HTTP/1.1 without Host");
    }
  }

  @Test
  void transferEncodingsOtherThanChunkedAreRefused() throws Exception {
    try (SseClient everything = SseClient.open(cluster.clients(), node.httpPort(), "/subscribe")) {
      // A coding the node does not know: 501, as from nginx; the same header twice: 400 (Netty's decoder, as nginx).
      Map<String, Integer> refusals = Map.of("Transfer-Encoding: identity, chunked", 501, "Transfer-Encoding: gzip, chunked", 501,
          "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked", 400);
      for (Map.Entry<String, Integer> refusal : refusals.entrySet()) {
        try (RawHttp raw = RawHttp.connect(node.httpPort())) {
          RawHttp.Response answer = raw.send("POST /publish/strict/te HTTP/1.1\r\nHost: localhost\r\n" + refusal.getKey()
              + "\r\n\r\n7\r\nsmuggle\r\n0\r\n\r\n").read(WAIT);
          assertEquals(refusal.getValue(), answer.status(), refusal.getKey() + ": " + answer.body());
          assertTrue(raw.closedByServerWithin(WAIT), refusal.getKey());
        }
      }
      try (RawHttp raw = RawHttp.connect(node.httpPort())) {
        RawHttp.Response plain = raw.send("POST /publish/strict/te HTTP/1.1\r\nHost: localhost\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n7\r\nchunked\r\n0\r\n\r\n").read(WAIT);
        assertEquals(202, plain.status(), plain.body());
      }
      assertEquals(List.of("chunked"), data(everything.awaitData("chunked", WAIT)), "only the plainly chunked one was published");
    }
  }

  @Test
  void headOfAStreamAnswersItsHeadersWithoutOpeningIt() {
    long openedBefore = node.counters().connectionsOpened.sum();
    for (HttpVersion version : List.of(HttpVersion.HTTP_1_1, HttpVersion.HTTP_2)) {
      Answer head = exchange(version, HttpMethod.HEAD, "/subscribe/pets");
      assertEquals(200, head.status(), version.toString());
      assertEquals("text/event-stream", head.headers().get("Content-Type"));
      assertEquals("no-cache", head.headers().get("Cache-Control"));
      assertEquals("", head.body());
      assertEquals(400, exchange(version, HttpMethod.HEAD, "/subscribe/pets..dogs").status(), "the same checks as GET");
    }
    assertEquals(openedBefore, node.counters().connectionsOpened.sum(), "HEAD opened no stream");
    Answer delete = exchange(HttpVersion.HTTP_1_1, HttpMethod.DELETE, "/subscribe/pets");
    assertEquals(405, delete.status());
    assertEquals("GET, HEAD", delete.headers().get("Allow"));
  }

  @Test
  void laterHttp1VersionsAreServedAsHttp11AndOtherVersionsGet505() {
    try (RawHttp raw = RawHttp.connect(node.httpPort())) {
      for (int i = 0; i < 2; i++) {   // the first request on a connection and a later one
        RawHttp.Response answer = raw.send("GET /health HTTP/1.2\r\nHost: localhost\r\n\r\n").read(WAIT);
        assertEquals("HTTP/1.1 200 OK", answer.statusLine());
      }
    }
    for (String version : List.of("HTTP/2.0", "HTTP/3.0", "HTTP/0.9")) {
      try (RawHttp raw = RawHttp.connect(node.httpPort())) {
        RawHttp.Response answer = raw.send("GET /health " + version + "\r\nHost: localhost\r\n\r\n").read(WAIT);
        assertEquals("HTTP/1.1 505 HTTP Version Not Supported", answer.statusLine(), version);
        assertEquals(505, new JsonObject(answer.body()).getInteger("status"));
        assertTrue(raw.closedByServerWithin(WAIT));
      }
    }
    try (RawHttp raw = RawHttp.connect(node.httpPort())) {
      RawHttp.Response answer = raw.send("HELLO\r\n\r\n").read(WAIT);
      assertEquals(400, answer.status());
      assertEquals("malformed HTTP request", error(answer.body()));
      assertTrue(raw.closedByServerWithin(WAIT));
    }
  }

  // ---- helpers -----------------------------------------------------------------------------------------

  private record Answer(int status, MultiMap headers, String body) {
    String error() {
      return StrictInputTest.error(body);
    }
  }

  private static Answer exchange(HttpVersion version, HttpMethod method, String uri) {
    HttpClient client = version == HttpVersion.HTTP_2 ? h2c : http1;
    return Await.result(client.request(method, node.httpPort(), "127.0.0.1", uri)
        .compose(request -> request.send())
        .compose(response -> response.body()
            .map(body -> new Answer(response.statusCode(), response.headers(), body.toString()))),
        WAIT, method + " " + uri + " over " + version);
  }

  private static String error(String body) {
    return new JsonObject(body).getString("error");
  }

  private static void publish(String path, String data) {
    assertEquals(202, Http.post(node.httpPort(), "/publish/" + path, data).statusCode());
  }

  private static List<String> data(List<Event> events) {
    return events.stream().map(Event::data).toList();
  }
}
