package ssecluster.http;

import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
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
import ssecluster.testsupport.TestCluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connections that hold a socket without getting anywhere are closed: a request head trickled in byte by byte
 * (slowloris), no byte at all, a body that never arrives, the rest of a body after a 413, a keep-alive or
 * HTTP/2 connection with nothing in progress. An open event stream is never cut for being quiet. The node
 * runs with bounds of one or two seconds, and on the NIO transport, where direct writes enter Netty's
 * pipeline below Vert.x's idle handler (see ConnectionPipeline).
 */
class HalfOpenConnectionsTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static TestCluster cluster;
  private static Node node;
  private static int port;

  @BeforeAll
  static void start() {
    cluster = new TestCluster();
    node = cluster.start("--header-timeout-seconds", "1", "--body-timeout-seconds", "1", "--idle-timeout-seconds", "2",
        "--keepalive-seconds", "1", "--transport", "nio");
    port = node.httpPort();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void slowlorisFromOneAddressKeepsNoSockets() throws Exception {
    List<SocketChannel> trickling = new ArrayList<>();
    try {
      for (int i = 0; i < 500; i++) {
        SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        channel.configureBlocking(false);
        channel.write(ascii("GET /health HTTP/1.1\r\nHost: localhost\r\nX-Trickle: "));
        trickling.add(channel);
      }
      // One more header byte on each every 300 ms: no read or idle timeout would ever see them as quiet.
      List<SocketChannel> open = new ArrayList<>(trickling);
      ByteBuffer sink = ByteBuffer.allocate(4096);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!open.isEmpty() && System.nanoTime() < deadline) {
        for (Iterator<SocketChannel> it = open.iterator(); it.hasNext(); ) {
          SocketChannel channel = it.next();
          try {
            sink.clear();
            if (channel.read(sink) < 0) {
              it.remove();
            } else {
              assertEquals(0, sink.position(), "closed without an answer, as nginx does");
              channel.write(ascii("x"));
            }
          } catch (IOException reset) {
            it.remove();
          }
        }
        Thread.sleep(300);
      }
      assertTrue(open.isEmpty(), open.size() + " of 500 trickling connections still open after " + WAIT.toSeconds() + " s");
      assertEquals(200, Http.get(port, "/health").statusCode(), "and the node still serves");
    } finally {
      for (SocketChannel channel : trickling) {
        channel.close();
      }
    }
  }

  @Test
  void aConnectionThatSendsNothingIsClosed() {
    try (RawHttp raw = RawHttp.connect(port)) {
      assertTrue(raw.closedByServerWithin(WAIT));
    }
  }

  @Test
  void bodiesThatNeverArriveGet408AndTheirConnectionCloses() {
    for (String request : List.of(
        "POST /publish/halfopen HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n0123456789",
        "POST /publish/halfopen HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")) {
      try (RawHttp raw = RawHttp.connect(port)) {
        RawHttp.Response answer = raw.send(request).read(WAIT);
        assertEquals(408, answer.status(), answer.body());
        assertEquals("the request body did not arrive within 1 s", error(answer.body()));
        assertTrue(raw.closedByServerWithin(WAIT));
      }
    }
    // HTTP/2: the stream gets the 408, the connection stays for the client's other streams.
    HttpClient h2 = cluster.clients().createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    try {
      HttpClientResponse answer = Await.result(h2.request(HttpMethod.POST, port, "127.0.0.1", "/publish/halfopen")
          .compose(request -> {
            // The stream is reset (NO_ERROR) after the answer; expected, so not worth a log line here.
            request.exceptionHandler(reset -> { });
            request.setChunked(true).write("the start of a body that never ends");
            return request.response();
          }), WAIT, "an answer to an unfinished HTTP/2 body");
      assertEquals(408, answer.statusCode());
    } finally {
      h2.close();
    }
  }

  @Test
  void answersGivenBeforeTheBodyCloseTheConnection() {
    // A 413 on the declared length, the rest of which never comes; a 405 for a POST whose body is under way.
    for (String request : List.of(
        "POST /publish/halfopen HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000000\r\n\r\nabc",
        "POST /nowhere HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\nabc")) {
      try (RawHttp raw = RawHttp.connect(port)) {
        RawHttp.Response answer = raw.send(request).read(WAIT);
        assertTrue(answer.status() == 413 || answer.status() == 405, answer.statusLine());
        assertEquals("close", answer.header("Connection"));
        assertTrue(raw.closedByServerWithin(WAIT), answer.statusLine());
      }
    }
    // A client that sends the rest after all reads its answer first, then the connection ends.
    try (RawHttp raw = RawHttp.connect(port)) {
      RawHttp.Response answer = raw.send("POST /nowhere HTTP/1.1\r\nHost: localhost\r\nContent-Length: 6\r\n\r\nabc")
          .read(WAIT);
      assertEquals(405, answer.status());
      raw.send("def");
      assertTrue(raw.closedByServerWithin(WAIT));
    }
  }

  @Test
  void idleConnectionsCloseAndSoDoesOneTricklingItsNextHead() throws Exception {
    try (RawHttp raw = RawHttp.connect(port)) {
      assertEquals(200, raw.send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n").read(WAIT).status());
      assertTrue(raw.closedByServerWithin(WAIT), "an idle keep-alive connection is closed");
    }
    try (RawHttp raw = RawHttp.connect(port)) {
      assertEquals(200, raw.send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n").read(WAIT).status());
      raw.send("GET /health HTTP/1.1\r\nHost: localhost\r\nX-Trickle: ");
      boolean closed = false;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!closed && System.nanoTime() < deadline) {
        try {
          raw.send("x");
          closed = raw.closedByServerWithin(Duration.ofMillis(300));
        } catch (RuntimeException reset) {
          closed = true;
        }
      }
      assertTrue(closed, "the next head, trickled a byte every 300 ms, is bounded by the idle timeout");
    }
    // An HTTP/2 connection whose streams are all done.
    Promise<Void> closed = Promise.promise();
    HttpClient h2 = cluster.clients().httpClientBuilder()
        .with(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false))
        .withConnectHandler(connection -> connection.closeHandler(v -> closed.tryComplete()))
        .build();
    try {
      int status = Await.result(h2.request(HttpMethod.GET, port, "127.0.0.1", "/health")
          .compose(request -> request.send())
          .compose(response -> response.body().map(body -> response.statusCode())), WAIT, "GET /health over h2c");
      assertEquals(200, status);
      Await.result(closed.future(), WAIT, "the server to close the idle HTTP/2 connection");
    } finally {
      h2.close();
    }
  }

  @Test
  void quietStreamsOutliveEveryTimeout() throws Exception {
    try (SseClient http1 = SseClient.open(cluster.clients(), port, "/subscribe/halfopen/quiet");
         SseClient http2 = SseClient.open(cluster.clients(), port, "/subscribe/halfopen/quiet", HttpVersion.HTTP_2)) {
      Thread.sleep(5_000);   // five header and body timeouts, two and a half idle timeouts: only keepalives go out
      assertFalse(http1.hasEnded(), "the HTTP/1.1 stream is open");
      assertFalse(http2.hasEnded(), "the HTTP/2 stream is open");
      assertEquals(202, Http.post(port, "/publish/halfopen/quiet", "still here").statusCode());
      http1.awaitData("still here", WAIT);
      http2.awaitData("still here", WAIT);
    }
  }

  private static ByteBuffer ascii(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static String error(String body) {
    return new JsonObject(body).getString("error");
  }
}
