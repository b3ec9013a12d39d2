package ssecluster.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ssecluster.testsupport.Await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static ssecluster.testsupport.Await.result;

/** The bench's subscribers against a plain SSE server: every event counted once, on every client loop. */
class SubscribersTest {

  private static final int CONNECTIONS = 20;
  private static final int EVENTS = 5;
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Vertx serverVertx = Vertx.vertx();
  private final Vertx clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

  @AfterEach
  void close() throws Exception {
    result(clientVertx.close(), TIMEOUT, "client Vert.x closed");
    result(serverVertx.close(), TIMEOUT, "server Vert.x closed");
  }

  @Test
  void countsEveryEventOnceAndSpreadsConnectionsOverTheClientLoops(@TempDir Path workDir) throws Exception {
    List<HttpServerResponse> streams = new CopyOnWriteArrayList<>();
    HttpServer server = result(serverVertx.createHttpServer().requestHandler(request -> {
      HttpServerResponse response = request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
      response.write("retry: 1000\n\n");
      streams.add(response);
    }).listen(0, "127.0.0.1"), TIMEOUT, "SSE server listening");
    Servers servers = new Servers(new BenchOptions(List.of("--targets", "127.0.0.1:" + server.actualPort())), workDir);
    servers.start(false);

    Subscribers subscribers = new Subscribers(clientVertx, servers, 1);
    result(subscribers.open(CONNECTIONS, List.of(0), 0, "bench", 4), TIMEOUT, "subscribers connected");
    assertEquals(CONNECTIONS, subscribers.openCount());
    Await.until("the server holding every stream", TIMEOUT, () -> streams.size() == CONNECTIONS);

    long now = BenchClock.nowMicros();
    subscribers.window(now, now + TimeUnit.MINUTES.toMicros(1));
    serverVertx.runOnContext(v -> {
      for (HttpServerResponse stream : streams) {
        // Each event in two chunks, split inside its data line, so the parser gets it in pieces.
        for (int seq = 0; seq < EVENTS; seq++) {
          String event = "id: " + seq + "\r\ndata: " + BenchPayload.encode(seq, BenchClock.nowMicros(), 100) + "\r\n\r\n";
          stream.write(event.substring(0, 20));
          stream.write(event.substring(20));
        }
      }
    });

    Await.until("every event parsed", TIMEOUT, () -> subscribers.deliveriesSoFar() >= (long) CONNECTIONS * EVENTS);
    Subscribers.Stats stats = subscribers.merged();
    assertEquals((long) CONNECTIONS * EVENTS, stats.deliveries);
    assertEquals((long) CONNECTIONS * EVENTS, stats.local.count());
    assertEquals(0, stats.foreign);
    for (Subscribers.Connection connection : subscribers.connections()) {
      assertEquals(EVENTS, connection.tracker.distinct());
      assertEquals(0, connection.tracker.duplicates());
      assertEquals(0, connection.tracker.outOfOrder());
    }
    // Opened from the test's thread like the bench's main thread: still parsed on both client loops.
    assertEquals(2, subscribers.threadsSeen());
  }
}
