package ssecluster.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import ssecluster.Node;
import ssecluster.testsupport.Await;
import ssecluster.testsupport.Http;
import ssecluster.testsupport.SseParser;
import ssecluster.testsupport.TestCluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A burst of streams on one HTTP/2 connection, as an h2c reverse proxy multiplexing many clients over one
 * upstream connection makes: as many as the node allows, all opened at once, each must get its
 * {@code retry:} field and then the event published after all are open. On io_uring (the default
 * transport) the h2c connection froze after 154 streams, and over TLS the event reached 533 of the 1,000
 * (see {@link Http2StallGuard}).
 */
class Http2StreamBurstTest {

  private static final int STREAMS = HttpServerVerticle.MAX_CONCURRENT_STREAMS;
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static TestCluster cluster;
  private static Node node;

  @BeforeAll
  static void startNode() {
    cluster = new TestCluster();
    // One event loop serves the connection either way; one verticle keeps the node small.
    node = cluster.start("--http-instances", "1", "--https-port", "0");
  }

  @AfterAll
  static void stopNode() {
    cluster.close();
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {false, true})
  void aThousandStreamsOpenedAtOnceOnOneConnectionEachGetRetryAndThenTheEvent(boolean tls)
      throws InterruptedException {
    Vertx clients = cluster.clients();
    HttpClientOptions options = new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false)
        .setHttp2MultiplexingLimit(STREAMS);
    if (tls) {
      options.setSsl(true).setUseAlpn(true).setTrustAll(true).setVerifyHost(false);
    }
    HttpClient client = clients.createHttpClient(options, new PoolOptions().setHttp2MaxSize(1));
    int port = tls ? node.httpsPort() : node.httpPort();
    try {
      List<BurstStream> streams = new ArrayList<>();
      for (int i = 0; i < STREAMS; i++) {
        streams.add(BurstStream.open(client, port, "/subscribe/burst"));
      }
      awaitEvery(streams, BurstStream::retried, "got their retry: field");
      assertEquals(1, connections(streams), "all streams share one HTTP/2 connection");

      // The event goes into a connection that has gone quiet, as between a feed's events: the fan-out then
      // starts from an empty write buffer and crosses its high-water mark part-way through the streams.
      Thread.sleep(500);
      assertEquals(202, Http.post(node.httpPort(), "/publish/burst", "hello").statusCode());
      awaitEvery(streams, s -> !s.events().isEmpty(), "got the event");
      for (BurstStream stream : streams) {
        assertEquals(List.of("hello"), stream.events().stream().map(SseParser.Event::data).toList());
      }
    } finally {
      Await.result(client.close(), WAIT, "the client to close");
    }
  }

  /** Waits until every stream passes; a failure says how many did, and why the first failed stream failed. */
  private static void awaitEvery(List<BurstStream> streams, Predicate<BurstStream> done, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (streams.stream().anyMatch(s -> !done.test(s))) {
      if (System.nanoTime() > deadline) {
        long passed = streams.stream().filter(done).count();
        String failure = streams.stream().map(BurstStream::failure).filter(f -> f != null).findFirst()
            .map(f -> "; a request failed: " + f).orElse("");
        throw new AssertionError(passed + " of " + STREAMS + " streams " + what + " within " + WAIT + failure);
      }
      Thread.sleep(20);
    }
  }

  private static int connections(List<BurstStream> streams) {
    Set<HttpConnection> distinct = new HashSet<>();
    streams.forEach(s -> distinct.add(s.connection()));
    return distinct.size();
  }

  /** One stream of the burst: requested without waiting for the others, parsed as a browser would. */
  private static final class BurstStream {
    private final SseParser parser = new SseParser();
    private HttpConnection connection;
    private Throwable failure;

    static BurstStream open(HttpClient client, int port, String path) {
      BurstStream stream = new BurstStream();
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(path);
      Future<HttpClientResponse> response = client.request(options).compose(request -> request.send());
      response.onFailure(stream::failed);
      response.onSuccess(r -> {
        stream.connected(r.request().connection());
        r.handler(chunk -> stream.feed(chunk.getBytes()));
      });
      return stream;
    }

    private synchronized void connected(HttpConnection connection) {
      this.connection = connection;
    }

    private synchronized void failed(Throwable cause) {
      failure = cause;
    }

    synchronized Throwable failure() {
      return failure;
    }

    private synchronized void feed(byte[] bytes) {
      parser.feed(bytes);
    }

    synchronized boolean retried() {
      return parser.retry() != null;
    }

    synchronized List<SseParser.Event> events() {
      return new ArrayList<>(parser.events());
    }

    synchronized HttpConnection connection() {
      return connection;
    }
  }
}
