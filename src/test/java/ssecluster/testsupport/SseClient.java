package ssecluster.testsupport;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.RequestOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A test subscriber: opens {@code GET path} on a node, parses the stream as a browser would, and lets the
 * test wait for events. {@link #open} completes once the {@code retry:} field arrived, which the server
 * sends only after the subscription is registered across the cluster.
 */
public final class SseClient implements AutoCloseable {

  private final SseParser parser = new SseParser();
  private final Promise<Void> opened = Promise.promise();
  private final Promise<Void> ended = Promise.promise();
  private HttpClient client;
  private HttpClientResponse response;

  private SseClient() {
  }

  public static SseClient open(Vertx vertx, int port, String path) {
    return open(vertx, port, path, HttpVersion.HTTP_1_1);
  }

  /** Opens over HTTP/1.1, or h2c with prior knowledge when {@code version} is HTTP_2. */
  public static SseClient open(Vertx vertx, int port, String path, HttpVersion version) {
    return open(vertx, port, path, version, Map.of());
  }

  /** The same with request headers of the caller's choosing (a browser's User-Agent, say). */
  public static SseClient open(Vertx vertx, int port, String path, HttpVersion version, Map<String, String> headers) {
    SseClient sse = new SseClient();
    sse.client = vertx.createHttpClient(new HttpClientOptions()
        .setProtocolVersion(version)
        .setHttp2ClearTextUpgrade(false));
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(path);
    headers.forEach(options::putHeader);
    sse.client.request(options)
        .compose(request -> request.send())
        .onSuccess(response -> {
          sse.response = response;
          if (response.statusCode() != 200) {
            sse.opened.tryFail("HTTP " + response.statusCode() + " for " + path);
            return;
          }
          response.handler(chunk -> sse.onBytes(chunk.getBytes()));
          response.endHandler(v -> sse.ended.tryComplete());
          response.exceptionHandler(e -> sse.ended.tryComplete());
        })
        .onFailure(e -> sse.opened.tryFail(e));
    Await.result(sse.opened.future(), Duration.ofSeconds(20), "stream " + path + " to open");
    return sse;
  }

  private synchronized void onBytes(byte[] bytes) {
    parser.feed(bytes);
    if (parser.retry() != null) {
      opened.tryComplete();
    }
    notifyAll();
  }

  public String header(String name) {
    return response.getHeader(name);
  }

  public synchronized List<SseParser.Event> events() {
    return new ArrayList<>(parser.events());
  }

  public synchronized List<String> comments() {
    return new ArrayList<>(parser.comments());
  }

  public synchronized Long retry() {
    return parser.retry();
  }

  /** Waits until at least {@code count} events arrived; returns all received so far. */
  public synchronized List<SseParser.Event> awaitEvents(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (parser.events().size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("expected " + count + " events within " + timeout + ", got "
            + parser.events().size() + ": " + tail(parser.events()));
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return new ArrayList<>(parser.events());
  }

  /** Waits until an event with this data arrived; returns everything received up to then. */
  public synchronized List<SseParser.Event> awaitData(String data, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (parser.events().stream().noneMatch(e -> e.data().equals(data))) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no event with data '" + data + "' within " + timeout + "; got " + tail(parser.events()));
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return new ArrayList<>(parser.events());
  }

  public synchronized List<String> awaitComment(String comment, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!parser.comments().contains(comment)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no ':" + comment + "' comment within " + timeout);
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return new ArrayList<>(parser.comments());
  }

  /** Waits for the server to end the stream. */
  public void awaitEnd(Duration timeout) {
    Await.result(ended.future(), timeout, "the server to end the stream");
  }

  public boolean hasEnded() {
    return ended.future().isComplete();
  }

  /** The last few events, data abbreviated, so a failure message stays readable. */
  private static String tail(List<SseParser.Event> events) {
    List<String> shown = new ArrayList<>();
    for (SseParser.Event e : events.subList(Math.max(0, events.size() - 5), events.size())) {
      String data = e.data().length() > 40 ? e.data().substring(0, 40) + "..." : e.data();
      shown.add("{id=" + e.id() + " event=" + e.event() + " data=" + data + "}");
    }
    return (events.size() > 5 ? "... " : "") + shown;
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
